"""Workbook write/read throughput: 100k rows x 20 columns (prints timings, asserts nothing).

Run: python bench/bench_workbook.py [--rows 100000] [--csv]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bulktool.schema.model import Column
from bulktool.workbook import ExportMeta, SheetData, read_table, write_csv, write_xlsx

COLUMNS = [
    Column("id", "integer"),
    *(Column(f"text{i}", "string", write=f"text{i}") for i in range(8)),
    Column("customerNumber", "string", write="customerNumber"),
    Column("amount", "decimal", write="amount"),
    Column("count", "integer", write="count"),
    Column("active", "boolean", write="active"),
    Column("created", "datetime", read_only=True),
    Column("lastUpdated", "datetime", read_only=True),
    Column("startDate", "date", write="startDate"),
    Column("startTime", "time", write="startTime"),
    Column("tags.id", "int_list", write="tagIds"),
    Column("labels", "string_list", write="labels"),
    Column("city", "string", write="city", enum=("Piteå", "Luleå", "Umeå")),
]


def rows(n: int) -> Iterator[dict[str, Any]]:
    for i in range(1, n + 1):
        row: dict[str, Any] = {f"text{k}": f"Text {k} för rad {i} åäö" for k in range(8)}
        row.update({
            "id": i, "customerNumber": f"{i:06d}", "amount": i * 1.25, "count": i % 97, "active": i % 3 == 0,
            "created": f"2024-01-{i % 28 + 1:02d} 08:{i % 60:02d}:00 +00:00",
            "lastUpdated": None if i % 5 else "2024-05-01 12:00:00 +00:00",
            "startDate": f"2024-03-{i % 28 + 1:02d}", "startTime": f"{i % 24:02d}:30",
            "tags.id": [i % 7, i % 11], "labels": ["a", "b"] if i % 2 else [], "city": "Piteå",
        })
        yield row


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--csv", action="store_true", help="also time CSV")
    args = ap.parse_args()
    meta = ExportMeta(system="bench", host="localhost", exported_at="2024-05-01 12:00:00 +00:00",
                      bulktool_version="bench")
    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        formats = [".xlsx", ".csv"] if args.csv else [".xlsx"]
        for suffix in formats:
            path = Path(tmp) / f"bench{suffix}"
            sheet = SheetData("bench", COLUMNS, rows(n), "id")
            t0 = time.perf_counter()
            if suffix == ".xlsx":
                write_xlsx(path, [sheet], meta)
            else:
                write_csv(path, sheet, meta)
            w = time.perf_counter() - t0
            size = path.stat().st_size / 1e6
            print(f"write {suffix}: {n:,} rows x {len(COLUMNS)} cols in {w:.2f} s "
                  f"({n / w:,.0f} rows/s), {size:.1f} MB, peak RSS {peak_mb():.0f} MB")
            t0 = time.perf_counter()
            book = read_table(path)
            r = time.perf_counter() - t0
            got = len(next(iter(book.sheets.values())).rows)
            del book
            print(f"read  {suffix}: {got:,} rows in {r:.2f} s ({got / r:,.0f} rows/s), "
                  f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
