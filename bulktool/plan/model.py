"""Per-row results: one shape for the dry run and for apply.

Like django-import-export's ``RowResult``, the dry run and the real run return
the same objects; apply only fills in ``status``, ``message`` and
``created_id``. Reports (terminal, xlsx, HTML, JSON) render from this alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..schema.model import CellError as CellError  # re-exported: results and validation share it

Action = Literal["create", "update", "delete", "unchanged", "conflict", "invalid", "skip"]
Status = Literal["planned", "applied", "failed", "skipped", "unknown"]
ACTIONS: tuple[str, ...] = ("create", "update", "delete", "unchanged", "conflict", "invalid")


RECORD_NAME_COLUMNS = ("name", "title", "fullName")


def display_name(values: dict[str, Any]) -> str | None:
    """How a person would name the record: its name or title, or first + last name."""
    for col in RECORD_NAME_COLUMNS:
        v = values.get(col)
        if isinstance(v, str) and v.strip():
            return v.strip()
    person = " ".join(str(values[c]).strip() for c in ("firstName", "lastName") if values.get(c))
    return person or None


@dataclass
class FieldChange:
    old: Any  # live (server) value in API form, None for creates
    new: Any  # the value that will be written
    # For conflicts: what was exported, what the server has now, what the user wants.
    exported: Any = None
    server: Any = None
    conflict: bool = False


@dataclass(slots=True)
class RowResult:
    sheet: str
    row: int  # Excel row number (header is row 1); CSV line number for CSV
    action: Action
    id: str | int | None = None
    key: str | None = None  # natural key value, if the template has one
    changes: dict[str, FieldChange] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: Status = "planned"
    message: str = ""
    created_id: str | int | None = None
    request_id: str | None = None
    label: str = ""  # how messages name the record (name and natural key), e.g. for a delete
    permanent: bool = False  # failed because the server refused it (4xx): retrying cannot help
    # The full cell values of the row as read (dotted column -> API-form value);
    # used by the xlsx report to reproduce the user's sheet.
    values: dict[str, Any] = field(default_factory=dict)
    # Top-level fields a full-replacement update of this row clears because it cannot resend them
    # ("location"): the row is refused unless --allow-clear names them.
    would_clear: list[str] = field(default_factory=list)
    company: str | None = None  # a sheet of many companies: the company the row went to

    def to_json(self) -> dict[str, Any]:
        action = "unchanged" if self.action == "skip" else self.action
        return ({"company": self.company} if self.company is not None else {}) | {
            "sheet": self.sheet,
            "row": self.row,
            "id": self.created_id if self.id is None and self.created_id is not None else self.id,
            "key": self.key,
            "action": action,
            "changes": {k: {"old": v.old, "new": v.new} for k, v in self.changes.items()},
            "errors": [{"column": e.column, "message": e.message} for e in self.errors],
            # The documented statuses are planned|applied|failed|skipped: a write of unknown outcome is a
            # failure to the caller; its message (from the writer) starts "outcome unknown".
            "status": "failed" if self.status == "unknown" else self.status,
            "message": self.message,
            "warnings": list(self.warnings),
            "would_clear": list(self.would_clear),
        }


@dataclass
class PlanSummary:
    create: int = 0
    update: int = 0
    delete: int = 0
    unchanged: int = 0
    conflict: int = 0
    invalid: int = 0
    applied: int = 0
    failed: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "create": self.create, "update": self.update, "delete": self.delete,
            "unchanged": self.unchanged, "conflict": self.conflict, "invalid": self.invalid,
            "applied": self.applied, "failed": self.failed,
        }


@dataclass
class ImportResult:
    """What an import (dry run or apply) produced, ready for every report."""

    system: str
    endpoint: str
    source: str  # input file path
    sheet: str
    columns: list[str]  # the sheet's columns in file order
    rows: list[RowResult]
    applied: bool = False
    write_requests: int = 0  # planned (dry run) or sent (apply)
    write_batches: int | None = None  # requests the planned writes take in bulk requests (None: one each)
    read_requests: int = 0
    rate_per_second: float = 4.0
    warnings: list[str] = field(default_factory=list)
    host: str = ""
    account: str | None = None  # how the user named the account (profile or app id), never a secret
    journal: str | None = None  # the apply journal (path), when one exists or was written
    undo: str | None = None  # the undo workbook an apply wrote
    exit_code: int | None = None  # filled in once the import has decided it
    interrupted: bool = False  # Ctrl-C during apply
    not_sent: int = 0  # writes an interrupted apply never sent (--resume sends them)
    unfinished: int = 0  # writes an earlier, interrupted apply of this journal left unconfirmed
    companies: dict[str, str] = field(default_factory=dict)  # a sheet of many companies: id -> name, in order

    @property
    def summary(self) -> PlanSummary:
        return self.summary_of(self.rows)

    def company_summaries(self) -> dict[str, PlanSummary]:
        """The counts of each company of a sheet of many, in the order the companies were run."""
        return {c: self.summary_of([r for r in self.rows if r.company == c]) for c in self.companies}

    @staticmethod
    def summary_of(rows: list[RowResult]) -> PlanSummary:
        s = PlanSummary()
        for r in rows:
            a = "unchanged" if r.action == "skip" else r.action
            setattr(s, a, getattr(s, a) + 1)
            if r.status == "applied":
                s.applied += 1
            elif r.status in ("failed", "unknown"):
                s.failed += 1
        return s

    @property
    def estimated_seconds(self) -> float:
        """An apply plans again before it writes, so it makes this plan's reads too, at the same rate."""
        writes = self.write_requests if self.write_batches is None else self.write_batches
        requests = writes + self.read_requests
        return requests / self.rate_per_second if self.rate_per_second and self.write_requests else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary.to_json(),
            "mode": "apply" if self.applied else "dry-run",
            "file": self.source, "sheet": self.sheet, "endpoint": self.endpoint, "system": self.system,
            "host": self.host, "account": self.account, "journal": self.journal, "undo": self.undo,
            "exit_code": self.exit_code, "interrupted": self.interrupted,
            "requests": {"read": self.read_requests, "write": self.write_requests,
                         # how many requests the planned writes take where they go in bulk requests
                         "write_batches": self.write_batches if not self.applied else None,
                         "estimated_seconds": round(self.estimated_seconds, 1) if not self.applied else None},
            "warnings": list(self.warnings),
            **({"companies": {c: {"name": self.companies[c], "summary": s.to_json()}
                              for c, s in self.company_summaries().items()}} if self.companies else {}),
            "rows": [r.to_json() for r in self.rows],
        }
