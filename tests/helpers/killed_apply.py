"""Run the real CLI in a child process and SIGKILL it once the server has seen enough writes.

Shared by the exactly-once tests of every vendor: the journal must hold after a ``kill -9`` at any moment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping


def kill_apply_after(args: list[str], writes_seen: Callable[[], int], at_least: int, *,
                     env: Mapping[str, str] | None = None, timeout: float = 60) -> None:
    """``python -m bulktool *args``, killed with SIGKILL when ``writes_seen()`` reaches ``at_least``."""
    proc = subprocess.Popen([sys.executable, "-m", "bulktool", *args], env=dict(env or os.environ),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while writes_seen() < at_least:
            assert proc.poll() is None, f"the apply ended before the kill: {proc.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the apply never reached the write phase"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
