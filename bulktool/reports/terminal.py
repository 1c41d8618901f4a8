"""The plain-text summary the CLI prints after a dry run or an apply (the CLI may colour it)."""

from __future__ import annotations

from collections import Counter

from ..plan.model import ImportResult, RowResult
from ._common import (
    NameIndex,
    action_of,
    clears,
    counts_text,
    estimate_text,
    name_of,
    notable_rows,
    plural,
    record_name,
    reference_names,
    short,
    skipped_groups,
)
from .companies import company_lines

INVALID_SUMMARY_THRESHOLD = 50  # more invalid-cell errors than this: summarise by column
_MAX_MESSAGES = 3


def render_summary(result: ImportResult, *, verbose_rows: int = 20) -> str:
    """Deterministic text: tests and users both read it, so no timestamps or colours."""
    lines = [_header(result), counts_text(result)]
    by_company = company_lines(result)
    if by_company:
        lines += ["By company:", *(f"  {line}" for line in by_company)]
    if result.applied:
        s = result.summary
        not_sent = f", not sent {result.not_sent:,} (interrupted)" if result.interrupted else ""
        lines.append(f"Applied {s.applied:,}, failed {s.failed:,}{not_sent}")
    estimate = estimate_text(result)
    lines.append(estimate[:1].upper() + estimate[1:])
    for message, rows in skipped_groups(result):
        lines.append(f"Skipped {plural(len(rows), 'row')}: {message}")
    lines.extend(f"Warning: {w}" for w in result.warnings)

    invalid_errors = sum(len(r.errors) for r in result.rows if action_of(r) == "invalid")
    by_column = invalid_errors > INVALID_SUMMARY_THRESHOLD
    if by_column:
        lines += ["", "Invalid rows by column:", *_invalid_by_column(result)]
    listed = notable_rows(result, exclude=(lambda r: action_of(r) == "invalid") if by_column else None)
    shown = max(verbose_rows, 0)
    if listed:
        lines += ["", "Details (problems first):"]
        names = reference_names(result)
        lines.extend(row_line(r, result.applied, names) for r in listed[:shown])
        if len(listed) > shown:
            lines.append(f"  ... and {len(listed) - shown:,} more")
    if result.journal and result.applied:
        lines.append(f"Journal: {result.journal}")
    if not listed and not by_column and all(action_of(r) == "unchanged" for r in result.rows):
        lines += ["", "Nothing to change: every row matches the server."]
    return "\n".join(lines) + "\n"


def _header(result: ImportResult) -> str:
    mode = "Applied" if result.applied else "Dry run"
    return f"{mode}: {result.endpoint} ({result.system}) from {result.source}, sheet {result.sheet}"


def row_line(r: RowResult, applied: bool, names: NameIndex | None = None) -> str:
    """One row as '  row 7  update  id 12: email 'a' -> 'b'', status appended after an apply."""
    action = action_of(r)
    head = f"  row {r.row}" + (f"  company {r.company}" if r.company is not None else "") + f"  {action}"
    if r.id is not None:
        head += f"  id {r.id}"
        label = record_name(r) if action == "delete" else None
        head += f" ({label})" if label else ""
    elif r.created_id is not None:
        head += f"  new id {r.created_id}"
    elif r.key is not None:
        head += f"  key {short(r.key)}"
    detail = _detail(r, action, names or {})
    line = f"{head}: {detail}" if detail else head
    if applied and r.status != "planned":
        failed = r.status in ("failed", "unknown") and r.message
        if r.status == "skipped" and r.message.startswith("not sent"):
            line += "  [not sent]"  # an interrupted apply: --resume sends it
        else:
            line += f"  [{r.status}: {r.message}]" if failed else f"  [{r.status}]"
    return line


def _detail(r: RowResult, action: str, names: NameIndex) -> str:
    if action == "invalid":
        return "; ".join(f"{e.column}: {e.message}" if e.column else e.message for e in r.errors)
    parts: list[str] = []
    for name, ch in r.changes.items():
        if ch.conflict:
            parts.append(
                f"{name}: you {short(ch.new)} / server {short(ch.server)} (exported {short(ch.exported)})"
            )
        elif action == "create":
            parts.append(f"{name} = {short(ch.new)}{name_of(names, name, ch.new)}")
        else:
            old, new = name_of(names, name, ch.old), name_of(names, name, ch.new)
            if clears(ch.old, ch.new):
                parts.append(f"{name} {short(ch.old)}{old} -> will clear")
            else:
                parts.append(f"{name} {short(ch.old)}{old} -> {short(ch.new)}{new}")
    if not parts and action == "conflict" and r.message:
        parts.append(r.message)  # e.g. the record no longer exists
    if not parts and action == "delete" and r.label and not record_name(r):
        parts.append(r.label)  # a record to delete that the sheet itself doesn't name
    parts += [f"note: {w}" for w in r.warnings]  # e.g. the server will assign a customerNumber
    return "; ".join(parts)


def _invalid_by_column(result: ImportResult) -> list[str]:
    rows_per: dict[str, set[int]] = {}
    messages: dict[str, Counter[str]] = {}
    for r in result.rows:
        if action_of(r) != "invalid":
            continue
        for e in r.errors:
            col = e.column or "(row)"
            rows_per.setdefault(col, set()).add(r.row)
            messages.setdefault(col, Counter())[e.message] += 1
    out = []
    for col in sorted(rows_per, key=lambda c: (-len(rows_per[c]), c)):
        n = len(rows_per[col])
        common = [m for m, _ in messages[col].most_common()]
        text = "; ".join(common[:_MAX_MESSAGES]) + ("; ..." if len(common) > _MAX_MESSAGES else "")
        out.append(f"  {col}: {plural(n, 'row')} ({text})")
    return out
