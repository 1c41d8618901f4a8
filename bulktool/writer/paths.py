"""Where an input's apply journal lives: beside the input, so a resume finds it again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SUFFIX = ".bulktool-journal.sqlite"


def default_journal_path(
    input_file: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None
) -> Path:
    """``<input>.bulktool-journal.sqlite`` beside the input, else under the user data dir.

    The fallback name carries a digest of the input's absolute path, so two
    inputs with the same name in different folders never share a journal.
    """
    src = Path(input_file).absolute()
    beside = src.with_name(src.name + SUFFIX)
    if beside.exists() or os.access(src.parent, os.W_OK):
        return beside
    if data_dir is None:
        import platformdirs

        data_dir = platformdirs.user_data_dir("bulktool", appauthor=False)
    digest = hashlib.sha256(str(src).encode("utf-8")).hexdigest()[:12]
    return Path(data_dir) / "journals" / f"{src.name}.{digest}{SUFFIX}"


# Which account a journal's writes went to. Why: the same file imported into a second account (another
# company on the same host) must not find the first account's writes "already applied" and skip its rows.
_ACCOUNT_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def journal_account(journal: str | os.PathLike[str]) -> str | None:
    """The account a journal belongs to; None when it does not exist or predates the record (bulktool 0.3)."""
    path = Path(journal)
    if not path.is_file():
        return None
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path.absolute()}?mode=ro", uri=True, timeout=30)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'account'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:  # no meta table yet, or not a journal (the journal itself says so when opened)
        return None
    return str(row[0]) if row else None


def claim_journal(journal: str | os.PathLike[str], account: str) -> None:
    """Record the account of a journal's writes, once (the first apply's account keeps it)."""
    import sqlite3

    conn = sqlite3.connect(Path(journal), timeout=30)
    try:
        with conn:
            conn.execute(_ACCOUNT_TABLE)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('account', ?)", (account,))
    finally:
        conn.close()


def account_journal(input_file: str | os.PathLike[str], account: str) -> Path:
    """The input's journal for ``account``: the usual one, unless another account's writes are in it; then
    ``<input>.account-<id>.bulktool-journal.sqlite`` beside it, one per further account."""
    plain = default_journal_path(input_file)
    if journal_account(plain) in (None, account):
        return plain
    return plain.with_name(f"{plain.name.removesuffix(SUFFIX)}.account-{account[:12]}{SUFFIX}")
