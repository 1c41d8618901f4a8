"""Check the lookups of one system's templates against each other, once they are all loaded.

A lookup names another template (``endpoint = "users"``) and its list columns (``by``), which a single
file cannot check: a typo there would only surface mid-import as "no such record" on every row. So
``load_templates`` runs this over the system's whole set and fails with the file and key named.

A template shared by several systems (Blikk's, also listed by Visma Tid) is checked strictly for its home
system; for a sharing system a lookup of a template that system lacks (Visma Tid has no users registry)
is dropped there, so the column takes ids only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..errors import TemplateError
from ..messages import did_you_mean
from .model import Column, Endpoint, Lookup

JOIN = "+"  # a ``by`` entry "firstName+lastName": the two values joined by a space (a full name)


def by_parts(entry: str) -> tuple[str, ...]:
    """The list columns one ``by`` entry joins: "firstName+lastName" compares "<first> <last>"."""
    return tuple(p.strip() for p in entry.split(JOIN))


def _fail(path: Path, ep: Endpoint, col: Column, key: str, problem: str) -> TemplateError:
    i = next(n for n, c in enumerate(ep.columns) if c.name == col.name)
    return TemplateError(f"Bad endpoint template {path}: columns[{i}] ({col.name}).lookup.{key}: {problem}")


def _check_one(path: Path, ep: Endpoint, col: Column, lookup: Lookup, target: Endpoint) -> None:
    listed = [c.name for c in target.columns if c.in_list]
    for n, entry in enumerate(lookup.by):
        for part in by_parts(entry):
            if part in listed:
                continue
            # A detail-only field (Blikk's user email) is read from every record's detail once per run, and
            # only when a value names no record by the list's fields: it may follow them, alone, never lead.
            if part in {c.name for c in target.columns} and target.get_path and n > 0 and part == entry:
                continue
            if not part:
                problem = f"{entry!r} has an empty part (join columns as 'firstName+lastName')"
            elif part in {c.name for c in target.columns}:
                problem = (f"{part!r} is not in the list shape of {target.name!r} (detail only): a detail-only "
                           "field may only follow list fields, on its own, in a template with a get path")
            else:
                problem = f"{part!r} is not a list column of {target.name!r}{did_you_mean(part, listed)}"
            raise _fail(path, ep, col, "by", problem)
    taken = {c.name for c in ep.columns} | {c.write for c in ep.columns if c.write}
    taken |= {w.write for w in ep.write_only}
    if lookup.column in taken:
        raise _fail(path, ep, col, "column", f"{lookup.column!r} is already a column or write name of "
                                             f"{ep.name!r}: the sheet could not tell the id from the human value")
    twin = [c.name for c in ep.columns if c.lookup and c.lookup.column == lookup.column and c is not col]
    if twin:
        raise _fail(path, ep, col, "column", f"{lookup.column!r} is also the lookup column of {twin[0]!r}")


def check_lookups(system: str, templates: Mapping[str, Endpoint], homes: Mapping[str, tuple[Path, str]]
                  ) -> dict[str, Endpoint]:
    """``templates`` with every lookup checked (or dropped where a sharing system lacks its endpoint).

    ``homes`` gives each template's file and home system (the directory it is in).
    """
    out = dict(templates)
    for name, ep in templates.items():
        path, home = homes[name]
        kept: list[Column] = []
        for col in ep.columns:
            lookup = col.lookup
            if lookup is not None and lookup.endpoint not in templates:
                if home != system:
                    kept.append(replace(col, lookup=None))
                    continue
                hint = did_you_mean(lookup.endpoint, templates, cutoff=0.75)
                raise _fail(path, ep, col, "endpoint", f"{lookup.endpoint!r} is not a {system} template{hint}")
            if lookup is not None:
                _check_one(path, ep, col, lookup, templates[lookup.endpoint])
            kept.append(col)
        if tuple(kept) != ep.columns:
            out[name] = replace(ep, columns=tuple(kept))
    return out
