"""A suggested mapping as the commented TOML file the user edits and reuses (the mapping file format).

Every field line carries its confidence and why; a guess below ``CONFIDENT`` is written commented out,
so the file imports only what was recognised until the user says otherwise. Required fields nothing
fills are TODO comments where the user would add them, with the allowed values when there is a list.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from .suggest import CONFIDENT, FieldSuggestion, Suggestion

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else _str(k)


def _str(v: str) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _value(s: FieldSuggestion) -> str:
    if s.join:
        return f"{{ join = [{', '.join(_str(p) for p in s.join)}], sep = \" \" }}"
    items = [f"from = {_str(s.source)}"]
    if s.part:
        items.append(f"part = \"{s.part}\"")
    if s.pattern:
        items.append(f"pattern = '{s.pattern}'")  # a literal string: the regex's backslashes stay as written
    if s.values:
        items.append(f"values = {{ {', '.join(f'{_str(k)} = {_str(v)}' for k, v in s.values)} }}")
    return _str(s.source) if len(items) == 1 else f"{{ {', '.join(items)} }}"


def _line(s: FieldSuggestion) -> str:
    text = f"{_key(s.field)} = {_value(s)}"
    comment = f"# {s.confidence:.2f}: {s.reason}".replace("\n", " ")
    if s.confidence < CONFIDENT:
        return f"# {text}  {comment} (unsure: check it, then remove the leading '# ')"
    return f"{text}  {comment}"


def _date_lines(s: Suggestion) -> list[str]:
    """A date form only the file's writer knows is written out; ISO dates need none."""
    cols = ", ".join(repr(c) for c in s.date_columns)
    if not s.date_formats or s.date_formats[0] == "%Y-%m-%d":
        return []
    if len(s.date_formats) == 1:
        return [f"date_format = {_str(s.date_formats[0])}  # every date in {cols} reads so"]
    forms = " or ".join(s.date_formats)
    return [f"# date_format = {_str(s.date_formats[0])}  # TODO the dates in {cols} read as {forms}: "
            "uncomment the right one (--date-format overrides)"]


def to_toml(s: Suggestion, *, file_name: str, today: date | None = None) -> str:
    """The mapping file for ``s``; loads with tomllib and reads as the mapping loader expects."""
    day = (today or datetime.now(UTC).date()).isoformat()
    out = [
        f"# bulktool mapping suggested for {file_name!r} -> {s.system} {s.endpoint} ({day})",
        "# Each line says how sure the suggestion is (0..1) and why; lines below "
        f"{CONFIDENT} are commented out.",
        "# Edit it, then: bulktool import FILE --map THIS.toml; reuse it for the next file of the same kind.",
        f"endpoint = {_str(s.endpoint)}",
    ]
    if s.encoding:
        out.append(f"# encoding = {_str(s.encoding)}  # detected in {file_name!r}; uncomment to force it")
    if s.separator:
        out.append(f"# separator = {_str(s.separator)}  # detected in {file_name!r}; uncomment to force it")
    out += _date_lines(s)
    out.append("")
    if s.unmapped:
        out += ["# Columns nothing was matched to: skipped without a warning. Move one under [fields] to import it.",
                f"skip = [{', '.join(_str(h) for h in s.unmapped)}]", ""]
    else:
        out += ["# Every column of the file is mapped below.", "skip = []", ""]
    out.append("[set]  # constants for every row: field = \"value\" (the import's --set FIELD=VALUE overrides)")
    for name in s.missing:
        allowed = s.enums.get(name)
        hint = f" (one of: {', '.join(allowed)})" if allowed else ""
        out.append(f"# TODO {_key(name)} = ...  # required by {s.endpoint}, nothing in the file maps to it{hint}:"
                   " set it here or map a column under [fields]")
    out += ["", "[fields]  # template field = the file's column"]
    out += [_line(f) for f in s.fields]
    return "\n".join(out) + "\n"
