"""Export a company-scoped resource of many companies into one sheet (``--company all``).

Each company is read with its own connector (``Connector.for_company``); the rows get the company's id
and name in front. The export record keys each record by company and id (``SheetMeta.scope_column``),
since two companies may hold records with the same id, and names each company's tenant
(``ExportMeta.scopes``), so an import diffs a row only against what its own company exported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..connectors.base import Connector
from ..connectors.companies import Company, choose_companies, parse_company_spec
from ..errors import UsageError
from ..export import (
    ExportResult,
    _check_options,
    _columns_for,
    _fetch,
    _ServerClock,
    _stamp_column,
    _write_atomic,
    check_output,
    parse_sort,
    resolve_targets,
)
from ..progress import NullProgress, Progress
from ..schema.model import Column
from ..workbook import ExportMeta, SheetData, SheetMeta, flatten
from ..workbook.meta import format_record_time
from .columns import COMPANY_COLUMN, COMPANY_COLUMNS, COMPANY_NAME_COLUMN


def export_companies(
    connector: Connector,
    system: str,
    names: Sequence[str],
    output: Path,
    companies: Sequence[Company],
    *,
    filters: Mapping[str, str] | None = None,
    sort: str | None = None,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> ExportResult:
    """Every target of every company, one sheet per target with ``companyId`` and ``companyName`` first."""
    progress = progress or NullProgress()
    fmt = check_output(output)
    targets = resolve_targets(system, names, connector.sheet_name_for_path)
    if fmt == "csv" and len(targets) > 1:
        raise UsageError("A CSV file holds one sheet: export one endpoint per CSV, or write .xlsx")
    if any(t.endpoint is None for t in targets):
        raise UsageError("--company all exports templates only, not raw list paths ('bulktool endpoints' lists them)")
    if not companies:
        raise UsageError("No company to export: these credentials see none")
    filt, sort_spec = dict(filters or {}), parse_sort(sort)
    for t in targets:
        _check_options(t, filt, sort_spec)
    started = time.monotonic()
    per_company = [(c, connector.for_company(c.id)) for c in companies]
    clock = _ServerClock(per_company[0][1])
    columns: dict[str, list[Column]] = {t.sheet: [] for t in targets}
    rows: dict[str, list[dict[str, Any]]] = {t.sheet: [] for t in targets}
    scopes: dict[str, dict[str, str]] = {}
    requests = errors_429 = 0
    counts: dict[str, int] = {}
    for n, (company, conn) in enumerate(per_company, start=1):
        label = f"company {company.id}" + (f" ({company.name})" if company.name else "")
        stats = conn.client.stats
        before, before_429 = stats.total, stats.status_429
        mark = clock.mark if n == 1 else (lambda: None)
        for t in targets:
            progress.describe(f"[{n}/{len(per_company)}] {label}")
            records = _fetch(conn, t, filt, sort_spec, False, concurrency, progress, mark)
            cols = _columns_for(t, records, False)
            known = {c.name for c in columns[t.sheet]}
            columns[t.sheet] += [c for c in cols if c.name not in known]
            rows[t.sheet] += [{COMPANY_COLUMN: company.id, COMPANY_NAME_COLUMN: company.name, **flatten(r, cols)}
                              for r in records]
        tenant = conn.tenant()
        scopes[company.id] = {"tenant": tenant.id, "tenant_label": tenant.label, "name": company.name}
        requests += stats.total - before
        errors_429 += stats.status_429 - before_429
        counts[company.id] = sum(1 for t in targets for r in rows[t.sheet] if r[COMPANY_COLUMN] == company.id)
        progress.note(f"[{n}/{len(per_company)}] {label}: {counts[company.id]:,} rows")
    sheets, sheet_meta = [], {}
    for t in targets:
        assert t.endpoint is not None
        cols = [*COMPANY_COLUMNS, *columns[t.sheet]]
        stamp = _stamp_column(t.endpoint, cols)
        sheets.append(SheetData(name=t.sheet, columns=cols, rows=rows[t.sheet], id_column=t.endpoint.id_field,
                                last_updated_column=stamp, scope_column=COMPANY_COLUMN))
        sheet_meta[t.sheet] = SheetMeta(
            endpoint=t.label, template_version=t.endpoint.version,
            columns=[{"name": c.name, "type": c.type, "read_only": c.read_only or not c.writable} for c in cols],
            id_column=t.endpoint.id_field, natural_key=list(t.endpoint.natural_key), filters=dict(filt),
            sort=sort, last_updated=stamp, scope_column=COMPANY_COLUMN,
        )
    own = connector.tenant()
    meta = ExportMeta(
        system=system, host=connector.host, exported_at=format_record_time(clock.at or datetime.now(UTC)),
        bulktool_version=__version__, sheets=sheet_meta, tenant=own.id, tenant_label=own.label,
        time_source="server" if clock.at is not None else "local", scopes=scopes,
    )
    progress.task(f"Writing {output.name}", total=sum(len(r) for r in rows.values()))
    warnings: list[str] = []
    _write_atomic(output, fmt, sheets, meta, progress, warnings.append)
    return ExportResult(output=output, rows={k: len(v) for k, v in rows.items()}, requests=requests,
                        seconds=time.monotonic() - started, status_429=errors_429, warnings=warnings,
                        companies=counts)


def export_chosen(
    connector: Connector, system: str, names: Sequence[str], output: Path, spec: str, **kwargs: Any
) -> ExportResult:
    """``--company all`` / ``--companies 12,13|FILE``: the companies chosen among the visible ones, exported."""
    companies = choose_companies(connector.visible_companies(), parse_company_spec(spec))
    return export_companies(connector, system, names, output, companies, **kwargs)
