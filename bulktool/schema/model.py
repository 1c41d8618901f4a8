"""The in-memory form of an endpoint template (``templates/<system>/<name>.toml``).

Templates are declarative so that export, validation and writes all read the
same facts about a resource: its paths, which columns the list and detail
shapes carry, which are writable and under what write name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Cell-level types. Each has one render/clean pair in bulktool.workbook.cells.
#   string      free text (kept as text: leading zeros survive)
#   integer     whole number; ids longer than 15 digits are written as text
#   decimal     number with optional `decimals`
#   boolean     TRUE/FALSE
#   date        "YYYY-MM-DD"
#   datetime    ISO 8601 UTC "YYYY-MM-DDThh:mm:ssZ" (bulktool.datetimes; vendors convert at the edge)
#   time        "HH:MM" (24-hour clock)
#   int_list    list of integers, rendered "10, 16"
#   string_list list of strings, rendered "a, b" or a JSON array when ambiguous
#   json        any other nested value (object arrays), rendered as compact JSON
ColumnType = Literal[
    "string", "integer", "decimal", "boolean", "date", "datetime", "time",
    "int_list", "string_list", "json",
]
COLUMN_TYPES: tuple[str, ...] = (
    "string", "integer", "decimal", "boolean", "date", "datetime", "time",
    "int_list", "string_list", "json",
)
Shape = Literal["list", "detail"]
Operation = Literal["list", "get", "create", "update", "delete"]


@dataclass
class CellError:
    """One cell's problem (``column`` None: the row's); validation's verdict, shown on the row."""

    column: str | None
    message: str


# How a value is compared when it names a record (a lookup, a natural key): "text" folds case, Unicode
# form (NFC/NFD å) and surrounding/inner runs of spaces; "number" compares 25, "25.0" and "25,0 %" alike;
# "orgnr" ignores dashes and spaces (556898-6787 = 5568986787); "email" folds case and spaces;
# "phone" keeps the digits, with a leading 00 or 0 country form made +<code> ("070-123 45 67" = "+46701234567"
# only when the country is known: else the digits); "code" folds case (ISO codes, "SE" = "se").
MatchKind = Literal["text", "number", "orgnr", "email", "phone", "code"]
MATCH_KINDS: tuple[str, ...] = ("text", "number", "orgnr", "email", "phone", "code")


@dataclass(frozen=True)
class Lookup:
    """A reference column that a sheet may fill by naming the record instead of giving its id.

    ``column`` is the sheet header holding the human value ("responsible"); ``endpoint`` the template whose
    list is read, once per run, to find it ("users"); ``by`` that template's list columns compared, in order
    ("name", "email"). A value must match exactly one record: none or several make the row invalid.
    """

    column: str
    endpoint: str
    by: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """One flattened column, named by its dotted *read* path (``responsible.id``)."""

    name: str
    type: ColumnType = "string"
    shapes: tuple[Shape, ...] = ("list", "detail")
    read_only: bool = False
    # Dotted path in the create/update body (``responsibleId``,
    # ``visitingAddress.streetAddress``); None when the column is not writable.
    write: str | None = None
    required_create: bool = False
    required_update: bool = False
    enum: tuple[str, ...] | None = None
    max_length: int | None = None
    decimals: int | None = None
    pattern: str | None = None
    # The API's range for a number (the spec's minimum/maximum): outside it the server refuses the write.
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = True
    description: str = ""
    # A date and a time column written together as one datetime field (both name the same ``write``):
    # "date" on the date column, "time" on the time column. Tasks read startDate/startTime but write
    # "startDate": "2022-07-11 04:43:12".
    write_part: Literal["date", "time"] | None = None
    # The record holds this field but no write can resend it (its write shape is unknown), so a
    # full-replacement update clears it: the planner refuses such rows unless --allow-clear names it.
    cleared_by_update: bool = False
    # Sent on create when the row leaves the cell empty: what the vendor's own UI gives a new record
    # (a new contact is active). None means no default.
    create_default: object = None
    # When a write leaves this field empty the server fills it in (Blikk assigns a customer number).
    server_assigns: bool = False
    # The server sets this value on every create, whatever the body says (new projects invoice "ongoing").
    create_server_value: object = None
    # The template whose record ids this column holds (contacts' company.id -> "contacts"): a delete
    # names the records that point at the deleted one.
    refers_to: str | None = None
    # The sheet may name the referenced record by a human value instead of the id (see Lookup).
    lookup: Lookup | None = None
    # How this column's values compare when they name a record (a lookup ``by`` field, a natural key);
    # None: by type ("number" for integer and decimal columns, "text" otherwise).
    match: MatchKind | None = None

    @property
    def match_kind(self) -> MatchKind:
        if self.match is not None:
            return self.match
        return "number" if self.type in ("integer", "decimal") else "text"

    @property
    def writable(self) -> bool:
        return self.write is not None and not self.read_only

    @property
    def in_list(self) -> bool:
        return "list" in self.shapes

    @property
    def in_detail(self) -> bool:
        return "detail" in self.shapes


@dataclass(frozen=True)
class WriteOnlyField:
    """A field the write body needs that no read shape carries under that name.

    ``derive`` says how to compute it from a read column when building a
    full-replacement PUT body, e.g. ``isCompleted`` from ``completedDate``:
    ``from_column = "completedDate"``, ``rule = "not_null"``.
    """

    write: str
    type: ColumnType = "boolean"
    from_column: str | None = None
    rule: Literal["not_null", "copy"] = "copy"
    default: object = None
    required_create: bool = False
    required_update: bool = False
    description: str = ""


@dataclass(frozen=True)
class Endpoint:
    name: str  # CLI name and default sheet name, e.g. "contacts"
    system: str  # "blikk"; templates may also declare the systems sharing them
    version: int
    title: str
    list_path: str
    get_path: str | None = None  # "/v1/Core/Contacts/{id}"
    create_path: str | None = None
    update_path: str | None = None
    delete_path: str | None = None
    # Bulk operations taking a JSON array (Tripletex's POST/PUT /customer/list); None when the API
    # has none, and the writer then sends one record per request.
    bulk_create_path: str | None = None
    bulk_update_path: str | None = None
    id_field: str = "id"
    natural_key: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    write_only: tuple[WriteOnlyField, ...] = ()
    sort_fields: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)  # filter name -> documented datatype
    changed_since_filter: str | None = None  # e.g. "createdOrUpdatedSince"
    last_updated_field: str | None = None  # e.g. "lastUpdated" (used for the export record)
    # A full read runs one list request per pass (extra query parameters) and merges them by id:
    # Tripletex hides inactive customers unless asked, so ({isInactive: false}, {isInactive: true}).
    # Empty: one plain pass.
    list_passes: tuple[dict[str, str], ...] = ()
    # The optimistic-lock field a partial update carries with its live value ("version").
    version_field: str | None = None
    # Dotted read names of nested objects' ids ("postalAddress.id"): an update that changes a field
    # under "postalAddress." also sends the live postalAddress.id, so the object is edited in place.
    nested_ids: tuple[str, ...] = ()
    read_permission: str | None = None
    write_permission: str | None = None
    create_status: int = 200
    systems: tuple[str, ...] = ()
    description: str = ""
    # Placeholders the connector fills in every path from the connection ("companyId": Finsit's
    # /Api/v2/Company/{companyId}/Comment/); the core never fills them itself.
    scope: tuple[str, ...] = ()
    # A column whose records are written together as one list per value (Finsit's key-figure data:
    # one PUT per fiscal year); the paths name it ({fiscalYearId}) instead of {id}.
    group_by: str | None = None
    # The update path is the collection's (no {id}); the connector puts the id into the body.
    update_on_collection: bool = False

    @property
    def operations(self) -> tuple[Operation, ...]:
        ops: list[Operation] = ["list"]
        if self.get_path:
            ops.append("get")
        if self.create_path:
            ops.append("create")
        if self.update_path:
            ops.append("update")
        if self.delete_path:
            ops.append("delete")
        return tuple(ops)

    @property
    def read_only(self) -> bool:
        return not (self.create_path or self.update_path)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def column_names(self, *, detail: bool = False) -> list[str]:
        """Columns in template order: list-shape columns, plus detail-only ones if asked."""
        return [c.name for c in self.columns if c.in_list or (detail and c.in_detail)]

    @property
    def lookup_columns(self) -> dict[str, Column]:
        """Lookup column header -> the id column it fills (``responsible`` -> ``responsible.id``)."""
        return {c.lookup.column: c for c in self.columns if c.lookup is not None}

    @property
    def detail_only_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_detail and not c.in_list)
