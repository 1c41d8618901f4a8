"""Progress reporting on stderr, or nowhere with --quiet.

Library code talks to the small ``Progress`` protocol; only the CLI picks the
rich implementation, so the library stays free of terminal concerns.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Protocol


class Progress(Protocol):
    def task(self, description: str, total: int | None = None, unit: str = "rows") -> None: ...
    def advance(self, n: int = 1, *, total: int | None = None) -> None: ...
    def describe(self, description: str) -> None: ...
    def note(self, message: str) -> None: ...
    def close(self) -> None: ...


class NullProgress:
    def task(self, description: str, total: int | None = None, unit: str = "rows") -> None:
        pass

    def advance(self, n: int = 1, *, total: int | None = None) -> None:
        pass

    def describe(self, description: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


class RichProgress:
    """A rich progress bar on stderr: count, rate and ETA; notes print above it."""

    def __init__(self, stream: Any = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as _RichProgress

        self.console = Console(file=stream or sys.stderr, highlight=False, soft_wrap=True)
        self._bar = _RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[unit]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=False, disable=not self.console.is_terminal,
        )
        self._bar.start()
        self._task: Any = None
        self._lock = threading.Lock()

    def task(self, description: str, total: int | None = None, unit: str = "rows") -> None:
        with self._lock:
            self._task = self._bar.add_task(description, total=total, unit=unit)

    def advance(self, n: int = 1, *, total: int | None = None) -> None:
        with self._lock:
            if self._task is None:
                return
            if total is not None:
                self._bar.update(self._task, total=total)
            self._bar.advance(self._task, n)

    def describe(self, description: str) -> None:
        with self._lock:
            if self._task is not None:
                self._bar.update(self._task, description=description)

    def note(self, message: str) -> None:
        self.console.print(message, markup=False)

    def close(self) -> None:
        self._bar.stop()
