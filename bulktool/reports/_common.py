"""Helpers every report shares, so the terminal, xlsx and HTML views agree on wording and order."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..plan.model import ImportResult, RowResult, display_name

FAILED_STATUSES = ("failed", "unknown")


def action_of(r: RowResult) -> str:
    """'skip' is planner-internal; every report calls it unchanged, like ``RowResult.to_json``."""
    return "unchanged" if r.action == "skip" else r.action


def is_skipped(r: RowResult) -> bool:
    """Rows left alone on purpose (skip action, update-only mode...): unchanged but worth a mention."""
    return r.action == "skip" or (r.action == "unchanged" and r.status == "skipped")


def skip_reason(r: RowResult) -> str:
    return r.message or ("action column says skip" if r.action == "skip" else "skipped")


def result_label(r: RowResult, applied: bool) -> str:
    """One word per row: what happened after apply, else what is planned."""
    if applied and r.status in ("applied", *FAILED_STATUSES):
        return r.status
    if is_skipped(r):
        return "skipped"
    return action_of(r)


def priority(r: RowResult) -> int:
    """Failures first, then rows that block an apply, then plain changes."""
    if r.status in FAILED_STATUSES:
        return 0
    if action_of(r) in ("invalid", "conflict"):
        return 1
    return 2


def notable_rows(result: ImportResult, exclude: Callable[[RowResult], bool] | None = None) -> list[RowResult]:
    """Rows that are not unchanged, problems first, otherwise in row order (sort is stable)."""
    rows = [r for r in result.rows if action_of(r) != "unchanged" and not (exclude and exclude(r))]
    return sorted(rows, key=priority)


def skipped_groups(result: ImportResult) -> list[tuple[str, list[int]]]:
    """Skipped rows grouped by their message, largest group first."""
    groups: dict[str, list[int]] = {}
    for r in result.rows:
        if is_skipped(r):
            groups.setdefault(skip_reason(r), []).append(r.row)
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


def short(value: Any, limit: int = 60) -> str:
    """repr-like (quotes show where text begins and ends) but one line and at most ``limit`` chars."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        return repr(text)
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clears(old: Any, new: Any) -> bool:
    """Whether an update empties a field that has a value: the reports say "will clear", not "-> None"
    (the body sends null or the empty value, whichever the API takes; either clears the field)."""
    return new in (None, "", []) and old not in (None, "", [])


def plain(value: Any) -> str:
    """Human text for comments and messages: no quotes, '(empty)' for nothing, lists as the export writes them."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return list_text(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def list_text(value: list[Any]) -> str:
    """A list the way the export writes it: '1, 2' for ids, 'a, b' (JSON only when needed) for text."""
    from ..workbook.render import render

    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return str(render("int_list", value))
    if all(isinstance(v, str) for v in value):
        return str(render("string_list", value))
    return json.dumps(value, ensure_ascii=False, default=str)


# ---------------------------------------------------------------- names beside ids

NAME_SUFFIXES = (".name", ".title")
NameIndex = dict[tuple[str, str], str]


def reference_names(result: ImportResult) -> NameIndex:
    """(reference, id) -> name from the sheet's own ``x.name`` columns: no request per row.

    A row whose ``x.id`` changed still holds the exported name, so that name belongs to the old id.
    """
    names: NameIndex = {}
    # Only references some row changes need names: a 100k-row sheet with no such change costs nothing.
    wanted = {col[: -len(".id")] for r in result.rows if r.changes for col in r.changes if col.endswith(".id")}
    if not wanted:
        return names
    for r in result.rows:
        values = r.values
        for prefix in wanted:
            col = prefix + ".id"
            if col not in values:
                continue
            label = next((values[prefix + s] for s in NAME_SUFFIXES if values.get(prefix + s)), None)
            if label is None:
                continue
            ch = r.changes.get(col)
            ids = ch.old if ch is not None and action_of(r) != "create" else values[col]
            _pair(names, prefix, ids, label)
    return names


def _pair(names: NameIndex, prefix: str, ids: Any, label: Any) -> None:
    if isinstance(ids, list) and isinstance(label, list) and len(ids) == len(label):
        for i, n in zip(ids, label, strict=True):
            _pair(names, prefix, i, n)
    elif isinstance(ids, int | str) and not isinstance(ids, bool) and isinstance(label, str) and label.strip():
        names.setdefault((prefix, str(ids)), label.strip())


def name_of(names: NameIndex, column: str, value: Any) -> str:
    """' (Jonas Lindberg)' for a reference id whose name is known, '' otherwise (lists: every name or none)."""
    if not column.endswith(".id") or value is None:
        return ""
    prefix = column[: -len(".id")]
    if isinstance(value, list):
        found = [names.get((prefix, str(v))) for v in value]
        return f" ({', '.join(n for n in found if n)})" if value and all(found) else ""
    got = names.get((prefix, str(value)))
    return f" ({got})" if got else ""


def record_name(r: RowResult) -> str | None:
    """The record's own name as the sheet shows it."""
    return display_name(r.values)


def duration(seconds: float) -> str:
    """'about 2 min 5 s': whole seconds, rounded up so the estimate never undersells the wait."""
    if seconds <= 0:
        return "no time"
    total = math.ceil(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        parts = [f"{h} h"] + ([f"{m} min"] if m else [])
    elif m:
        parts = [f"{m} min"] + ([f"{s} s"] if s else [])
    else:
        parts = [f"{s} s"]
    return "about " + " ".join(parts)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 row', '2 rows', '1,000 rows'."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def estimate_text(result: ImportResult) -> str:
    if not result.write_requests:
        return "no write requests"
    n = result.write_requests
    if result.applied:
        return f"{plural(n, 'write request')} sent"
    rate = f"{result.rate_per_second:.3g} requests/s"
    # The apply plans again first: its list and detail reads take their turn under the same rate limit.
    reads = f" (+ {plural(result.read_requests, 'read')})" if result.read_requests else ""
    batches = result.write_batches
    head = plural(n, "write request") if batches in (None, n) else \
        f"{plural(n, 'write')} in {plural(batches or 0, 'request')}"
    return f"{head}{reads}, estimated apply time {duration(result.estimated_seconds)} at {rate}"


def counts_text(result: ImportResult) -> str:
    s = result.summary.to_json()
    actions = ("create", "update", "delete", "unchanged", "conflict", "invalid")
    parts = ", ".join(f"{a} {s[a]:,}" for a in actions)
    return f"{plural(len(result.rows), 'row')}: {parts}"


def row_ranges(rows: Iterable[int], limit: int = 200) -> str:
    """'2-5, 9, 12-40': compact enough to name 100k row numbers."""
    ordered = sorted(set(rows))
    spans: list[tuple[int, int]] = []
    for n in ordered:
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    text = [f"{a:,}" if a == b else f"{a:,}-{b:,}" for a, b in spans[:limit]]
    more = f" and {len(spans) - limit:,} more ranges" if len(spans) > limit else ""
    return ", ".join(text) + more


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Write to a temp file next to ``path`` then rename, so a crash never leaves half a report."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"Cannot write {target}: folder {parent} does not exist")
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: it is a directory")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
