"""Run apply_ops against a file-backed fake server until the test kills this process with SIGKILL.

Usage: python kill9_child.py SERVER_DB JOURNAL N_CREATES HANG_KEY UPDATE_ID[,UPDATE_ID...]

The create of HANG_KEY commits on the server and then never answers, so at
the moment of the kill at least one write is committed server-side while the
journal still says 'sent': the case a resume must not duplicate.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_writes import Call, FakeWriteClient, kill_scenario_ops

from bulktool.writer.apply import apply_ops
from bulktool.writer.journal import Journal


def main(argv: list[str]) -> int:
    server_db, journal_path, n_creates, hang_key, update_ids = argv
    ops = kill_scenario_ops(int(n_creates), [u for u in update_ids.split(",") if u])

    def faults(call: Call) -> str | None:
        return "hang_after" if call.method == "create" and call.target == hang_key else None

    client = FakeWriteClient(server_db, faults=faults, latency=0.01, after_commit_latency=0.02)
    journal = Journal(journal_path)
    apply_ops(ops, client, journal, workers=4)
    journal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
