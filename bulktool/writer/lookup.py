"""Read-only looks into other journals: what other inputs in the same folder already created."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .journal import _COLUMNS, SUFFIX, JournalEntry


def done_creates(path: str | os.PathLike[str], endpoint: str, hashes: Iterable[str]) -> dict[str, JournalEntry]:
    """Finished creates in another file's journal whose body hashes are among ``hashes``, read-only.

    Lets a plan notice a row without a natural key that was already created
    from a file with another name (its own journal cannot know it). Any
    problem reading that journal just means no match.
    """
    wanted = set(hashes)
    if not wanted:
        return {}
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error:
        return {}
    try:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM ops WHERE action = 'create' AND state = 'done' "
                            "AND endpoint = ? ORDER BY updated_at", (endpoint,)).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    out: dict[str, JournalEntry] = {}
    for r in rows:
        entry = JournalEntry(*r)
        if entry.payload_hash in wanted:
            out.setdefault(entry.payload_hash, entry)
    return out


def sibling_journals(journal_path: str | os.PathLike[str]) -> list[Path]:
    """The other inputs' journals in the same folder (``<input>`` + SUFFIX)."""
    own = Path(journal_path).absolute()
    try:
        return sorted(p for p in own.parent.glob(f"*{SUFFIX}") if p != own and p.is_file())
    except OSError:
        return []
