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
