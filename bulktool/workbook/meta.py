"""The export record: what was exported, per record, kept inside the workbook.

An import compares each row with its exported values to tell the user's edits
from changes made on the server since, and to recover what spreadsheets can't
store (empty string versus empty cell, [] versus nothing, CRLF, >15 digits).

Layout of the hidden ``_bulktool`` sheet (hidden, not very-hidden, so that
LibreOffice keeps it on re-save), format 2::

    row 1    JSON of ExportMeta, split across cells A1, B1, ... when long
    row 2..  sheet | first id | sha256 of the batch | record count | batch JSON, split across cells

A batch holds up to ``BATCH`` records with the same columns, as
``{"columns": [...], "rows": [[id, last_updated, [value, ...]], ...]}``.
Batching is for speed: a 100k-row record reads in a fifth of the time of one
row per record, since the XML parser sees 2,000 cells instead of 500,000 and
the JSON carries no repeated keys. The cost is that an edit to the hidden
sheet voids its whole batch (those rows are then diffed against live data).

Format 1 (bulktool before 0.2) kept one row per record:
``sheet | id | sha256 of the values | last_updated (JSON) | values JSON``;
it is still read.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..datetimes import format_instant
from ..errors import WorkbookError
from .parsing import parse_datetime

RECORD_SHEET = "_bulktool"
FORMAT_VERSION = 2
BATCH = 50  # records per record-sheet row
CHUNK = 32_000  # an xlsx cell holds at most 32,767 UTF-16 code units


def format_record_time(when: datetime) -> str:
    """An aware time as the export record writes it: the core's form, UTC ('2024-03-01T08:00:00Z')."""
    return format_instant(when.astimezone(UTC))


def parse_record_time(text: str) -> datetime:
    """The export record's time back as an aware UTC datetime; ValueError when unreadable.

    Any ISO-like spelling with its zone is read, so records written before the form was ISO 8601
    (a space before the clock and an explicit offset) still are.
    """
    parsed = parse_datetime(text)
    if parsed is None or parsed[1] is None or not parsed[2]:
        raise ValueError(f"not a time with its zone: {text!r}")
    return parsed[0].replace(tzinfo=parsed[1]).astimezone(UTC)


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
    # A sheet of many accounts (companies): the column naming each row's; record ids are then keyed
    # ``<scope>/<id>`` (``scoped_id``), since two accounts may hold records with the same id.
    scope_column: str | None = None

    def column_types(self) -> dict[str, str]:
        return {str(c["name"]): str(c.get("type") or "string") for c in self.columns}


@dataclass
class ExportMeta:
    """What the whole export was: whose data (host and tenant), and as of when.

    ``tenant`` is the connector's account fingerprint (``Connector.tenant().id``): many
    accounts share one host, so an import checks it before trusting the exported values.
    Records written before it existed have ``tenant == ""``.

    ``exported_at`` is the server's time when the export started if ``time_source`` is
    ``"server"`` (taken from the HTTP ``Date`` header). Otherwise (``"local"``, or ``""`` in
    older records) it is this machine's clock, which an import must not use to decide
    what the server changed since.
    """

    system: str
    host: str  # never credentials: a host name only
    exported_at: str  # API datetime form
    bulktool_version: str
    sheets: dict[str, SheetMeta] = field(default_factory=dict)
    tenant: str = ""  # account fingerprint, never a secret
    tenant_label: str = ""  # the same account for people, e.g. "app 1a2b3c4d on api.example.com"
    time_source: str = ""  # "server" when exported_at is the server's clock
    # A workbook of many accounts (companies): per account id, its ``tenant``, ``tenant_label`` and ``name``.
    # Each row is trusted against its own account's tenant, never the others'.
    scopes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.host = safe_host(self.host)

    def to_json(self) -> str:
        data = asdict(self)
        for key in _OPTIONAL:  # left out when unknown: such a record reads exactly like an older one
            if not data[key]:
                del data[key]
        for sheet in data["sheets"].values():
            if sheet.get("scope_column") is None:  # a sheet of one account reads exactly like an older one
                sheet.pop("scope_column", None)
        return json.dumps({"format": FORMAT_VERSION, **data}, ensure_ascii=False)

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
                tenant=str(raw.get("tenant") or ""), tenant_label=str(raw.get("tenant_label") or ""),
                time_source=str(raw.get("time_source") or ""),
                scopes={str(k): {str(a): str(b) for a, b in v.items()}
                        for k, v in (raw.get("scopes") or {}).items() if isinstance(v, dict)},
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise WorkbookError(f"The export record in this file is damaged ({exc})") from None


_SHEET_FIELDS = set(SheetMeta.__dataclass_fields__)
_OPTIONAL = ("tenant", "tenant_label", "time_source", "scopes")


def safe_host(host: str) -> str:
    """Host, port and path only: a URL's user:password@ and query never reach the workbook."""
    text = host.strip().split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    netloc, sep, path = text.partition("/")
    return netloc.rsplit("@", 1)[-1] + sep + path


@dataclass(slots=True)
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
    """The one id (and key) normaliser: ids are keyed as text.

    12.0 from a spreadsheet and 12 from the API are the same record, surrounding spaces are noise, and
    a decomposed "Å" from macOS must match the composed one; blank is None.
    """
    if value is None:
        return None
    if value.__class__ is int:  # the usual id: no whitespace to strip
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = str(value).strip()
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return s or None


def scoped_id(scope: Any, rid: str | None) -> str | None:
    """The export record's key of a row in a sheet of many accounts: ``<scope>/<id>``; None without an id."""
    if rid is None:
        return None
    return f"{record_id(scope) or ''}/{rid}"
