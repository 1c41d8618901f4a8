"""A sheet of many companies, split into one source per company (rows, export record, checks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..connectors.companies import Company
from ..errors import WorkbookError
from ..plan.model import CellError, RowResult
from ..plan.source import Source, check_structure
from ..workbook import ReadSheet
from ..workbook.meta import record_id
from ..workbook.table import ReadRow
from .columns import EXTRA_NAMES


def split_by_company(
    src: Source, visible: Mapping[str, Company], mode: str
) -> tuple[dict[str, Source], list[RowResult]]:
    """One source per company named in the sheet (in first-seen order), and the rows refused outright.

    A row whose company cell is empty, or names a company these credentials cannot see, is invalid:
    one error naming the row, the column and the company.
    """
    column = src.scope_column
    assert column is not None
    rows: dict[str, list[ReadRow]] = {}
    refused: list[RowResult] = []
    id_field = src.endpoint.id_field
    exported_in = _exported_companies(src)
    for r in src.sheet.rows:
        cid = record_id(r.values.get(column))
        rid = record_id(r.values.get(id_field))
        problem = None
        if r.errors.get(column):
            problem = r.errors[column]
        elif cid is None:
            problem = "empty: name the company this row belongs to (a company id)"
        elif cid not in visible:
            problem = f"company {cid} is not visible to these credentials; visible: {_listed(visible)}"
        elif rid is not None and exported_in.get(rid) and cid not in exported_in[rid]:
            # The same id may be another record in another company: never write one company's row over it.
            problem = (f"{id_field} {rid} was exported from company {', '.join(sorted(exported_in[rid]))}, not "
                       f"{cid}: a row cannot move between companies")
        if problem is not None:
            refused.append(RowResult(src.sheet.name, r.row, "invalid", values=dict(r.values), company=cid,
                                     errors=[CellError(column, problem)]))
            continue
        assert cid is not None
        rows.setdefault(cid, []).append(r)
    return {cid: _one(src, cid, rs, mode) for cid, rs in rows.items()}, refused


def _exported_companies(src: Source) -> dict[str, set[str]]:
    """Record id -> the companies the export record holds it for (none when the record is not trusted)."""
    out: dict[str, set[str]] = {}
    if not src.use_export_record:
        return out
    for key in src.sheet.exported:
        company, _, rid = key.partition("/")
        out.setdefault(rid, set()).add(company)
    return out


def _one(src: Source, company: str, rows: list[ReadRow], mode: str) -> Source:
    prefix = f"{company}/"
    sheet = src.sheet
    exported = {k[len(prefix):]: _strip(v) for k, v in sheet.exported.items() if k.startswith(prefix)}
    stamps = {k[len(prefix):]: v for k, v in sheet.last_updated.items() if k.startswith(prefix)}
    read = ReadSheet(sheet.name, [c for c in sheet.columns if c not in EXTRA_NAMES],
                     [ReadRow(r.row, _strip(r.values), {k: v for k, v in r.errors.items() if k not in EXTRA_NAMES})
                      for r in rows], sheet.meta, exported, stamps)
    formulas = {n: cells for n, cells in src.formula_cells.items() if any(r.row == n for r in rows)}
    one = replace(src, sheet=read, formula_cells=formulas, warnings=[], scope_column=None)
    try:
        check_structure(one, require_match=mode != "create-only")
    except WorkbookError as exc:
        raise WorkbookError(f"Company {company}: {exc}") from None
    return one


def _strip(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if k not in EXTRA_NAMES}


def _listed(visible: Mapping[str, Company]) -> str:
    ids = list(visible)
    return ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
