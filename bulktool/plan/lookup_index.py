"""A lookup list indexed for matching: each record under the normal form of every ``by`` field it is
looked up by, and its label for messages ("Anna Svensson"). ``plan.lookups`` reads the lists and
resolves rows against these indexes; the same forms index the rows of a run (``in_run_index``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from ..schema.lookup_check import JOIN, by_parts
from ..schema.model import Endpoint
from ..workbook.flatten import flatten
from .live import key_of
from .matching import normal_form, text_form

MAX_CANDIDATES = 3


def detail_only(target: Endpoint, by: tuple[str, ...]) -> bool:
    """Whether some ``by`` field is in the detail shape only."""
    names = {p for b in by for p in by_parts(b)}
    return any(c.name in names and not c.in_list for c in target.columns)


def by_value(target: Endpoint, by: str, values: Mapping[str, Any]) -> str | None:
    """The normal form of one ``by`` field of a record or row (flat dotted values)."""
    if JOIN in by:
        return text_form(_joined(by, values))
    col = next((c for c in target.columns if c.name == by), None)
    raw = values.get(by)
    return normal_form(col.match_kind, raw) if col is not None else text_form(raw)


def query_form(target: Endpoint, by: str, value: object) -> str | None:
    """A sheet value in the normal form of ``by`` (a whole-number float from a workbook is that integer)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text_form(value) if JOIN in by else by_value(target, by, {by: value})


def _joined(by: str, values: Mapping[str, Any]) -> str | None:
    """The non-empty values of a joined ``by`` entry's parts, space-separated ("Anna Svensson")."""
    parts = [str(values[p]).strip() for p in by_parts(by) if values.get(p) not in (None, "")]
    return " ".join(parts) or None


def by_label(by: str, values: Mapping[str, Any]) -> str | None:
    if JOIN in by:
        return _joined(by, values)
    v = values.get(by)
    return None if v in (None, "") else str(v)


@dataclass
class LookupIndex:
    """Normal form -> ids, per ``by`` field, and each record's label for messages."""

    by: tuple[str, ...]
    ids: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # by -> form -> ids
    labels: dict[str, str] = field(default_factory=dict)  # id -> "Anna Svensson"
    choices: dict[str, str] = field(default_factory=dict)  # a label's normal form -> label (candidates)
    more: Callable[[], LookupIndex] | None = None  # the index of the details, for fields the list lacks

    @classmethod
    def build(cls, target: Endpoint, by: tuple[str, ...], records: Iterable[dict[str, Any]]) -> LookupIndex:
        idx = cls(by, {b: defaultdict(list) for b in by})
        cols = list(target.columns)  # whatever the list carries (a field only the detail has is simply absent)
        for rec in records:
            rid = key_of(rec.get(target.id_field))
            if rid is None:
                continue
            flat = flatten(rec, cols)
            for b in by:
                form = by_value(target, b, flat)
                if form is not None:
                    idx.ids[b][form].append(rid)
                    label = by_label(b, flat)
                    if label is not None:
                        idx.choices.setdefault(text_form(label) or label, label)
            idx.labels[rid] = next((lab for b in by if (lab := by_label(b, flat))), rid)
        return idx

    def find(self, target: Endpoint, value: object) -> list[str]:
        """The ids whose ``by`` fields name ``value``, first field that matches anything wins per field."""
        found: list[str] = []
        for b in self.by:
            form = query_form(target, b, value)
            for rid in self.ids[b].get(form or "", ()):
                if rid not in found:
                    found.append(rid)
        return found

    def candidates(self, value: object) -> list[str]:
        """Up to three labels closest to ``value`` (rapidfuzz), best first."""
        query = text_form(value) or ""
        if not query or not self.choices:
            return []
        got = process.extract(query, list(self.choices), scorer=fuzz.WRatio, limit=MAX_CANDIDATES,
                              score_cutoff=50)
        return [self.choices[c] for c, _score, _i in got]
