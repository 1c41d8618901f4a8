"""Build the parts of a related-rows run from a CSV and run them, in-process or as a child to be killed.

The CSV is a Blikk contacts sheet whose ``belongs to`` column names a company row of the same file by its
customer number: as the lookup resolver would, each such person row gets a ``Pending`` on ``company.id``.

Usage as a child (killed with SIGKILL by the test): python related_run.py BASE_URL APP_ID APP_SECRET CSV
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bulktool.http.throttle import RateLimiter
from bulktool.importer import ImportOptions
from bulktool.migrate.run import RunOutcome, run_parts
from bulktool.plan.pending import Pending
from bulktool.plan.source import Source, load_source
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials


def connect(url: str, app_id: str, secret: str) -> BlikkConnector:
    return BlikkConnector(url, blikk_credentials(app_id, secret), limiter=RateLimiter(500))


def contacts_part(connector: BlikkConnector, csv: Path) -> Source:
    """The sheet, each person pending on the row of the company its ``belongs to`` cell names."""
    src = load_source(csv, connector.system, connector.host, tenant=connector.tenant())
    rows = {r.values.get("customerNumber"): r.row for r in src.sheet.rows}
    for r in src.sheet.rows:
        company = r.values.get("belongs to")
        if company:
            src.pending[r.row] = {"company.id": Pending(src.sheet.name, rows[company], "contacts")}
    return src


def run(connector: BlikkConnector, csv: Path, **options: object) -> RunOutcome:
    return run_parts(connector, csv, [contacts_part(connector, csv)], ImportOptions(**options))  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    url, app_id, secret, csv = argv
    connector = connect(url, app_id, secret)
    return run(connector, Path(csv), apply=True, workers=2).exit_code




def kill_child_after(args: list[str], writes_seen: Callable[[], int], at_least: int, *, timeout: float = 60,
                     sig: int = signal.SIGKILL, script: str = __file__) -> int:
    """Run ``script`` (this file) as a child with ``args``, send it ``sig`` once ``writes_seen()`` reaches
    ``at_least``; its exit code. (The child gets the default SIGINT disposition, as a terminal user's
    Ctrl-C meets.)"""
    proc = subprocess.Popen([sys.executable, script, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + timeout
        while writes_seen() < at_least:
            assert proc.poll() is None, f"the run ended before the kill: {proc.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the run never reached that many writes"
            time.sleep(0.002)
        os.kill(proc.pid, sig)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
