"""Write an output workbook through a temp file renamed into place: a failed or killed write leaves
no half-written file, and an existing one stays as it was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """An OSError while writing ``path`` as the one-line OutputError the CLI prints."""
    try:
        yield
    except PermissionError:
        raise OutputError(f"Cannot write {path}: permission denied") from None
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}") from None


# ``reports._common.atomic_write`` keeps its own messages (a missing folder named; strerror as the OS says it).
def replace_atomically(path: Path, write: Callable[[Path], object], *, suffix: str = ".xlsx") -> None:
    """``write`` a temp file beside ``path`` (named ``suffix``, which a writer may go by), then rename it."""
    with output_errors(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
