"""A run of several targets reports each part: one JSON document with a ``parts`` list, one xlsx report per
part, and the dry run says which rows create after which (the HubSpot workbook into Tripletex)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
from test_i10_acceptance_crm import DATA, tt_run

from bulktool.sandbox import SandboxServer


def test_a_two_target_dry_run_reports_both_parts_and_their_links(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path) -> None:
    book = tmp_path / "hubspot-export.xlsx"
    shutil.copy(DATA / "hubspot-export.xlsx", book)
    report, xlsx = tmp_path / "plan.json", tmp_path / "plan.xlsx"
    tt_sandbox.reset_stats()
    res = tt_run(tt_sandbox, "import", str(book), "--map", str(DATA / "hubspot-export.toml"), "--json",
                 str(report), "--report", str(xlsx), "--quiet")
    assert res.exit_code == 0, res.output
    doc = json.loads(report.read_text(encoding="utf-8"))
    customers, contacts = doc["parts"]
    assert (customers["endpoint"], contacts["endpoint"]) == ("customers", "contacts")
    assert customers["summary"]["create"] == 3 and contacts["summary"]["create"] == 5
    waiting = [r for r in contacts["rows"] if any("creates after" in w for w in r["warnings"])]
    assert len(waiting) == 4  # four contacts name a company this run creates; one an existing customer
    assert all(str(r["changes"]["customer.id"]["new"]).startswith("(new id of ") for r in waiting)
    # The terminal shows both parts, one summary each; the dry run sent GETs only (and the session).
    heads = [line for line in res.output.splitlines() if line.startswith("Dry run: ")]
    assert [h.split(" from ")[0] for h in heads] == ["Dry run: customers (tripletex)", "Dry run: contacts (tripletex)"]
    assert {m for m, p, _ in tt_sandbox.request_log() if "/token/" not in p} == {"GET"}
    assert sorted(p.name for p in tmp_path.glob("plan*.xlsx")) == ["plan-contacts.xlsx", "plan.xlsx"]
    for path, sheet, rows in ((xlsx, "customers", 3), (tmp_path / "plan-contacts.xlsx", "contacts", 5)):
        ws = openpyxl.load_workbook(path, read_only=True)[sheet]  # each part's rows, in its own report
        assert ws.max_row == rows + 1


def test_a_lookup_column_of_another_template_is_a_mapping_error_naming_line_and_key(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path) -> None:
    path = tmp_path / "kunder.csv"
    path.write_text("Namn;Ansvarig\nFjord AS;Ola Hansen\n", encoding="cp1252")
    mapping = tmp_path / "kunder.toml"  # "responsible" is Blikk contacts' lookup; customers call it accountManager
    mapping.write_text('endpoint = "customers"\n[fields]\nname = "Namn"\nresponsible = "Ansvarig"\n', encoding="utf-8")
    res = tt_run(tt_sandbox, "import", str(path), "--map", str(mapping))
    assert res.exit_code == 2
    assert res.stderr.strip() == ("Error: kunder.toml, line 4, key fields.responsible: 'responsible' is not a "
                                  "column of customers; map a writable column or a lookup")
