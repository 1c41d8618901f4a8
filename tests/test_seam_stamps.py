"""Every template's change stamp reaches the export record, not only a column called ``lastUpdated``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import connector_for

from bulktool.export import export
from bulktool.sandbox import SandboxServer
from bulktool.schema import load_templates
from bulktool.workbook.cells import clean
from bulktool.workbook.xlsx_reader import read_xlsx


@pytest.mark.parametrize(("name", "stamp"), [("projects", "updated"), ("tasks", "updatedDate")])
def test_projects_and_tasks_export_their_change_stamp(
    fast_sandbox: SandboxServer, tmp_path: Path, name: str, stamp: str
) -> None:
    assert load_templates("blikk")[name].last_updated_field == stamp
    out = tmp_path / f"{name}.xlsx"
    export(connector_for(fast_sandbox, 1000), "blikk", [name], out)
    sheet = read_xlsx(out).sheets[name]
    assert sheet.meta is not None and sheet.meta.last_updated == stamp
    # The sandbox stores Blikk's spelling; the export record holds the core's ISO 8601 form.
    live = {str(r["id"]): clean("datetime", r[stamp]) for r in fast_sandbox.records(name) if r.get(stamp)}
    assert live  # the seed has edited records (a never-updated one has no stamp)
    assert {rid: v for rid, v in sheet.last_updated.items() if v} == live
