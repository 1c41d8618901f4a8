"""Peak memory of an import against the decompressed size of the workbook, and the guard that bounds it.

Run: python bench/bench_memory.py [--rows 100000 250000] [--plan]
     python bench/bench_memory.py --dense 1000000 [--no-guard]      # the field-test shape: 10M cells
     python bench/bench_memory.py --dense 45000 --text 1000          # long texts, ~400 MB decompressed

Default: a workbook another tool wrote (no export record, one sheet of the 18 contacts list
columns, short cells). --dense: 10 columns of shared strings written directly, ~34 bytes of XML a
cell, as the field-test file (2.6 MB expanding to 300 MB). Each is read in a fresh process:
check_input_file + load_source (the guard, calamine, typed rows), and with --plan also the
dry-run plan against the same records as live data (no HTTP). Printed per file: the decompressed
bytes of the zip, the peak RSS above the interpreter's baseline (ru_maxrss), that peak as a
multiple of the decompressed size, and the bytes per cell; or the guard's refusal. The last line
says what the default Limits let through at worst: max_cells cells at the measured bytes per cell.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

COLUMNS = 18  # the contacts list columns


def make_workbook(path: Path, rows: int) -> int:
    """A foreign contacts sheet of ``rows`` x 18 columns; returns the number of cells."""
    import xlsxwriter

    from bulktool.schema import get_endpoint

    cols = [c for c in get_endpoint("blikk", "contacts").columns if c.in_list][:COLUMNS]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("contacts")
    ws.write_row(0, 0, [c.name for c in cols])
    for r in range(1, rows + 1):
        for c, col in enumerate(cols):
            if col.type in ("integer", "decimal"):
                ws.write_number(r, c, r if col.name == "id" else 1)
            elif col.type == "boolean":
                ws.write_boolean(r, c, True)
            elif col.name == "customerNumber":
                ws.write_string(r, c, f"{r:06d}")
            elif col.name == "contactType":
                ws.write_string(r, c, "company")
            else:
                ws.write_string(r, c, "Umeå")
    wb.close()
    return rows * len(cols)


_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.'
    'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="contacts" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
    'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>',
}
DENSE_COLUMNS = ["id", "name", "customerNumber", "contactType", "phone", "email", "city", "postalCode",
                 "streetAddress", "note"]


def make_dense(path: Path, rows: int, text: int = 0) -> int:
    """Like the field-test file: 10 columns of shared strings, about 30 bytes of XML a cell.

    With ``text``: 9 columns of inline text of that many characters, unique per row, instead (what
    bounds memory there is max_uncompressed_bytes). Written directly (xlsxwriter takes minutes for
    10M cells); returns the number of cells.
    """
    letters = "ABCDEFGHIJ"
    strings = [*DENSE_COLUMNS, "Umeå", "company"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in _PARTS.items():
            zf.writestr(name, part)
        zf.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                    'openxmlformats.org/spreadsheetml/2006/main">' + "".join(f"<si><t>{t}</t></si>" for t in strings)
                    + "</sst>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><dimension ref="A1:J' + str(rows + 1).encode() + b'"/><sheetData>')
            head = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate(letters))
            fh.write(f'<row r="1">{head}</row>'.encode())
            for start in range(2, rows + 2, 10_000):
                chunk = []
                for r in range(start, min(start + 10_000, rows + 2)):
                    if text:
                        body = (f"{r:08d} " * (text // 9 + 1))[:text]
                        cells = f'<c r="A{r}"><v>{r}</v></c>' + "".join(
                            f'<c r="{c}{r}" t="inlineStr"><is><t>{body}</t></is></c>' for c in letters[1:])
                    else:
                        cells = f'<c r="A{r}"><v>{r}</v></c>' + "".join(
                            f'<c r="{c}{r}" t="s"><v>{10 + (k % 2)}</v></c>' for k, c in enumerate(letters[1:]))
                    chunk.append(f'<row r="{r}">{cells}</row>')
                fh.write("".join(chunk).encode())
            fh.write(b"</sheetData></worksheet>")
    return (rows + 1) * len(letters)


def _child(path: str, plan: bool, guard: bool, q: Any) -> None:
    import pandera.pandas  # noqa: F401  (imported before the baseline, as the CLI does at start-up)

    from bulktool.errors import WorkbookError
    from bulktool.plan import source
    from bulktool.workbook.guards import check_input_file

    if not guard:  # measure what the guard would have refused
        source.check_input_file = lambda p: "xlsx"  # type: ignore[assignment]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    try:
        if guard:
            check_input_file(Path(path))
        src = source.load_source(Path(path), "blikk", "bench.invalid", sheet="contacts")
        if plan:
            from bench_support import PrefetchedConnector  # type: ignore[import-not-found]

            from bulktool.plan.planner import PlanOptions, make_plan

            live = [{"id": r.values["id"], "name": "x"} for r in src.sheet.rows]
            make_plan(PrefetchedConnector(live), src, PlanOptions())
        refused = None
    except WorkbookError as exc:
        refused = str(exc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    q.put((refused, peak - base, time.perf_counter() - t0))


def measure(path: Path, plan: bool, guard: bool = True) -> tuple[str | None, int, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(str(path), plan, guard, q))
    p.start()
    got: tuple[str | None, int, float] = q.get()
    p.join()
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 200_000])
    ap.add_argument("--plan", action="store_true", help="also make the dry-run plan")
    ap.add_argument("--dense", type=int, metavar="ROWS",
                    help="instead: one 10-column shared-string sheet of ROWS rows, like the field-test file")
    ap.add_argument("--text", type=int, default=0, metavar="CHARS",
                    help="with --dense: cells of CHARS characters of unique text instead of shared strings")
    ap.add_argument("--no-guard", action="store_true", help="read even what the input limits refuse")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bulktool.workbook.guards import Limits

    worst = 0.0  # bytes a cell
    with tempfile.TemporaryDirectory() as tmp:
        for n in [args.dense] if args.dense else args.rows:
            path = Path(tmp) / "contacts.xlsx"
            cells = make_dense(path, n, args.text) if args.dense else make_workbook(path, n)
            with zipfile.ZipFile(path) as zf:
                expanded = sum(i.file_size for i in zf.infolist())
            refused, peak, secs = measure(path, args.plan, guard=not args.no_guard)
            if refused:
                print(f"{n:,} rows: {expanded / 2**20:.0f} MB decompressed; refused by the input guard in {secs:.1f} s "
                      f"with {peak / 2**20:.0f} MB above baseline: {refused}")
                continue
            per_cell = peak / cells
            worst = max(worst, per_cell)
            what = "load_source + plan" if args.plan else "load_source"
            width = 10 if args.dense else COLUMNS
            print(f"{n:,} rows x {width} = {cells:,} cells: {path.stat().st_size / 2**20:.1f} MB on disk, "
                  f"{expanded / 2**20:.0f} MB decompressed; {what} peak {peak / 2**20:.0f} MB above baseline "
                  f"= {peak / expanded:.1f}x the decompressed size, {per_cell:.0f} bytes/cell ({secs:.1f} s)")
    limits = Limits()
    cap = getattr(limits, "max_cells", None)  # absent before the cell limit existed
    if cap and worst and not args.text:  # long texts are bounded by bytes, not cells
        print(f"Limits: max_cells {cap:,} -> worst case about {cap * worst / 2**30:.2f} GB at {worst:.0f} "
              f"bytes/cell; max_uncompressed_bytes {limits.max_uncompressed_bytes / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
