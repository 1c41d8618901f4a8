"""The hidden ``_bulktool`` sheet's rows: the export record packed into batches and read back (layout in
``workbook.meta``). Apart from the record's values (``meta``) because reading it back is its own job: damage
per batch, format 1 rows, JSON parsed in bulk."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import WorkbookError
from .meta import CHUNK, ExportMeta, RecordEntry, content_hash, record_id, sha256_text


def split_text(text: str, size: int = CHUNK) -> list[str]:
    """Cut into cell-sized pieces, counting UTF-16 units (emoji take two)."""
    if len(text) <= size // 2:
        return [text]
    out: list[str] = []
    i = 0
    while i < len(text):
        j = min(len(text), i + size)
        while len(text[i:j].encode("utf-16-le")) // 2 > size:
            j = i + (j - i) // 2
        out.append(text[i:j])
        i = j
    return out or [""]


def batch_cells(entries: Sequence[RecordEntry]) -> list[str]:
    """One record-sheet row for entries of one sheet that share their columns (format 2)."""
    columns = list(entries[0].values)
    rows = [[e.id, e.last_updated, [e.values[c] for c in columns]] for e in entries]
    payload = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False, separators=(",", ":"),
                         default=str)
    return [entries[0].sheet, entries[0].id, sha256_text(payload), str(len(entries)), *split_text(payload)]


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return record_id(cell) or ""
    return str(cell)


_BAD = object()  # a text that is not valid JSON


def _loads_each(texts: Sequence[str]) -> list[Any]:
    """Parse each text on its own; ``_BAD`` for invalid JSON."""
    out: list[Any] = []
    for text in texts:
        try:
            out.append(json.loads(text))
        except ValueError:
            out.append(_BAD)
    return out


def _loads_joined(texts: Sequence[str]) -> list[Any] | None:
    """All texts as one JSON array, if that gives one item per text (else None: parse them one by one)."""
    try:
        parsed = json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) and len(parsed) == len(texts) else None


def _loads_objects(texts: Sequence[str]) -> list[Any]:
    """Parse many JSON objects in one pass; ``_BAD`` for invalid ones.

    One ``json.loads`` of a joined array is faster than 100k calls and makes the
    parser share one string object per key across all entries. It is taken only
    when every text looks like one object and the array has one item per text;
    otherwise each text is parsed on its own, so a damaged entry costs itself only.
    """
    if not texts:
        return []
    if all(t[:1] == "{" and t[-1:] == "}" for t in texts) and (parsed := _loads_joined(texts)) is not None:
        return parsed
    keys: dict[str, str] = {}
    return [
        {keys.setdefault(k, k): v for k, v in got.items()} if isinstance(got, dict) else got
        for got in _loads_each(texts)
    ]


def _loads_stamps(texts: Sequence[str]) -> list[Any]:
    """Change stamps are plain JSON strings: parsed in one pass when each is one unambiguous string."""
    if all(t[:1] == '"' and t[-1:] == '"' and t.count('"') == 2 and "\\" not in t for t in texts) and (
            parsed := _loads_joined(texts)) is not None:
        return parsed
    return _loads_each(texts)


def _format(head: str) -> int:
    try:
        value = json.loads(head).get("format", 1)
    except (ValueError, AttributeError):
        return 1
    return value if isinstance(value, int) else 1


def _unpack_batch(payload: str) -> list[tuple[str, Any, dict[str, Any]]] | None:
    """[(id, last_updated, values)], or None when the batch is not what ``batch_cells`` writes."""
    try:
        data = json.loads(payload)
        columns = data["columns"]
        return [(str(rid), last, dict(zip(columns, values, strict=True))) for rid, last, values in data["rows"]]
    except (ValueError, TypeError, KeyError):  # zip(strict=True) raises ValueError on a short row
        return None


def _row_texts(row: Sequence[Any]) -> tuple[str, str, str, str, str] | None:
    """sheet, id, hash, last_updated JSON, values JSON; None when the row is too short."""
    texts = [_text(c) for c in row]
    if len(texts) < 5:
        return None
    return texts[0], texts[1], texts[2], texts[3], "".join(texts[4:])


@dataclass
class ExportRecord:
    """The whole record as read back: meta plus entries grouped by sheet and id."""

    meta: ExportMeta
    entries: dict[str, dict[str, RecordEntry]] = field(default_factory=dict)
    damaged: int = 0

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> ExportRecord | None:
        """The record sheet's rows -> entries; format 1 rows have their JSON parsed in bulk."""
        it = iter(rows)
        first = next(it, None)
        if not first:
            return None
        head = "".join(_text(c) for c in first)
        if not head.strip():
            return None
        rec = cls(ExportMeta.from_json(head))
        if _format(head) >= 2:
            rec._read_batches(it)
            return rec
        sha = hashlib.sha256
        good: list[tuple[str, str, str, str, str]] = []
        texts: tuple[str, str, str, str, str] | None
        for row in it:
            if len(row) == 5:  # the usual row: one cell of values JSON
                a, b, c, d, e = row
                texts = (a, b, c, d, e)
                if not (a.__class__ is b.__class__ is c.__class__ is d.__class__ is e.__class__ is str):
                    texts = None
            else:
                texts = None
            if texts is None:
                if not any(row) and all(c is None or c == "" for c in row):
                    continue  # a blank row (a truthy cell is never blank)
                texts = _row_texts(row)
            elif not any(row):
                continue  # five empty strings
            if texts is None or not texts[0] or not texts[1] or \
                    sha(texts[4].encode("utf-8")).hexdigest() != texts[2]:
                rec.damaged += 1
                continue
            good.append(texts)
        values = _loads_objects([t[4] for t in good])
        lasts = _loads_stamps([t[3] for t in good if t[3]])
        stamps = iter(lasts)
        entries = rec.entries
        for (sheet, rid, digest, last_text, _), vals in zip(good, values, strict=True):
            last = next(stamps) if last_text else None
            if last is _BAD or vals.__class__ is not dict:
                rec.damaged += 1
                continue
            by_id = entries.get(sheet)
            if by_id is None:
                by_id = entries[sheet] = {}
            by_id[rid] = RecordEntry(sheet, rid, vals, last, digest)
        return rec

    def _read_batches(self, rows: Iterable[Sequence[Any]]) -> None:
        """Format 2 rows: verify each batch's hash, then unpack its records."""
        for row in rows:
            texts = _row_texts(row)
            if texts is None:
                if any(c not in (None, "") for c in row):
                    self.damaged += 1
                continue
            sheet, _first, digest, count, payload = texts
            entries = _unpack_batch(payload) if sheet and sha256_text(payload) == digest else None
            if entries is None:
                self.damaged += int(count) if count.isdigit() else 1
                continue
            self.entries.setdefault(sheet, {}).update(
                {rid: RecordEntry(sheet, rid, values, last) for rid, last, values in entries})

    @classmethod
    def from_json(cls, data: Any) -> ExportRecord:
        if not isinstance(data, dict) or not isinstance(data.get("meta"), dict):
            raise WorkbookError("The export record next to this CSV is damaged (no meta)")
        rec = cls(ExportMeta.from_json(json.dumps(data["meta"])))
        keys: dict[str, str] = {}
        for r in data.get("records") or []:
            try:
                values = {keys.setdefault(k, k): v for k, v in r["values"].items()}
                entry = RecordEntry(
                    str(r["sheet"]), str(r["id"]), values, r.get("last_updated"), str(r["hash"])
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                rec.damaged += 1
                continue
            if content_hash(entry.values) != entry.hash:
                rec.damaged += 1
                continue
            rec.entries.setdefault(entry.sheet, {})[entry.id] = entry
        return rec
