"""Cell writing shared by the xlsx report and the undo workbook: values keep their types on a round trip."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..datetimes import format_instant

# Above 15 digits Excel silently rounds numbers; such ids must stay text.
MAX_EXACT_INT = 10**15 - 1
MAX_COMMENT_CHARS = 2000

WORKBOOK_OPTIONS: dict[str, Any] = {
    # Cell text is data, never something Excel should interpret: '=x' stays the string '=x'.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def new_workbook(path: str) -> Workbook:
    return Workbook(path, WORKBOOK_OPTIONS)


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """Numbers as numbers, everything else as literal text; API-form dates stay 'YYYY-MM-DD' text."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int):
        if abs(value) <= MAX_EXACT_INT:
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, float) and math.isfinite(value):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_string(row, col, _text(value), fmt)


def write_id(ws: Worksheet, row: int, col: int, value: str | int, fmt: Format | None = None) -> None:
    """Ids given as text: plain short digit strings go in as numbers, like an export writes them."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 15 and (value == "0" or value[0] != "0"):
        ws.write_number(row, col, int(value), fmt)
    else:
        write_value(ws, row, col, value, fmt)


def comment(ws: Worksheet, row: int, col: int, text: str) -> None:
    if len(text) > MAX_COMMENT_CHARS:
        text = text[: MAX_COMMENT_CHARS - 3] + "..."
    ws.write_comment(row, col, text, {"author": "bulktool", "x_scale": 2, "y_scale": 1.5})


def column_widths(header: list[str], sample: list[list[Any]]) -> list[float]:
    """Widths from the header and a sample of rows: cheap even for 100k rows."""
    widths = [float(len(h)) + 2 for h in header]
    for values in sample:
        for i, v in enumerate(values):
            if v is not None:
                widths[i] = max(widths[i], float(len(_text(v))) + 1)
    return [min(max(w, 8.0), 60.0) for w in widths]
