"""Plan-level warnings about what the rows add up to: things no single row can show.

- Rows to create without a natural key value are found again only by this
  file's journal: the same data from a file with another name creates them twice.
- A column that changed in nearly every row, by values merely moving between
  rows, while the other columns stayed put, is the mark of one column sorted on
  its own in a spreadsheet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..schema.model import Endpoint
from .model import RowResult

if TYPE_CHECKING:
    from .planner import Plan

SORTED_MIN_ROWS = 5  # below this, "nearly every row" is chance
SORTED_SHARE = 0.8  # the column changed in at least this share of the rows matched to records
OTHERS_SHARE = 0.1  # ... while no other column changed in more than this share
KEYLESS_MESSAGE = "no {key}: importing this row again creates it again"


def keyless_create_warnings(ep: Endpoint, plan: Plan) -> list[str]:
    """Per-row warning on creates without a natural key value, and one summary line for the plan."""
    creates = [pw for pw in plan.writes if pw.action == "create"]
    key = " or ".join(ep.natural_key) or None  # a row may be keyed by any of them (live.row_key)
    # A create with the row's own client-given id is known by that id (a re-run finds it, a second POST
    # of it is refused as existing); one whose id was made up is known only to this file's journal.
    keyless = [pw for pw in creates if (key is None or pw.key_value in (None, ""))
               and not (pw.record_id is not None and pw.generated is None)]
    if not keyless:
        return []
    for pw in keyless:
        pw.result.warnings.append(KEYLESS_MESSAGE.format(key=key or "natural key"))
    n = len(keyless)
    rows = ", ".join(str(pw.result.row) for pw in keyless[:10]) + (f" and {n - 10:,} more" if n > 10 else "")
    what = f"no {key}" if key else f"no natural key ({ep.name} has none)"
    noun = "row" if n == 1 else "rows"
    them = "it" if n == 1 else "them"
    return [f"{n:,} {noun} to create {'has' if n == 1 else 'have'} {what} (row{'' if n == 1 else 's'} {rows}): "
            f"only this file's journal recognises {them} on a re-run; importing the same data from a file "
            f"with another name creates {them} again"]


def sorted_column_warnings(rows: Sequence[RowResult]) -> list[str]:
    """'61 of 62 name values changed ...' when one column's values were shuffled between rows."""
    matched = [r for r in rows if r.action in ("update", "unchanged", "conflict") and r.id is not None]
    total = len(matched)
    if total < SORTED_MIN_ROWS:
        return []
    changed: dict[str, list[tuple[Any, Any]]] = {}
    for r in matched:
        for name, ch in r.changes.items():
            changed.setdefault(name, []).append((ch.old, ch.new))
    out = []
    for name, pairs in changed.items():
        n = len(pairs)
        others = max((len(p) for k, p in changed.items() if k != name), default=0)
        if n < SORTED_MIN_ROWS or n < SORTED_SHARE * total or others > OTHERS_SHARE * total:
            continue
        olds, news = Counter(_key(o) for o, _ in pairs), Counter(_key(v) for _, v in pairs)
        moved = sum((olds & news).values())
        if moved < SORTED_SHARE * n:
            continue  # new values, not old ones moved around: a mass update, not a sort
        out.append(f"{n:,} of {total:,} {name} values changed while the other columns did not, and the values "
                   f"only moved between rows; was one column sorted on its own?")
    return out


def _key(value: Any) -> str:
    return repr(value)
