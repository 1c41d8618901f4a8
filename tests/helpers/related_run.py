"""Build the parts of a related-rows run from a CSV and run them, in-process or as a child to be killed.

The CSV is a Blikk contacts sheet whose ``belongs to`` column names a company row of the same file by its
customer number: as the lookup resolver would, each such person row gets a ``Pending`` on ``company.id``.

Usage as a child (killed with SIGKILL by the test): python related_run.py BASE_URL APP_ID APP_SECRET CSV
"""

from __future__ import annotations

import signal
import sys
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
    ``at_least``; its exit code."""
    from helpers.killed_apply import kill_child_after as kill_command_after  # not on a child's path

    return kill_command_after([sys.executable, script, *args], writes_seen, at_least, timeout=timeout, sig=sig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
