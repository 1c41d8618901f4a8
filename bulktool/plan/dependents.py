"""Which live records point at a record about to be deleted, so the dry run can say what loses its link.

Deleting a company leaves the people who belong to it without one (the sandbox, like
the API as far as its documentation goes, answers their company as null afterwards),
and no undo workbook puts the links back. So the dry run names them on the delete's row.
"""

from __future__ import annotations

from collections import defaultdict

from ..schema.model import Endpoint
from ..workbook import flatten
from .live import LiveIndex, key_of

MAX_NAMED = 5


class Dependents:
    """A reverse index of the endpoint's own references (``refers_to`` the same template), built on first use."""

    def __init__(self, endpoint: Endpoint, live: LiveIndex) -> None:
        self.endpoint = endpoint
        self.live = live
        self._index: dict[str, list[tuple[str, str]]] | None = None

    def _build(self) -> dict[str, list[tuple[str, str]]]:
        cols = [c for c in self.endpoint.columns if c.refers_to == self.endpoint.name and c.in_list]
        index: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for rid, rec in self.live.records.items():
            flat = flatten(rec, cols)
            for c in cols:
                target = key_of(flat.get(c.name))
                if target is not None and target != rid:
                    index[target].append((c.name, rid))
        return index

    def note(self, target: str) -> str | None:
        """'3 contacts point at it and lose the link: company.id of ids 79, 94; parentCompany.id of id 12'."""
        if not any(c.refers_to == self.endpoint.name for c in self.endpoint.columns):
            return None
        if not self.live.complete:
            return None  # only the records changed since the export were read: can't tell
        if self._index is None:
            self._index = self._build()
        refs = self._index.get(target, [])
        if not refs:
            return None
        by_col: dict[str, list[str]] = defaultdict(list)
        for col, rid in refs:
            by_col[col].append(rid)
        parts = []
        for col, ids in by_col.items():
            shown = ", ".join(ids[:MAX_NAMED]) + (f" and {len(ids) - MAX_NAMED:,} more" if len(ids) > MAX_NAMED else "")
            parts.append(f"{col} of {'id' if len(ids) == 1 else 'ids'} {shown}")
        n = len({rid for _, rid in refs})
        what = self.endpoint.name if n != 1 else self.endpoint.name.rstrip("s")
        return (f"{n:,} {what} {'points' if n == 1 else 'point'} at it and will lose the link "
                f"({'; '.join(parts)}); the undo workbook can't restore it")
