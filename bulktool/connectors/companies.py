"""Many companies behind one sign-in: which ones the credentials see, and which of them a run asks for.

An accounting office (or an agency) signs in once and works in many client companies. A connector
that can do so lists them (``Connector.visible_companies``) and makes a connector for one of them
(``Connector.for_company``), sharing what it can (the session, the rate limit). ``--company all``,
``--companies 12,13`` or ``--companies FILE`` (one id a line, ``#`` comments) choose among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..workbook.meta import record_id

ALL = "all"


@dataclass(frozen=True)
class Company:
    """One company the credentials can work in: its id (as text, the API's own) and its name."""

    id: str
    name: str


def parse_company_spec(spec: str) -> list[str] | None:
    """``all`` -> None (every visible company); ``12,13`` or a file of ids -> those ids, in order, once each."""
    text = spec.strip()
    if text.lower() == ALL:
        return None
    path = Path(text)
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--companies: cannot read {path}: {exc}") from None
        words = [w for line in lines for w in line.split("#", 1)[0].replace(",", " ").split()]
    else:
        words = [w for w in text.replace(";", ",").split(",") if w.strip()]
    ids = list(dict.fromkeys(record_id(w) or "" for w in words))
    ids = [i for i in ids if i]
    if not ids:
        raise UsageError(f"--companies {spec!r} names no company: give 'all', ids separated by commas, or a file "
                         "of ids (one a line)")
    return ids


def choose_companies(visible: Sequence[Company], wanted: list[str] | None) -> list[Company]:
    """The visible companies a run asks for; an id the credentials cannot see is a UsageError naming it."""
    if wanted is None:
        return list(visible)
    by_id = {c.id: c for c in visible}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        seen = ", ".join(f"{c.id} ({c.name})" for c in visible[:10]) or "none"
        more = f" and {len(visible) - 10} more" if len(visible) > 10 else ""
        raise UsageError(f"Company {', '.join(unknown)} is not visible to these credentials; the companies they "
                         f"can work in: {seen}{more}")
    return [by_id[w] for w in wanted]


__all__ = ["ALL", "Company", "choose_companies", "parse_company_spec"]
