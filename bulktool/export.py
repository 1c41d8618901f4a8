"""Export list endpoints to one workbook (one sheet per endpoint) or one CSV.

The workbook carries a hidden export record (what was exported, per record),
which later lets an import tell the user's edits from changes made on the
server since.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .connectors.base import Connector, sheet_name_for_path
from .errors import OutputError, UsageError
from .progress import NullProgress, Progress
from .schema import get_endpoint, load_templates
from .schema.model import Column, Endpoint
from .workbook import ExportMeta, SheetData, SheetMeta, flatten, infer_columns, write_csv, write_xlsx
from .workbook.atomic import output_errors, replace_atomically
from .workbook.meta import format_record_time


@dataclass
class ExportTarget:
    """One sheet to produce: a template, or a raw list path with inferred columns."""

    sheet: str
    path: str
    endpoint: Endpoint | None = None

    @property
    def label(self) -> str:
        return self.endpoint.name if self.endpoint else self.path


@dataclass
class ExportResult:
    output: Path
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    status_429: int = 0
    warnings: list[str] = field(default_factory=list)
    companies: dict[str, int] = field(default_factory=dict)  # a sheet of many companies: rows per company

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output), "rows": self.rows, "requests": self.requests,
            "seconds": round(self.seconds, 3), "status_429": self.status_429,
        } | ({"companies": self.companies} if self.companies else {})


def resolve_targets(
    system: str, names: Sequence[str], sheet_for_path: Callable[[str], str] | None = None
) -> list[ExportTarget]:
    """Template names or raw list paths -> targets; unknown names raise UnknownEndpoint with suggestions.

    A raw path's sheet is named by ``sheet_for_path`` (the connector's, which knows its path prefixes).
    """
    sheet_for_path = sheet_for_path or sheet_name_for_path
    templates = load_templates(system)
    by_path = {e.list_path.lower(): e for e in templates.values()}
    targets: list[ExportTarget] = []
    used: set[str] = set()
    for name in names:
        if name.startswith("/"):
            ep = by_path.get(name.rstrip("/").lower())
            target = ExportTarget(ep.name, ep.list_path, ep) if ep else ExportTarget(sheet_for_path(name), name)
        else:
            ep = get_endpoint(system, name)
            target = ExportTarget(ep.name, ep.list_path, ep)
        if target.sheet.lower() in used:
            raise UsageError(f"Endpoint {name!r} is listed twice")
        used.add(target.sheet.lower())
        targets.append(target)
    return targets


def check_output(path: Path) -> str:
    """Fail before any request if the output can't be written; return the format."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"Output must end in .xlsx or .csv, got {path.name!r}")
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        # Any file on the way (a/file.txt/out.xlsx) makes the folder impossible, not just missing.
        blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise OutputError(f"Cannot write {path}: {blocker} is a file, not a folder")
        raise OutputError(f"Cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"Cannot write {path}: permission denied")
    return suffix[1:]


def parse_filters(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().removeprefix("filter.")
        if not sep or not name:
            raise UsageError(f"--filter expects name=value, got {pair!r}")
        out[name] = value
    return out


def parse_sort(spec: str | None) -> tuple[str, bool] | None:
    if not spec:
        return None
    name, _, order = spec.partition(":")
    if order and order.lower() not in ("asc", "desc", "ascending", "descending"):
        raise UsageError(f"--sort expects FIELD or FIELD:desc, got {spec!r}")
    return name, order.lower().startswith("desc")


def _check_options(target: ExportTarget, filters: Mapping[str, str], sort: tuple[str, bool] | None) -> None:
    ep = target.endpoint
    if ep is None:
        return
    known = {k.lower(): k for k in ep.filters}
    for name in filters:
        if name.lower() not in known:
            valid = ", ".join(ep.filters) or "none"
            raise UsageError(f"{ep.name} has no filter {name!r}; documented filters: {valid}")
    if sort and ep.sort_fields and sort[0].lower() not in {s.lower() for s in ep.sort_fields}:
        raise UsageError(f"{ep.name} cannot be sorted by {sort[0]!r}; valid: {', '.join(ep.sort_fields)}")


def export(
    connector: Connector,
    system: str,
    names: Sequence[str],
    output: Path,
    *,
    filters: Mapping[str, str] | None = None,
    sort: str | None = None,
    detail: bool = False,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> ExportResult:
    """Fetch every target and write the workbook atomically (no half-written file on failure)."""
    progress = progress or NullProgress()
    fmt = check_output(output)
    targets = resolve_targets(system, names, connector.sheet_name_for_path)
    if fmt == "csv" and len(targets) > 1:
        raise UsageError("A CSV file holds one sheet: export one endpoint per CSV, or write .xlsx")
    filt = dict(filters or {})
    sort_spec = parse_sort(sort)
    for t in targets:
        _check_options(t, filt, sort_spec)

    started = time.monotonic()
    stats = connector.client.stats
    before_requests, before_429 = stats.total, stats.status_429
    clock = _ServerClock(connector)
    sheets: list[SheetData] = []
    sheet_meta: dict[str, SheetMeta] = {}
    rows: dict[str, int] = {}
    for t in targets:
        records = _fetch(connector, t, filt, sort_spec, detail, concurrency, progress, clock.mark)
        columns = _columns_for(t, records, detail)
        id_col = t.endpoint.id_field if t.endpoint else ("id" if any(c.name == "id" for c in columns) else None)
        flat = [flatten(r, columns) for r in records]
        stamp = _stamp_column(t.endpoint, columns)
        sheets.append(SheetData(name=t.sheet, columns=columns, rows=flat, id_column=id_col,
                                last_updated_column=stamp))
        sheet_meta[t.sheet] = SheetMeta(
            endpoint=t.label,
            template_version=t.endpoint.version if t.endpoint else None,
            columns=[{"name": c.name, "type": c.type, "read_only": c.read_only or not c.writable} for c in columns],
            id_column=id_col,
            natural_key=list(t.endpoint.natural_key) if t.endpoint else [],
            detail=detail,
            filters=dict(filt),
            sort=sort,
            last_updated=stamp,
        )
        rows[t.sheet] = len(flat)

    tenant = connector.tenant()
    if clock.at is None:
        progress.note("The server sent no Date header, so this export's time is unknown: importing it will "
                      "read every record instead of only those changed since.")
    meta = ExportMeta(
        system=system, host=connector.host, exported_at=format_record_time(clock.at or datetime.now(UTC)),
        bulktool_version=__version__, sheets=sheet_meta, tenant=tenant.id, tenant_label=tenant.label,
        time_source="server" if clock.at is not None else "local",
    )
    total_rows = sum(rows.values())
    progress.task(f"Writing {output.name}", total=total_rows)
    warnings: list[str] = []
    _write_atomic(output, fmt, sheets, meta, progress, warnings.append)
    return ExportResult(
        output=output, rows=rows, requests=stats.total - before_requests,
        seconds=time.monotonic() - started, status_429=stats.status_429 - before_429, warnings=warnings,
    )


class _ServerClock:
    """The server's time when the export's first page arrived, from that answer's ``Date`` header.

    The start, not the end: a record changed while later pages were read may be in the
    workbook with its old values, so an import must look at changes from the start on.
    Page 1 is fetched alone before any concurrent page, so the latest Date seen at that
    moment is its own (or an earlier answer's, which errs on the safe side).
    """

    def __init__(self, connector: Connector) -> None:
        self._stats = connector.client.stats
        self._stats.last_server_date = None  # a Date from before this export must not count
        self._marked = False
        self.at: datetime | None = None

    def mark(self) -> None:
        if not self._marked:
            self._marked = True
            self.at = self._stats.last_server_date


def _stamp_column(endpoint: Endpoint | None, columns: Sequence[Column]) -> str | None:
    """The template's change stamp (``last_updated_field``) when the sheet carries it, kept per record."""
    name = endpoint.last_updated_field if endpoint else None
    return name if name and any(c.name == name for c in columns) else None


def _fetch(
    connector: Connector,
    t: ExportTarget,
    filters: Mapping[str, str],
    sort: tuple[str, bool] | None,
    detail: bool,
    concurrency: int,
    progress: Progress,
    first_page: Callable[[], None],
) -> list[dict[str, Any]]:
    params: dict[str, Any] = connector.list_filter_params(filters) if t.endpoint else {}
    if sort and t.endpoint:
        params.update(connector.sort_params(sort[0], sort[1]))
    progress.task(f"Fetching {t.label}", total=None, unit="pages")

    def on_page(_items: int, total_pages: int | None) -> None:
        first_page()
        progress.advance(1, total=total_pages)

    if t.endpoint is not None:
        records = connector.list_endpoint(t.endpoint, params, concurrency=concurrency, on_page=on_page, order=sort)
    else:
        records = connector.list_all(t.path, params, concurrency=concurrency, on_page=on_page)
    if not detail or t.endpoint is None or connector.list_covers_detail(t.endpoint):
        return records
    ep = t.endpoint
    if not ep.get_path:
        progress.note(f"{ep.name} has no detail endpoint; exporting the list shape only.")
        return records
    n = len(records)
    rate = connector.client.limiter.rate  # what --rate set, not the vendor default
    progress.note(
        f"--detail: {n:,} extra {'request' if n == 1 else 'requests'} for {ep.name} (one per record), "
        f"about {_human_seconds(n / rate)} at {rate} requests/second."
    )
    progress.task(f"Fetching {ep.name} details", total=n, unit="records")

    def one(rec: dict[str, Any]) -> dict[str, Any]:
        got = connector.get_record(ep, rec[ep.id_field])
        progress.advance(1)
        return {**rec, **got}

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="detail") as pool:
        return list(pool.map(one, records))


def _columns_for(t: ExportTarget, records: Sequence[dict[str, Any]], detail: bool) -> list[Column]:
    """Template columns for the shape fetched, plus any field the server sent that the template lacks."""
    if t.endpoint is None:
        return infer_columns(records)
    wanted = [c for c in t.endpoint.columns if c.in_list or (detail and c.in_detail)]
    known = {c.name for c in t.endpoint.columns}
    prefixes = {c.name.split(".")[0] for c in t.endpoint.columns}
    extra = [c for c in infer_columns(records) if c.name not in known and c.name.split(".")[0] not in prefixes]
    return wanted + extra


def _write_atomic(
    output: Path, fmt: str, sheets: list[SheetData], meta: ExportMeta, progress: Progress,
    warn: Callable[[str], None],
) -> None:
    def advance(done: int) -> None:
        progress.advance(done)

    if fmt == "csv":
        with output_errors(output):
            write_csv(output, sheets[0], meta)
        return
    replace_atomically(output, lambda tmp: write_xlsx(tmp, sheets, meta, progress=advance, warn=warn))


def _human_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    if m < 60:
        return f"{m} min {s} s"
    h, m = divmod(m, 60)
    return f"{h} h {m} min"
