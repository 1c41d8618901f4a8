"""Issue 7 point 20: reports render lists as the export writes them, and show names beside ids.

End to end: export contacts with --detail from the sandbox, reassign one contact, retag another, mark a
third for deletion, and read the terminal, xlsx and HTML reports of the dry run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers.cli import run

from bulktool.sandbox import SandboxConfig, SandboxServer
from tests.test_import_e2e import Sheet


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=30, port=0, rate_limit=1000)) as s:
        yield s



class Edited:
    """The workbook after the edits, and what the sheet itself says about the records involved."""

    def __init__(self, srv: SandboxServer, path: Path) -> None:
        res = run(srv, "export", "contacts", "--detail", "-o", str(path), "-q")
        assert res.exit_code == 0, res.output
        sheet = Sheet(path)
        rows = range(2, sheet.ws.max_row + 1)
        tagged = next(r for r in rows if len(str(sheet.get(r, "tags.id") or "").split(",")) >= 2)
        names = {sheet.get(r, "responsible.id"): sheet.get(r, "responsible.name") for r in rows}
        self.reassign = next(r for r in rows if r != tagged)
        self.old_owner = sheet.get(self.reassign, "responsible.id")
        self.new_owner = next(i for i in names if i != self.old_owner)
        self.old_name, self.new_name = names[self.old_owner], names[self.new_owner]
        self.retag = tagged
        self.tag_ids = [int(t) for t in str(sheet.get(tagged, "tags.id")).split(",")]
        self.tag_names = [t.strip() for t in str(sheet.get(tagged, "tags.name")).split(",")]
        self.delete = next(r for r in rows if r not in (tagged, self.reassign))
        self.deleted_id, self.deleted_name = sheet.get(self.delete, "id"), sheet.get(self.delete, "name")
        self.ids = {r: sheet.get(r, "id") for r in (self.reassign, self.retag)}
        sheet.set(self.reassign, "responsible.id", self.new_owner)
        sheet.set(self.retag, "tags.id", ", ".join(str(t) for t in self.tag_ids[:-1]))
        action = max(sheet.cols.values()) + 1
        sheet.ws.cell(1, action).value = "action"
        sheet.ws.cell(self.delete, action).value = "delete"
        sheet.save()


def _lists(ids: list[int]) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"


def test_terminal_shows_names_beside_reference_ids_and_deleted_records(srv: SandboxServer, tmp_path: Path) -> None:
    e = Edited(srv, tmp_path / "c.xlsx")
    res = run(srv, "import", str(tmp_path / "c.xlsx"), "--allow-delete", "--quiet")
    lines = res.stdout.splitlines()
    assert (f"  row {e.reassign}  update  id {e.ids[e.reassign]}: responsible.id {e.old_owner} ({e.old_name}) "
            f"-> {e.new_owner} ({e.new_name})") in lines
    kept = ", ".join(e.tag_names[:-1])
    assert (f"  row {e.retag}  update  id {e.ids[e.retag]}: tags.id {_lists(e.tag_ids)} "
            f"({', '.join(e.tag_names)}) -> {_lists(e.tag_ids[:-1])} ({kept})") in lines
    assert f"  row {e.delete}  delete  id {e.deleted_id} ({e.deleted_name})" in lines
    assert srv.stats()["POST"] == srv.stats()["PUT"] == srv.stats()["DELETE"] == 0


def _cells(path: Path, row: int, *columns: str) -> dict[str, tuple[Any, str | None]]:
    ws = openpyxl.load_workbook(path)["contacts"]
    cols = {c.value: i + 1 for i, c in enumerate(ws[1])}
    out = {}
    for c in columns:
        cell = ws.cell(row, cols[c])
        out[c] = (cell.value, cell.comment.text if cell.comment else None)
    return out


def test_xlsx_report_writes_lists_like_the_export_and_names_beside_ids(srv: SandboxServer, tmp_path: Path) -> None:
    e = Edited(srv, tmp_path / "c.xlsx")
    report = tmp_path / "r.xlsx"
    res = run(srv, "import", str(tmp_path / "c.xlsx"), "--allow-delete", "--quiet", "--report", str(report))
    assert res.exit_code == 0, res.output
    retag = _cells(report, e.retag, "tags.id", "tags.name")
    new_tags = ", ".join(str(t) for t in e.tag_ids[:-1])
    old_tags = ", ".join(str(t) for t in e.tag_ids)
    assert retag["tags.id"] == (new_tags, f"was: {old_tags} ({', '.join(e.tag_names)})\n"
                                          f"now: {new_tags} ({', '.join(e.tag_names[:-1])})")
    assert retag["tags.name"] == (", ".join(e.tag_names), None)  # not "['VIP', 'Kund']"
    moved = _cells(report, e.reassign, "responsible.id")
    assert moved["responsible.id"] == (e.new_owner, f"was: {e.old_owner} ({e.old_name})\n"
                                                    f"now: {e.new_owner} ({e.new_name})")
    deleted = _cells(report, e.delete, "Result", "Message")
    assert deleted["Result"][0] == "delete"
    assert deleted["Message"][0] == f"deletes id {e.deleted_id} ({e.deleted_name})"
    # The report imports again: its list cells parse back to the same change.
    again = run(srv, "import", str(report), "--allow-delete", "--quiet")
    assert any(line.startswith(f"  row {e.retag}  update  id {e.ids[e.retag]}: tags.id {_lists(e.tag_ids)} ")
               and line.endswith(f"-> {_lists(e.tag_ids[:-1])} ({', '.join(e.tag_names[:-1])})")
               for line in again.stdout.splitlines()), again.stdout


def test_html_report_shows_names_and_plain_lists(srv: SandboxServer, tmp_path: Path) -> None:
    e = Edited(srv, tmp_path / "c.xlsx")
    html = tmp_path / "r.html"
    res = run(srv, "import", str(tmp_path / "c.xlsx"), "--allow-delete", "--quiet", "--html", str(html))
    assert res.exit_code == 0, res.output
    text = html.read_text(encoding="utf-8")
    from html import escape

    assert (f"<td>responsible.id</td><td>{e.old_owner} ({escape(e.old_name)})</td><td>&rarr;</td>"
            f"<td>{e.new_owner} ({escape(e.new_name)})</td>") in text
    old = ", ".join(str(t) for t in e.tag_ids)
    assert f"<td>tags.id</td><td>{old} ({escape(', '.join(e.tag_names))})</td>" in text
    assert f"<td>id {e.deleted_id} ({escape(e.deleted_name)}), key " in text
