"""References to records that another row of the same run creates (a person whose company is a row above)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    """The id column of a row waits for the record row ``row`` of sheet ``sheet`` (template ``endpoint``) creates.

    The dry run shows it as "creates after row 12"; the apply writes that row first and fills in its new id
    (or, on a resume, the id the journal recorded for it).
    """

    sheet: str
    row: int
    endpoint: str
