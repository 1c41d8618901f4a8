"""Which rows of a run must wait for others: parents first, in waves, and the cycles that cannot be ordered.

Why: a row may name a record another row of the same run creates (``Source.pending``). Its id is known
only once that row is written, so the run writes in waves: wave 0 holds every row that waits for nobody,
wave n the rows whose parents are all in earlier waves. A cycle (a row that, through its parents, waits
for itself) can never be written: each row in it is invalid, with a message naming the row it refers to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .pending import Pending
from .source import Source

RowRef = tuple[str, int]  # (sheet of the part, row number)


@dataclass
class Waves:
    """The wave of each row that waits for another (absent: wave 0), and the rows that can never be written.

    ``invalid``: row -> (id column, message), for a cycle or a reference to a row not in the run.
    """

    level: dict[RowRef, int] = field(default_factory=dict)
    invalid: dict[RowRef, tuple[str, str]] = field(default_factory=dict)

    def wave_of(self, sheet: str, row: int) -> int:
        return self.level.get((sheet, row), 0)

    @property
    def count(self) -> int:
        """How many waves the run takes (1: nothing waits)."""
        return max(self.level.values(), default=0) + 1


def where(ref: RowRef | Pending, here: str) -> str:
    """How a message names a row: "row 12" in the same part, "Companies row 12" in another."""
    sheet, row = (ref.sheet, ref.row) if isinstance(ref, Pending) else ref
    return f"row {row}" if sheet == here else f"{sheet} row {row}"


def order_waves(parts: Sequence[Source]) -> Waves:
    """Order the rows of ``parts`` so that every row comes after the rows it refers to (see module doc)."""
    present = {(p.sheet.name, r.row) for p in parts for r in p.sheet.rows}
    edges: dict[RowRef, list[tuple[str, RowRef]]] = {}
    waves = Waves()
    for part in parts:
        name = part.sheet.name
        for row, refs in part.pending.items():
            node = (name, row)
            for column, pend in refs.items():
                target = (pend.sheet, pend.row)
                if target not in present:
                    waves.invalid.setdefault(node, (column, f"refers to row {pend.row} ({pend.sheet}), which is "
                                                           "not in this run"))
                    continue
                edges.setdefault(node, []).append((column, target))
    _relax(edges, waves.level, set())
    stuck = [n for n in edges if n not in waves.level]
    for node in stuck:
        for column, target in edges[node]:
            if target == node:
                waves.invalid[node] = (column, f"refers to itself (row {node[1]})")
                break
            if target not in waves.level and _reaches(edges, target, node):
                waves.invalid[node] = (column, f"refers to row {target[1]} ({target[0]}), which refers back "
                                               "to this row")
                break
    # A row that waits for a row of a cycle goes after it and learns there that its parent is invalid.
    _relax(edges, waves.level, {n for n in stuck if n in waves.invalid})
    return waves


def _relax(edges: dict[RowRef, list[tuple[str, RowRef]]], level: dict[RowRef, int], settled: set[RowRef]) -> None:
    """Give each row whose parents all have a wave the wave after theirs, until nothing changes."""
    for node in settled:
        level.setdefault(node, 0)
    changed = True
    while changed:
        changed = False
        for node, refs in edges.items():
            if node in level:
                continue
            parents = [level.get(t) if t in edges or t in level else 0 for _, t in refs]
            if all(p is not None for p in parents):
                level[node] = 1 + max(p for p in parents if p is not None)
                changed = True


def _reaches(edges: dict[RowRef, list[tuple[str, RowRef]]], start: RowRef, goal: RowRef) -> bool:
    seen: set[RowRef] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        todo += [t for _, t in edges.get(node, [])]
    return False
