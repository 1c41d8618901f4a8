"""A foreign file and its mapping -> the parts of a run: one checked ``Source`` per mapping target.

Why here and not in ``plan.source``: a foreign file has no export record to trust and no template headers;
what makes its rows safe to plan is the mapping (every cell typed and named after its source column) and the
lookups (every reference an id, or a row of this same run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..connectors.base import Connector
from ..importer import ImportOptions
from ..plan.model import RowResult
from ..plan.source import Source, check_structure, leave_empty_as_is
from ..progress import Progress
from ..schema import get_endpoint
from ..schema.model import Endpoint
from ..workbook.guards import check_foreign_file
from .apply import map_tables
from .mapping import load_mapping, with_sets
from .readers import read_raw_book
from .run import RunOutcome, run_parts


@dataclass(frozen=True)
class MigrationOptions:
    """What the command line says about a foreign file (``import --map/--set/--date-format``)."""

    mapping: Path | None = None
    sets: tuple[str, ...] = ()
    date_format: str | None = None
    endpoint: str | None = None
    mode: str = "upsert"
    sheet: str | None = None  # --sheet: the workbook sheet a single-target mapping reads

    @property
    def wanted(self) -> bool:
        return self.mapping is not None or bool(self.sets)


def load_parts(connector: Connector, path: Path, options: MigrationOptions) -> list[Source]:
    """Read, map, check and resolve every target of the mapping (lookups: one list read per template)."""
    mapping = with_sets(load_mapping(options.mapping) if options.mapping is not None else None,
                        list(options.sets), options.endpoint)
    if options.sheet is not None and len(mapping.targets) == 1 and mapping.targets[0].sheet is None:
        mapping = replace(mapping, targets=(replace(mapping.targets[0], sheet=options.sheet),))
    check_foreign_file(path)
    tables = read_raw_book(path, encoding=mapping.encoding, separator=mapping.separator)

    def endpoint_of(name: str) -> Endpoint:
        return get_endpoint(connector.system, name)

    mapped = map_tables(tables, mapping, endpoint_of, date_format=options.date_format)
    parts: list[Source] = []
    for target, sheet in zip(mapping.targets, mapped, strict=True):
        ep = endpoint_of(target.endpoint or "")
        warnings = [*next((t.warnings for t in tables if t.name == sheet.sheet.name), []), *sheet.warnings]
        src = Source(path, sheet.sheet, ep, exported_from=None, use_export_record=False, warnings=warnings,
                     origins=dict(sheet.origins))
        leave_empty_as_is(src)
        # A foreign file often has no key column: its rows are creates, and the journal recognises them on a
        # re-run (the dry run warns that another file of the same rows would create them again).
        check_structure(src, require_match=options.mode == "update-only")
        parts.append(src)
    return parts  # their lookups are resolved by the run, all parts through one cache (``migrate.run``)


def run_migration(
    connector: Connector, path: Path, migration: MigrationOptions, options: ImportOptions,
    progress: Progress | None = None,
) -> RunOutcome:
    """``import FILE --map M``: the file mapped onto its targets, planned (and applied) parents first."""
    parts = load_parts(connector, path, migration)
    outcome = run_parts(connector, path, parts, options, progress)
    for part, out in zip(parts, outcome.parts, strict=True):
        name_origins(out.result.rows, part.origins)
    return outcome


def name_origins(rows: Sequence[RowResult], origins: Mapping[str, str]) -> None:
    """Every message about a mapped column names the file's own column too (the planner knows only fields)."""
    for r in rows:
        for e in r.errors:
            origin = origins.get(e.column or "")
            if origin and not e.message.startswith(origin):
                e.message = f"{origin}: {e.message}"
