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


def kill_child_after(cmd: list[str], writes_seen: Callable[[], int], at_least: int, *,
                     env: Mapping[str, str] | None = None, timeout: float = 60, sig: int = signal.SIGKILL,
                     what: str = "run") -> int:
    """Run ``cmd`` as a child, send it ``sig`` once ``writes_seen()`` reaches ``at_least``; its exit code.

    The child gets the default SIGINT disposition, as a terminal user's Ctrl-C meets.
    """
    proc = subprocess.Popen(cmd, env=dict(env or os.environ), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + timeout
        while writes_seen() < at_least:
            assert proc.poll() is None, f"the {what} ended before the kill: {proc.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"the {what} never reached {at_least} writes"
            time.sleep(0.002)
        os.kill(proc.pid, sig)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def kill_apply_after(args: list[str], writes_seen: Callable[[], int], at_least: int, *,
                     env: Mapping[str, str] | None = None, timeout: float = 60) -> None:
    """``python -m bulktool *args``, killed with SIGKILL when ``writes_seen()`` reaches ``at_least``."""
    code = kill_child_after([sys.executable, "-m", "bulktool", *args], writes_seen, at_least, env=env,
                            timeout=timeout, what="apply")
    assert code == -signal.SIGKILL
