"""Checks on the shape of a read sheet: title rows above the header, text cut at the cell limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import WorkbookError

TITLE_SCAN_ROWS = 10  # how far below row 1 a header pushed down by title rows is looked for


def truncated_edit_message(length: int, limit: int) -> str:
    return f"cut on export ({limit:,} of {length:,} characters): editing it would save the cut text"


def flag_full_cells(values: Sequence[Any], errors: dict[int, str], limit: int) -> None:
    """Text of exactly ``limit`` characters that the export record did not restore was most likely cut."""
    try:  # the usual column holds nothing that long: settled in C, without a Python step per cell
        if max(map(len, filter(None, values)), default=0) < limit:
            return
    except TypeError:  # a value without a length (a number in a text column): look cell by cell
        pass
    for k in [k for k, v in enumerate(values) if v.__class__ is str and len(v) == limit]:
        errors.setdefault(k, f"exactly {limit:,} characters, the most a cell holds: probably cut, so importing "
                             "it would save the cut text")


def refuse_title_rows(
    sheet: str, header: list[tuple[int, str]], rows: Sequence[Sequence[Any]], numbers: Sequence[int],
    columns: Iterable[str],
) -> None:
    """A title ("Kundlista 2026") above the column names makes every name unknown: say which row is the header.

    ``columns``: the names the sheet should have (the template's, or the export record's).
    """
    known = {c.casefold() for c in columns}
    if not header or any(n.casefold() in known for _, n in header):
        return
    for number, cells in zip(numbers, rows, strict=False):
        hits = [str(c).strip() for c in cells if isinstance(c, str) and c.strip().casefold() in known]
        if len(hits) >= min(2, len(known)):
            title = " ".join(n for _, n in header)
            shown = ", ".join(hits[:4]) + (", ..." if len(hits) > 4 else "")
            raise WorkbookError(
                f"Sheet {sheet!r} has {title[:60]!r} in row 1, not column names; row {number} looks like the "
                f"header ({shown}): delete the rows above it so that the column names are in row 1"
            )
