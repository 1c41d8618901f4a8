"""One self-contained HTML file: inline CSS, a tiny optional filter script, every value escaped.

A Content-Security-Policy with the script's hash means that even a value that slipped past escaping
could not run; the page works without JavaScript.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

from ..plan.model import CellError, FieldChange, ImportResult, RowResult
from ._common import (
    NameIndex,
    action_of,
    atomic_write,
    clears,
    counts_text,
    estimate_text,
    list_text,
    name_of,
    notable_rows,
    record_name,
    reference_names,
    row_ranges,
    skipped_groups,
)
from .companies import company_lines

MAX_DETAIL_ROWS = 5_000
WILL_CLEAR = '<span class="null">will clear</span>'
MAX_VALUE_CHARS = 300

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .5em}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:0 0 1em}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.warn{background:#fff4ce;border-left:4px solid #e0a800;padding:.4em .8em;margin:.3em 0}
.counts span{display:inline-block;margin:0 .4em .4em 0}
.badge{border-radius:3px;padding:.1em .5em;font-size:.9em;font-weight:600;background:#eee}
.create{background:#c6efce}.update{background:#ffff9e}.delete{background:#e0c3f0}
.conflict{background:#ffc000}.invalid,.failed,.unknown{background:#ff8080}.applied{background:#c6efce}
table.rows{border-collapse:collapse;width:100%}
table.rows>tbody>tr>td,table.rows>thead>tr>th{border-bottom:1px solid #ddd;padding:.3em .5em;
vertical-align:top;text-align:left}
table.chg{border-collapse:collapse;margin:.2em 0}
table.chg td,table.chg th{border:1px solid #e3e3e3;padding:.1em .4em;text-align:left;white-space:pre-wrap}
.null{color:#999;font-style:italic}ul.err{color:#b00020;margin:.2em 0;padding-left:1.2em}
.msg{margin:.2em 0;color:#444}input#q{margin:.5em 0;padding:.3em;width:20em}
"""

_JS = (
    "document.getElementById('q').addEventListener('input',function(){"
    "var q=this.value.toLowerCase();"
    "document.querySelectorAll('tr.r').forEach(function(t){"
    "t.hidden=q.length>0&&t.textContent.toLowerCase().indexOf(q)<0;});});"
)


def write_html_report(result: ImportResult, path: str | Path, *, max_rows: int = MAX_DETAIL_ROWS) -> None:
    text = render_html(result, max_rows=max_rows)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def render_html(result: ImportResult, *, max_rows: int = MAX_DETAIL_ROWS) -> str:
    mode = "Applied" if result.applied else "Dry run"
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">',
        f"<title>{escape(f'{mode}: {result.endpoint} - bulktool import report')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(f'{mode}: {result.endpoint}')}</h1>",
        _meta(result),
    ]
    out += [f'<p class="warn">{escape(w)}</p>' for w in result.warnings]
    out.append(_counts(result))
    rows = notable_rows(result)
    if rows:
        out.append('<input id="q" type="search" placeholder="Filter rows (needs JavaScript)" '
                   'aria-label="Filter">')
        out.append('<table class="rows"><thead><tr><th>Row</th><th>Id / key</th><th>Action</th>'
                   "<th>Status</th><th>Details</th></tr></thead><tbody>")
        names = reference_names(result)
        out += [_row(r, names) for r in rows[:max_rows]]
        out.append("</tbody></table>")
        if len(rows) > max_rows:
            out.append(f'<p class="msg">... and {len(rows) - max_rows:,} more changed or failed rows '
                       "not listed here; the xlsx and JSON reports have every row.</p>")
    out.append(_unchanged(result))
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def _meta(result: ImportResult) -> str:
    items = [("System", result.system), ("Endpoint", result.endpoint), ("File", result.source),
             ("Sheet", result.sheet), ("Rows", counts_text(result)),
             ("Write requests", estimate_text(result))]
    items += [("Company", line) for line in company_lines(result)]
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    return f'<dl class="meta">{body}</dl>'


def _counts(result: ImportResult) -> str:
    s = result.summary.to_json()
    keys = ["create", "update", "delete", "unchanged", "conflict", "invalid"]
    if result.applied:
        keys += ["applied", "failed"]
    spans = "".join(f'<span class="badge {k}">{k} {s[k]:,}</span>' for k in keys)
    return f'<div class="counts">{spans}</div>'


def _value(v: Any) -> str:
    if v is None:
        return '<span class="null">empty</span>'
    if v == "":
        return '<span class="null">""</span>'
    if v == []:
        return '<span class="null">empty list</span>'
    if isinstance(v, bool):
        text = "TRUE" if v else "FALSE"
    elif isinstance(v, str):
        text = v
    elif isinstance(v, list):
        text = list_text(v)
    elif isinstance(v, dict):
        text = json.dumps(v, ensure_ascii=False, default=str)
    else:
        text = str(v)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return escape(text)


def _row(r: RowResult, names: NameIndex) -> str:
    action = action_of(r)
    ident = []
    if r.id is not None:
        deleted = record_name(r) if action == "delete" else None
        ident.append(f"id {r.id}" + (f" ({deleted})" if deleted else ""))
    elif r.created_id is not None:
        ident.append(f"new id {r.created_id}")
    if r.key is not None:
        ident.append(f"key {r.key}")
    status = r.status
    cells = [
        str(r.row),
        escape(", ".join(ident)),
        f'<span class="badge {escape(action)}">{escape(action)}</span>',
        f'<span class="badge {escape(status)}">{escape(status)}</span>',
        _details(r, action, names),
    ]
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr class="r {escape(action)}-row">{tds}</tr>'


def _details(r: RowResult, action: str, names: NameIndex) -> str:
    plain = {k: ch for k, ch in r.changes.items() if not ch.conflict}
    conflicts = {k: ch for k, ch in r.changes.items() if ch.conflict}
    parts: list[str] = []
    if plain:
        parts.append(_change_table(plain, names, create=action == "create"))
    if conflicts:
        rows = "".join(
            f"<tr><td>{escape(k)}</td><td>{_value(ch.exported)}</td><td>{_value(ch.server)}</td>"
            f"<td>{_value(ch.new)}</td></tr>"
            for k, ch in conflicts.items()
        )
        parts.append('<table class="chg"><tr><th>Field</th><th>Exported</th><th>Server now</th>'
                     f"<th>Yours</th></tr>{rows}</table>")
    if r.errors:
        parts.append(f'<ul class="err">{"".join(_error(r, e) for e in r.errors)}</ul>')
    notes = [r.message] if r.message else []
    if r.created_id is not None and str(r.created_id) not in r.message:
        notes.append(f"created id {r.created_id}")
    notes += r.warnings
    parts += [f'<p class="msg">{escape(n)}</p>' for n in notes]
    return "".join(parts)


def _error(r: RowResult, e: CellError) -> str:
    if not e.column:
        return f"<li>{escape(e.message)}</li>"
    cell = f" (cell: {_value(r.values[e.column])})" if e.column in r.values else ""
    return f"<li><b>{escape(e.column)}</b>: {escape(e.message)}{cell}</li>"


def _named(names: NameIndex, column: str, value: Any) -> str:
    """The value, and the referenced record's name beside an id when the sheet knows it."""
    return _value(value) + escape(name_of(names, column, value))


def _change_table(changes: dict[str, FieldChange], names: NameIndex, *, create: bool) -> str:
    if create:
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{_named(names, k, ch.new)}</td></tr>"
                       for k, ch in changes.items())
        return f'<table class="chg"><tr><th>Field</th><th>Value</th></tr>{rows}</table>'
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{_named(names, k, ch.old)}</td><td>&rarr;</td>"
        f"<td>{WILL_CLEAR if clears(ch.old, ch.new) else _named(names, k, ch.new)}</td></tr>"
        for k, ch in changes.items()
    )
    return f'<table class="chg"><tr><th>Field</th><th>Old</th><th></th><th>New</th></tr>{rows}</table>'


def _unchanged(result: ImportResult) -> str:
    unchanged = [r.row for r in result.rows if action_of(r) == "unchanged"]
    if not unchanged:
        return ""
    noun = "row" if len(unchanged) == 1 else "rows"
    inner = [f"<p>Rows {escape(row_ranges(unchanged))}</p>"]
    for message, rows in skipped_groups(result):
        inner.append(f'<p class="msg">Skipped {len(rows):,}: {escape(message)} '
                     f"(rows {escape(row_ranges(rows))})</p>")
    return f"<details><summary>{len(unchanged):,} unchanged {noun}</summary>{''.join(inner)}</details>"
