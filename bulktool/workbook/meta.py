"""The export record: what was exported, per record, kept inside the workbook.

An import compares each row with its exported values to tell the user's edits
from changes made on the server since, and to recover what spreadsheets can't
store (empty string versus empty cell, [] versus nothing, CRLF, >15 digits).

Layout of the hidden ``_bulktool`` sheet (hidden, not very-hidden, so that
LibreOffice keeps it on re-save)::

    row 1    JSON of ExportMeta, split across cells A1, B1, ... when long
    row 2..  sheet | id | sha256 of the values | last_updated (JSON) | values JSON, split across cells
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import WorkbookError

RECORD_SHEET = "_bulktool"
FORMAT_VERSION = 1
CHUNK = 32_000  # an xlsx cell holds at most 32,767 UTF-16 code units


@dataclass
class SheetMeta:
    endpoint: str  # template name or raw list path
    template_version: int | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)  # {name, type, read_only}
    id_column: str | None = None
    natural_key: list[str] = field(default_factory=list)
    detail: bool = False
    filters: dict[str, str] = field(default_factory=dict)
    sort: str | None = None
    last_updated: str | None = None  # column holding the server's change stamp, if any

    def column_types(self) -> dict[str, str]:
        return {str(c["name"]): str(c.get("type") or "string") for c in self.columns}


@dataclass
class ExportMeta:
    system: str
    host: str  # never credentials: a host name only
    exported_at: str  # API datetime form
    bulktool_version: str
    sheets: dict[str, SheetMeta] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.host = safe_host(self.host)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT_VERSION, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ExportMeta:
        try:
            raw = json.loads(text)
            sheets = {
                str(name): SheetMeta(**{k: v for k, v in s.items() if k in _SHEET_FIELDS})
                for name, s in (raw.get("sheets") or {}).items()
            }
            return cls(
                system=str(raw.get("system") or ""), host=str(raw.get("host") or ""),
                exported_at=str(raw.get("exported_at") or ""),
                bulktool_version=str(raw.get("bulktool_version") or ""), sheets=sheets,
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise WorkbookError(f"The export record in this file is damaged ({exc})") from None


_SHEET_FIELDS = set(SheetMeta.__dataclass_fields__)


def safe_host(host: str) -> str:
    """Host, port and path only: a URL's user:password@ and query never reach the workbook."""
    text = host.strip().split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    netloc, sep, path = text.partition("/")
    return netloc.rsplit("@", 1)[-1] + sep + path


@dataclass
class RecordEntry:
    """One exported record: what the sheet row held when it was written."""

    sheet: str
    id: str
    values: dict[str, Any]
    last_updated: Any = None
    hash: str = ""  # filled in when the entry is written

    def payload(self) -> str:
        """The values as canonical JSON, which is what the hash covers; sets ``hash``."""
        text = canonical_json(self.values)
        self.hash = sha256_text(text)
        return text


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(values: dict[str, Any]) -> str:
    return sha256_text(canonical_json(values))


def record_id(value: Any) -> str | None:
    """Ids are keyed as text; 12.0 from a spreadsheet and 12 from the API are the same record."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


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


def entry_cells(entry: RecordEntry) -> list[str]:
    values = entry.payload()
    last = "" if entry.last_updated is None else json.dumps(entry.last_updated, ensure_ascii=False)
    return [entry.sheet, entry.id, entry.hash, last, *split_text(values)]


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return record_id(cell) or ""
    return str(cell)


def parse_entry(cells: Sequence[Any], keys: dict[str, str] | None = None) -> RecordEntry | None:
    """A record row -> entry; None when the row was damaged (its hash no longer matches).

    ``keys`` shares one string object per column name across entries (100k records x 20
    columns would otherwise hold two million copies of the names).
    """
    texts = [_text(c) for c in cells]
    if len(texts) < 5 or not texts[0] or not texts[1]:
        return None
    payload = "".join(texts[4:])
    if sha256_text(payload) != texts[2]:
        return None
    try:
        values = json.loads(payload)
        last = json.loads(texts[3]) if texts[3] else None
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    if keys is not None:
        values = {keys.setdefault(k, k): v for k, v in values.items()}
    return RecordEntry(texts[0], texts[1], values, last, texts[2])


@dataclass
class ExportRecord:
    """The whole record as read back: meta plus entries grouped by sheet and id."""

    meta: ExportMeta
    entries: dict[str, dict[str, RecordEntry]] = field(default_factory=dict)
    damaged: int = 0

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> ExportRecord | None:
        it = iter(rows)
        first = next(it, None)
        if not first:
            return None
        head = "".join(_text(c) for c in first)
        if not head.strip():
            return None
        rec = cls(ExportMeta.from_json(head))
        keys: dict[str, str] = {}
        for row in it:
            if not any(c not in (None, "") for c in row):
                continue
            entry = parse_entry(row, keys)
            if entry is None:
                rec.damaged += 1
                continue
            rec.entries.setdefault(entry.sheet, {})[entry.id] = entry
        return rec

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
