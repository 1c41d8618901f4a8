"""Issue acceptance "Round trip": export every templated endpoint through the CLI, read it back, lose nothing.

One sandbox with 2,000 contacts serves the whole module. Three independent checks per workbook:

* every cell read back equals ``flatten(record, columns)`` of the records as the API lists them
  (fetched separately through the connector), and the detail export equals the server's own records;
* the raw cells (python-calamine, ignoring the hidden export record) hold text as text, numbers as
  numbers and booleans as booleans, so the workbook itself is right, not just its export record;
* the tricky seed values are there: leading zeros, a 17-digit article number, åäö, "" and None,
  booleans, text that looks like a formula.

All of it again after LibreOffice re-saves the workbooks, and a dry-run import of the re-saved
contacts sheets against the same sandbox finds every row unchanged.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from python_calamine import CalamineWorkbook

from bulktool.cli import cli
from bulktool.http.throttle import RateLimiter
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema import load_templates
from bulktool.schema.model import Column
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials
from bulktool.workbook import ReadBook, ReadSheet, flatten, read_table

TEMPLATES = load_templates("blikk")
CONTACTS = 2000


@dataclass
class Exported:
    srv: SandboxServer
    env: dict[str, str | None]
    all_xlsx: Path
    detail_xlsx: Path
    summary: dict[str, Any]
    listed: dict[str, list[dict[str, Any]]]  # endpoint -> records as the list endpoint returns them

    def run(self, *args: str) -> Result:
        return CliRunner(env=self.env).invoke(cli, ["--base-url", self.srv.url, "--rate", "200", *args],
                                              catch_exceptions=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    tmp = tmp_path_factory.mktemp("roundtrip")
    with SandboxServer(SandboxConfig(contacts=CONTACTS, port=0, rate_limit=1000)) as srv:
        env: dict[str, str | None] = {
            "BLIKK_APP_ID": srv.app_id, "BLIKK_APP_SECRET": srv.app_secret,
            "BULKTOOL_CONFIG": str(tmp / "config.toml"),
        }
        ex = Exported(srv, env, tmp / "all.xlsx", tmp / "detail.xlsx", {}, {})
        res = ex.run("export", *sorted(TEMPLATES), "-o", str(ex.all_xlsx), "--json")
        assert res.exit_code == 0, res.output
        ex.summary = json.loads(res.stdout)
        res = ex.run("export", "contacts", "--detail", "-o", str(ex.detail_xlsx), "--quiet")
        assert res.exit_code == 0, res.output
        conn = BlikkConnector(srv.url, blikk_credentials(srv.app_id, srv.app_secret), limiter=RateLimiter(200))
        try:
            ex.listed = {n: conn.list_all(e.list_path, id_field=e.id_field) for n, e in TEMPLATES.items()}
        finally:
            conn.client.close()
        yield ex


@dataclass
class Resaved:
    all_xlsx: Path
    detail_xlsx: Path


@pytest.fixture(scope="module")
def resaved(exported: Exported, soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Resaved:
    """Both workbooks opened and saved again by LibreOffice, as a user editing in Calc would."""
    tmp = tmp_path_factory.mktemp("libreoffice")
    out = tmp / "out"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp / 'lo').as_uri()}", "--convert-to", "xlsx",
         "--outdir", str(out), str(exported.all_xlsx), str(exported.detail_xlsx)],
        check=True, timeout=240, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    result = Resaved(out / exported.all_xlsx.name, out / exported.detail_xlsx.name)
    assert result.all_xlsx.is_file() and result.detail_xlsx.is_file(), "LibreOffice wrote no file"
    return result


@pytest.fixture(params=["bulktool", "libreoffice"])
def books(request: pytest.FixtureRequest, exported: Exported) -> tuple[Path, Path]:
    """(all endpoints, contacts --detail) as bulktool wrote them, or as LibreOffice re-saved them."""
    if request.param == "bulktool":
        return exported.all_xlsx, exported.detail_xlsx
    lo: Resaved = request.getfixturevalue("resaved")
    return lo.all_xlsx, lo.detail_xlsx


def exported_columns(sheet: ReadSheet) -> list[Column]:
    assert sheet.meta is not None, f"{sheet.name}: no export record"
    return [Column(name=c["name"], type=c["type"]) for c in sheet.meta.columns]


def assert_rows_equal(sheet: ReadSheet, expected: list[dict[str, Any]]) -> None:
    """Same rows, same order, same values and same Python types (3.0 is not 3, True is not 1)."""
    assert [r.errors for r in sheet.rows if r.errors] == []
    got = [r.values for r in sheet.rows]
    assert len(got) == len(expected), sheet.name
    for have, want in zip(got, expected, strict=True):
        assert list(have) == list(want), sheet.name
        for name, value in want.items():
            assert (have[name], type(have[name])) == (value, type(value)), f"{sheet.name} id {want.get('id')} {name}"
    assert got == expected


def read(path: Path) -> ReadBook:
    book = read_table(path)
    assert book.warnings == []
    assert book.meta is not None and book.meta.system == "blikk"
    return book


# ---------------------------------------------------------------- values


def test_export_summary(exported: Exported) -> None:
    s = exported.summary
    assert s["rows"] == {n: len(exported.srv.records(n)) for n in sorted(TEMPLATES)}
    assert s["rows"]["contacts"] == CONTACTS
    assert s["status_429"] == 0
    names = CalamineWorkbook.from_path(str(exported.all_xlsx)).sheet_names
    assert names == [*sorted(TEMPLATES), "_bulktool"]


def test_every_endpoint_reads_back_as_listed(exported: Exported, books: tuple[Path, Path]) -> None:
    book = read(books[0])
    assert sorted(book.sheets) == sorted(TEMPLATES)
    for name, ep in TEMPLATES.items():
        sheet = book.sheets[name]
        columns = exported_columns(sheet)
        # Template list columns first, in template order; anything else the server sent after them.
        assert [c.name for c in columns][: len(ep.column_names())] == ep.column_names(), name
        assert sheet.columns == [c.name for c in columns]
        assert_rows_equal(sheet, [flatten(r, columns) for r in exported.listed[name]])
        # Complete: every record the server holds, once (the server's store, not the client's paging).
        ids = [r.values[ep.id_field] for r in sheet.rows]
        assert sorted(ids) == sorted(r[ep.id_field] for r in exported.srv.records(name)), name


def test_detail_export_equals_the_server_records(exported: Exported, books: tuple[Path, Path]) -> None:
    sheet = read(books[1]).sheets["contacts"]
    assert sheet.meta is not None and sheet.meta.detail
    columns = exported_columns(sheet)
    assert [c.name for c in columns] == TEMPLATES["contacts"].column_names(detail=True)
    server = {r["id"]: r for r in exported.srv.records("contacts")}
    listed = [server[r["id"]] for r in exported.listed["contacts"]]  # the export's row order
    assert_rows_equal(sheet, [flatten(r, columns) for r in listed])


# ---------------------------------------------------------------- raw cells


def _raw_agrees(col_type: str, want: Any, raw: Any) -> bool:
    if want is None or want == "":
        return raw in (None, "")
    if col_type == "string":
        # LibreOffice stores CRLF inside a cell as LF; the export record restores it.
        return bool(raw in (want, want.replace("\r\n", "\n")))
    if col_type == "boolean":
        return raw is want
    if col_type == "integer":
        if abs(want) >= 10**15:  # beyond 15 significant digits: written as text
            return bool(raw == str(want))
        return isinstance(raw, int | float) and not isinstance(raw, bool) and raw == want
    assert col_type == "decimal"
    return isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw - want) <= 1e-9 * abs(want)


def _check_raw(path: Path, sheet: ReadSheet) -> int:
    """Compare plain cells with the read-back values, for the types a cell holds natively."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.name).to_python()
    header = [str(c) for c in grid[0]]
    assert header == sheet.columns
    types = {c.name: c.type for c in exported_columns(sheet)}
    checked = 0
    for row, cells in zip(sheet.rows, grid[1:], strict=True):
        for i, name in enumerate(header):
            if types[name] not in ("string", "boolean", "integer", "decimal"):
                continue
            raw = cells[i] if i < len(cells) else None
            assert _raw_agrees(types[name], row.values[name], raw), (
                f"{path.name} {sheet.name} row {row.row} {name}: cell {raw!r}, value {row.values[name]!r}")
            checked += 1
    return checked


def test_plain_cells_hold_text_as_text(books: tuple[Path, Path]) -> None:
    all_xlsx, detail_xlsx = books
    checked = sum(_check_raw(all_xlsx, s) for s in read(all_xlsx).sheets.values())
    checked += _check_raw(detail_xlsx, read(detail_xlsx).sheets["contacts"])
    assert checked > 100_000


# ---------------------------------------------------------------- the traps


def _column(sheet: ReadSheet, name: str) -> list[Any]:
    return [r.values[name] for r in sheet.rows]


def _cell(path: Path, sheet: str, column: str, row_id: int) -> Any:
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header = [str(c) for c in grid[0]]
    row = next(r for r in grid[1:] if r[header.index("id")] == row_id)
    return row[header.index(column)]


def test_tricky_seed_values_survive(books: tuple[Path, Path]) -> None:
    all_xlsx, detail_xlsx = books
    book = read(all_xlsx)
    contacts = book.sheets["contacts"]
    numbers = _column(contacts, "customerNumber")
    assert "0001" in numbers and "0002" in numbers
    assert sum(1 for n in numbers if isinstance(n, str) and len(n) > 1 and n.startswith("0")) > 100
    assert "556898-6787" in _column(contacts, "organizationalOrSocialSecurityNumber")
    assert "Åsa Öberg" in _column(contacts, "name") and "Björk & Söner AB" in _column(contacts, "name")
    extra = _column(contacts, "visitingAddress.additionalAddress")
    assert "" in extra and None in extra  # both kinds of empty, each kept
    articles = _column(book.sheets["articles"], "articleNumber")
    assert "0012" in articles and "00731" in articles and "12345678901234567" in articles
    active = _column(book.sheets["articles"], "isActive")
    assert True in active and False in active and all(isinstance(v, bool) for v in active)

    detail = read(detail_xlsx).sheets["contacts"]
    by_id = {r.values["id"]: r.values for r in detail.rows}
    assert by_id[1]["importantInformation"] == "=SUM(A1:A3)"
    assert by_id[2]["importantInformation"] == "-rabatt 10%\nRing efter kl 16."
    assert by_id[2]["cellPhoneNumber"] == "0707788994"
    info = _column(detail, "importantInformation")
    assert "+46 extra nummer: 0911-12345" in info and "@Anna: faktureras kvartalsvis" in info
    assert 'Kund sedan 1998; "viktig" kund.\r\nKontakta alltid Åsa först.' in info  # CRLF kept
    for name in ("email", "invoiceEmail", "phoneNumber", "importantInformation"):
        values = _column(detail, name)
        assert "" in values and None in values, name
    for name in ("isActive", "isCustomer", "isSupplier"):
        values = _column(detail, name)
        assert set(values) == {True, False} and all(type(v) is bool for v in values), name
    # The cells themselves: formula-like text is a literal string, not a formula (its result would differ).
    assert _cell(detail_xlsx, "contacts", "importantInformation", 1) == "=SUM(A1:A3)"
    assert _cell(detail_xlsx, "contacts", "cellPhoneNumber", 2) == "0707788994"
    assert _cell(all_xlsx, "contacts", "customerNumber", 1) == "0001"


# ---------------------------------------------------------------- the user promise


@pytest.mark.parametrize("which", ["all", "detail"])
def test_libreoffice_resaved_contacts_dry_run_all_unchanged(
    exported: Exported, resaved: Resaved, which: str,
) -> None:
    path = resaved.all_xlsx if which == "all" else resaved.detail_xlsx
    exported.srv.reset_stats()
    res = exported.run("import", str(path), "--sheet", "contacts", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": CONTACTS, "conflict": 0,
                                 "invalid": 0, "applied": 0, "failed": 0}
    assert {r["action"] for r in report["rows"]} == {"unchanged"}
    stats = exported.srv.stats()
    assert stats["GET"] == stats["total"] > 0  # a dry run reads only
