"""Issue 10, point 5 and acceptance 4 in small: a run of companies and the persons of each, killed with
SIGKILL in the middle of the companies (wave 0) or of the persons (wave 1), then resumed: no record is
created twice and every person is linked to its company. A plain re-run before the resume is refused."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from helpers import related_tt_run
from helpers.related_run import connect, kill_child_after, run
from helpers.related_tt_run import connect as tt_connect
from helpers.related_tt_run import run as tt_run
from helpers.related_tt_run import workbook
from test_i10_related import by_number, company_of, posts, write_sheet
from tt_fixtures import credentials, tt_base_url, tt_server

from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.writer import Journal, JournalError, default_journal_path

COMPANIES, PERSONS = 30, 90
tt_script = related_tt_run.__file__


@pytest.mark.parametrize("kill_after", [12, COMPANIES + 25])  # mid-wave-0, mid-wave-1
def test_kill_9_between_parents_and_children_then_resume_links_everyone_once(
        tmp_path: Path, kill_after: int) -> None:
    with SandboxServer(SandboxConfig(contacts=10, port=0, rate_limit=100000)) as srv:
        sheet = write_sheet(tmp_path / "contacts.csv", [
            *[[f"Person {i}", f"P-{i}", "person", 1, "", f"C-{i % COMPANIES}"] for i in range(PERSONS)],
            *[[f"Company {c}", f"C-{c}", "company", 1, "", ""] for c in range(COMPANIES)],
        ])
        srv.set_faults(latency=0.01)
        srv.reset_stats()
        code = kill_child_after([srv.url, srv.app_id, srv.app_secret, str(sheet)], lambda: posts(srv), kill_after)
        assert code == -signal.SIGKILL
        srv.set_faults(latency=0.0)
        killed_at = posts(srv)
        assert kill_after <= killed_at < COMPANIES + PERSONS, "the kill came after the run had finished"

        conn = connect(srv.url, srv.app_id, srv.app_secret)
        with pytest.raises(JournalError, match="--resume"):
            run(conn, sheet, apply=True)
        resumed = run(conn, sheet, apply=True, resume=True)
        assert resumed.exit_code == 0, [r.message for r in resumed.parts[0].result.rows if r.status == "failed"]

        numbers = Counter(c["customerNumber"] for c in srv.records("contacts"))
        ours = {n: k for n, k in numbers.items() if n and n.startswith(("P-", "C-"))}
        assert len(ours) == COMPANIES + PERSONS and set(ours.values()) == {1}  # each exactly once
        assert posts(srv) == COMPANIES + PERSONS  # the killed run's creates and the resume's add up: none twice
        live = by_number(srv)
        for i in range(PERSONS):
            assert company_of(live[f"P-{i}"]) == live[f"C-{i % COMPANIES}"]["id"], f"P-{i}"

        srv.reset_stats()
        again = run(conn, sheet, apply=True)
        assert again.exit_code == 0 and posts(srv) == 0 and srv.stats().get("PUT", 0) == 0
        assert again.parts[0].result.summary.unchanged == COMPANIES + PERSONS


def test_ctrl_c_mid_run_exits_130_sends_nothing_more_and_the_resume_links_everyone(tmp_path: Path) -> None:
    with SandboxServer(SandboxConfig(contacts=10, port=0, rate_limit=100000)) as srv:
        sheet = write_sheet(tmp_path / "contacts.csv", [
            *[[f"Person {i}", f"P-{i}", "person", 1, "", f"C-{i % 10}"] for i in range(40)],
            *[[f"Company {c}", f"C-{c}", "company", 1, "", ""] for c in range(10)],
        ])
        srv.set_faults(latency=0.02)
        code = kill_child_after([srv.url, srv.app_id, srv.app_secret, str(sheet)], lambda: posts(srv), 4,
                                sig=signal.SIGINT)
        srv.set_faults(latency=0.0)
        assert code == 130
        with Journal(default_journal_path(sheet)) as journal:
            states = Counter(e.state for e in journal.entries())
        assert states["sent"] == 0 and states["done"] == posts(srv) < 50  # the writes in flight settled
        conn = connect(srv.url, srv.app_id, srv.app_secret)
        assert run(conn, sheet, apply=True, resume=True).exit_code == 0
        live = by_number(srv)
        assert posts(srv) == 50 and all(company_of(live[f"P-{i}"]) == live[f"C-{i % 10}"]["id"] for i in range(40))


def test_500_companies_and_1500_persons_killed_mid_way_resume_with_no_duplicates(tmp_path: Path) -> None:
    companies, persons = 500, 1500
    with SandboxServer(SandboxConfig(contacts=10, port=0, rate_limit=100000)) as srv:
        sheet = write_sheet(tmp_path / "contacts.csv", [
            *[[f"Person {i}", f"P-{i}", "person", 1, "", f"C-{i % companies}"] for i in range(persons)],
            *[[f"Company {c}", f"C-{c}", "company", 1, "", ""] for c in range(companies)],
        ])
        code = kill_child_after([srv.url, srv.app_id, srv.app_secret, str(sheet)], lambda: posts(srv), 1200,
                                timeout=300)
        assert code == -signal.SIGKILL and posts(srv) < companies + persons
        conn = connect(srv.url, srv.app_id, srv.app_secret)
        assert run(conn, sheet, apply=True, resume=True).exit_code == 0
        numbers = Counter(c["customerNumber"] for c in srv.records("contacts"))
        assert sum(1 for n in numbers if (n or "").startswith(("P-", "C-"))) == companies + persons
        assert max(numbers.values()) == 1 and posts(srv) == companies + persons
        live = by_number(srv)
        assert all(company_of(live[f"P-{i}"]) == live[f"C-{i % companies}"]["id"] for i in range(persons))


@pytest.mark.parametrize("kill_after", [3, 12])  # requests: mid-customers (wave 0), mid-contacts (wave 1)
def test_tripletex_customers_and_contacts_killed_then_resumed_link_each_contact_once(
        tmp_path: Path, kill_after: int) -> None:
    with tt_server() as srv:
        path = workbook(tmp_path / "hubspot.xlsx", companies=40, people=120)  # 8 batches of 5, then contacts
        srv.set_faults(latency=0.02)
        srv.reset_stats()
        code = kill_child_after([tt_base_url(srv), *credentials(srv), str(path)], lambda: posts(srv), kill_after,
                                script=tt_script)
        srv.set_faults(latency=0.0)
        assert code == -signal.SIGKILL and posts(srv) < 8 + 24, "the kill came after the run had finished"
        conn = tt_connect(tt_base_url(srv), *credentials(srv))
        resumed = tt_run(conn, path, apply=True, resume=True)
        assert resumed.exit_code == 0, [r.message for o in resumed.parts for r in o.result.rows if r.status == "failed"]
        customers = Counter(c["customerNumber"] for c in srv.records("customer"))
        contacts = Counter(c["email"] for c in srv.records("contact"))
        assert all(customers[90000 + c] == 1 for c in range(40))
        assert all(contacts[f"kari{p}@fjord.no"] == 1 for p in range(120))
        ids = {c["customerNumber"]: c["id"] for c in srv.records("customer")}
        made = {c["email"]: (c.get("customer") or {}).get("id") for c in srv.records("contact")}
        assert all(made[f"kari{p}@fjord.no"] == ids[90000 + p % 40] for p in range(120))
        srv.reset_stats()
        assert tt_run(conn, path, apply=True).exit_code == 0 and posts(srv) == 0
