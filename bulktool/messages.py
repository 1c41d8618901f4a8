"""Lists inside one-line messages, capped: a 300k-row sheet must not produce a 2 MB line."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

MAX_LISTED = 5


def capped(items: Iterable[object], limit: int = MAX_LISTED, *, sep: str = ", ") -> str:
    """'2, 3, 4, 5, 6 … and 299,995 more': the first ``limit`` items, then a count of the rest."""
    shown: list[str] = []
    rest = 0
    for item in items:
        if len(shown) < limit:
            shown.append(str(item))  # no thousands separators: they would read as list separators
        else:
            rest += 1
    text = sep.join(shown)
    return f"{text} … and {rest:,} more" if rest else text


def rows_text(rows: Iterable[int], limit: int = MAX_LISTED) -> str:
    """'row 7' or 'rows 2, 3, 4 … and 12 more'."""
    listed = list(rows)
    word = "row" if len(listed) == 1 else "rows"
    return f"{word} {capped(listed, limit)}"


def did_you_mean(name: str, choices: Collection[str], *, cutoff: float = 0.6) -> str:
    """ " (did you mean X?)" for the closest choice (difflib), else "": the one hint style of a misspelt name."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""
