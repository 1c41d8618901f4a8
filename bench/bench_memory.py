"""Peak memory of an import against the decompressed size of the workbook, and the guard that bounds it.

Run: python bench/bench_memory.py [--rows 100000 200000] [--plan]

For each size a workbook another tool wrote (no export record, one sheet of the 18 contacts list columns,
short repetitive cells, so it compresses about 100x like the field-test file) is read in a fresh
process: check_input_file + load_source (the guard, calamine, typed rows), and with --plan also
the dry-run plan against the same records as live data (no HTTP). Printed per size: the
decompressed bytes of the zip, the peak RSS above the interpreter's baseline (ru_maxrss), that
peak as a multiple of the decompressed size, and the bytes per cell. The last lines say what the
default Limits let through at worst: max_cells cells at the measured bytes per cell.
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


def _child(path: str, plan: bool, q: Any) -> None:
    import pandera.pandas  # noqa: F401  (imported before the baseline, as the CLI does at start-up)

    from bulktool.plan.source import load_source
    from bulktool.workbook.guards import check_input_file

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    check_input_file(Path(path))
    src = load_source(Path(path), "blikk", "bench.invalid", sheet="contacts")
    rows = len(src.sheet.rows)
    if plan:
        from bench_support import PrefetchedConnector  # type: ignore[import-not-found]

        from bulktool.plan.planner import PlanOptions, make_plan

        live = [{"id": r.values["id"], "name": "x"} for r in src.sheet.rows]
        make_plan(PrefetchedConnector(live), src, PlanOptions())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    q.put((rows, peak - base, time.perf_counter() - t0))


def measure(path: Path, plan: bool) -> tuple[int, int, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(str(path), plan, q))
    p.start()
    got: tuple[int, int, float] = q.get()
    p.join()
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 200_000])
    ap.add_argument("--plan", action="store_true", help="also make the dry-run plan")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bulktool.workbook.guards import Limits

    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            path = Path(tmp) / "contacts.xlsx"
            cells = make_workbook(path, n)
            with zipfile.ZipFile(path) as zf:
                expanded = sum(i.file_size for i in zf.infolist())
            _, peak, secs = measure(path, args.plan)
            per_cell = peak / cells
            worst = max(worst, per_cell)
            what = "load_source + plan" if args.plan else "load_source"
            print(f"{n:,} rows x {COLUMNS} = {cells:,} cells: {path.stat().st_size / 2**20:.1f} MB on disk, "
                  f"{expanded / 2**20:.0f} MB decompressed; {what} peak {peak / 2**20:.0f} MB above baseline "
                  f"= {peak / expanded:.1f}x the decompressed size, {per_cell:.0f} bytes/cell ({secs:.1f} s)")
    limits = Limits()
    cap = getattr(limits, "max_cells", None)  # absent before the cell limit existed
    if cap:
        print(f"Limits: max_cells {cap:,} -> worst case about {cap * worst / 2**30:.2f} GB at {worst:.0f} "
              f"bytes/cell; max_uncompressed_bytes {limits.max_uncompressed_bytes / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
