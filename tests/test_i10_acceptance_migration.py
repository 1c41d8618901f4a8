"""Issue 10, acceptance 4-6: kill -9 and resume a 2,000-row migration, lookup cost, and error wording.

The migration file (tests/helpers/migration_data.py, seeded, written at test time) is an old customer
register: 500 companies and 1,500 persons in one ``;`` file, shuffled so persons often come before their
company, each person naming its company by org number (with or without the dash) or by name, and a
responsible user by name. Its mapping is MIGRATION_MAPPING. Every check reads the server.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run
from helpers.killed_apply import kill_apply_after
from helpers.migration_data import HEADERS, MIGRATION_MAPPING, Migration, companies_and_persons
from test_i10_acceptance_crm import DATA, tt_run

from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def migration_files(tmp: Path, data: Migration, name: str = "kunder") -> tuple[Path, Path]:
    mapping = tmp / f"{name}.toml"
    mapping.write_text(MIGRATION_MAPPING, encoding="utf-8")
    return data.write(tmp / f"{name}.csv"), mapping


def assert_migrated_once_and_linked(srv: SandboxServer, data: Migration) -> None:
    """Each company and person exactly once, each person linked to its own company."""
    ours = [c for c in srv.records("contacts") if str(c["customerNumber"] or "")[:1] in ("F", "P")]
    counts = Counter(c["customerNumber"] for c in ours)
    assert len(counts) == len(data.companies) + data.persons and set(counts.values()) == {1}, counts.most_common(3)
    ids = {c["customerNumber"]: c["id"] for c in ours}
    wrong = {c["customerNumber"]: (c["company"] or {}).get("id") for c in ours if c["customerNumber"][0] == "P"
             and (c["company"] or {}).get("id") != ids[data.company_of[c["customerNumber"]]]}
    assert not wrong, f"{len(wrong)} persons not linked to their company, e.g. {list(wrong.items())[:3]}"


@pytest.mark.parametrize("kill_at", [250, 1100], ids=["among-companies", "among-persons"])
def test_a_migration_of_500_companies_and_1500_persons_killed_mid_way_resumes_without_duplicates(
        srv: SandboxServer, tmp_path: Path, kill_at: int) -> None:
    data = companies_and_persons(500, 1500)
    path, mapping = migration_files(tmp_path, data)
    live_orgnrs = {c["organizationalOrSocialSecurityNumber"] for c in srv.records("contacts")}
    assert not live_orgnrs & set(data.orgnr.values())  # every company is new: created by this run
    srv.reset_stats()
    kill_apply_after(["--base-url", srv.url, "--rate", "500", "import", str(path), "--map", str(mapping),
                      "--apply", "-y", "--quiet"], lambda: srv.stats()["POST"], kill_at, env=dict(os.environ),
                     timeout=180)
    assert kill_at <= srv.stats()["POST"] < 2000
    res = run(srv, "import", str(path), "--map", str(mapping), "--apply", "--yes", "--quiet", "--resume",
              rate="500")
    assert res.exit_code == 0, res.output
    assert_migrated_once_and_linked(srv, data)
    assert srv.stats()["POST"] <= 2000 + 1  # at most the one write in flight at the kill is sent again
    srv.reset_stats()
    again = run(srv, "import", str(path), "--map", str(mapping), "--apply", "--yes", "--quiet", rate="500")
    assert again.exit_code == 0, again.output
    assert srv.stats()["POST"] == srv.stats()["PUT"] == 0  # a re-run creates nothing


def list_reads(srv: SandboxServer) -> Counter[str]:
    """GETs of each list path the run sent (paging parameters dropped)."""
    return Counter(p.split("?")[0] for m, p, _ in srv.request_log() if m == "GET")


def test_lookups_cost_one_list_read_per_reference_type_whatever_the_row_count(
        srv: SandboxServer, tmp_path: Path) -> None:
    reads = []
    for n, (companies, persons) in enumerate([(10, 30), (100, 300)]):
        path, mapping = migration_files(tmp_path, companies_and_persons(companies, persons, seed=n + 1), f"m{n}")
        srv.reset_stats()
        res = run(srv, "import", str(path), "--map", str(mapping), "--quiet")  # dry run: every row a create
        assert res.exit_code == 0, res.output
        reads.append(list_reads(srv))
    small, large = reads
    assert small == large  # ten times the rows, not one request more
    assert small["/v1/Admin/Users"] == 1  # the responsible users: one list read (one page)
    assert not any(p.startswith("/v1/Core/Contacts/") for p in large)  # no per-row detail reads
    # The live contacts (one page each): once for the company lookups, once per wave's plan (companies, then
    # the persons that name them) for the natural keys: a count of waves, not of rows.
    assert large["/v1/Core/Contacts"] == 3


def small_file(tmp: Path, rows: list[dict[str, str]]) -> tuple[Path, Path]:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, HEADERS, delimiter=";", lineterminator="\r\n")
    w.writeheader()
    w.writerows([dict.fromkeys(HEADERS, "") | r for r in rows])
    path = tmp / "kunder.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    mapping = tmp / "kunder.toml"
    mapping.write_text(MIGRATION_MAPPING, encoding="utf-8")
    return path, mapping


def test_a_lookup_error_names_the_file_row_the_source_column_and_the_closest_candidates(
        srv: SandboxServer, tmp_path: Path) -> None:
    path, mapping = small_file(tmp_path, [
        {"Typ": "Företag", "Kundnr": "F0001", "Namn": "Kvarnbyns Snickeri AB", "Org.nr": "969001-0001",
         "Ansvarig": "Anna Lindqvist"},
        {"Typ": "Person", "Kundnr": "P00001", "Namn": "Lena Kvarnström", "Företag": "9690010001",
         "Ansvarig": "Anna Lindkvist"},  # row 3: a misspelled user
        {"Typ": "Person", "Kundnr": "P00002", "Namn": "Olle Kvarnström", "Företag": "Kvarnbyns Snickeri",
         "Ansvarig": "Göran Ek"},  # row 4: no such company, in the file or on the server
    ])
    res = run(srv, "import", str(path), "--map", str(mapping), "--quiet")
    assert res.exit_code == 1, res.output
    lines = res.output.splitlines()
    user = next(ln for ln in lines if "row 3" in ln)
    assert "column 'Ansvarig'" in user and "'Anna Lindkvist'" in user and "Anna Lindqvist" in user
    company = next(ln for ln in lines if "row 4" in ln)
    assert "column 'Företag'" in company and "'Kvarnbyns Snickeri'" in company


def test_a_mapping_error_names_the_mapping_file_line_and_key(srv: SandboxServer, tmp_path: Path) -> None:
    path, mapping = small_file(tmp_path, [{"Typ": "Företag", "Kundnr": "F0001", "Namn": "X AB",
                                           "Ansvarig": "Anna Lindqvist"}])
    text = MIGRATION_MAPPING.replace('transform = ["trim", "lower"]', 'transform = ["trim", "lowr"]')
    mapping.write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), start=1) if "lowr" in ln)
    res = run(srv, "import", str(path), "--map", str(mapping), "--quiet")
    assert res.exit_code == 2, res.output
    assert f"kunder.toml, line {line}, key fields.email.transform[1]: unknown transform 'lowr'" in res.output
    assert "(did you mean lower?)" in res.output


def test_a_bad_cell_names_the_file_row_the_source_column_and_the_value(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path) -> None:
    src = tmp_path / "projekt.csv"
    shutil.copy(DATA / "nordic-projects.csv", src)
    raw = src.read_bytes().replace(b"15.04.2024", b"31.02.2024")  # row 3: P-2402's start date
    src.write_bytes(raw)
    res = tt_run(tt_sandbox, "import", str(src), "--map", str(DATA / "nordic-projects.toml"), "--quiet")
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "row 3" in ln)
    assert "column 'Startdatum'" in line and "'31.02.2024'" in line
