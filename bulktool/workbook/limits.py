"""What an input file may hold, and the magic bytes that tell a workbook from text: shared by the
dispatch (``guards``) and the workbook-container checks (``zip_guards``)."""

from __future__ import annotations

from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """What an input may hold. Memory grows with cells, not bytes: a dry run peaks at 230-310 bytes
    a cell above the interpreter (bench/bench_memory.py), so ``max_cells`` keeps the worst case near
    1.2 GB; ``max_uncompressed_bytes`` bounds sheets of long texts."""

    max_file_bytes: int = 200 * 2**20
    max_uncompressed_bytes: int = 512 * 2**20
    max_ratio: int = 200
    max_rows: int = 1_000_000
    max_entries: int = 10_000
    max_cells: int = 4_000_000  # e.g. 200,000 rows x 20 columns


def mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def too_many_cells(name: str, what: str, limits: Limits) -> str:
    return (f"{name}: {what} (limit {limits.max_cells:,}: an import needs about 300 bytes of "
            "memory a cell); split the file or remove columns you don't import")
