"""Requests for a 5,000-row migration into Blikk contacts (issue 10, acceptance 5).

Run: python bench/bench_migration_requests.py [--companies 1250] [--persons 3750]

Writes the seeded customer register of tests/helpers/migration_data.py (companies and their persons in one
``;`` file, persons naming their company by org number or name, a responsible user by name) and
applies it with ``import --map --apply`` through the CLI, in process, against a Blikk sandbox. Every request
the sandbox saw is counted, the token included, by kind. The fewest possible is: the token, one list read
per reference type the mapping looks up (users for ``responsible``, contacts for ``company``), the pages of
one read of the live contacts (the natural-key match), and one POST per create (Blikk has no bulk create).
It prints the count, that floor and their ratio, and checks that every person ended up linked to its company.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers.migration_data import MIGRATION_MAPPING, Migration, companies_and_persons

PAGE = 100  # the Blikk connector's page size
LOOKUP_TYPES = ("users", "contacts")  # the mapping's lookup columns: responsible, company


def kind(method: str, path: str) -> str:
    """``GET /v1/Core/Contacts`` (a list page) or ``GET /v1/Core/Contacts/{id}`` (one record)."""
    parts = path.split("?")[0].split("/")
    return method + " " + "/".join("{id}" if p.isdigit() else p for p in parts)


def migrate(srv: SandboxServer, tmp: Path, data: Migration) -> tuple[int, Counter[str]]:
    """One ``import --map --apply`` of the file; (every request including the token, requests by kind)."""
    path, mapping = tmp / "kunder.csv", tmp / "kunder.toml"
    data.write(path)
    mapping.write_text(MIGRATION_MAPPING, encoding="utf-8")
    srv.reset_stats()
    tokens = srv.token_requests()
    res = CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "1000", "import", str(path), "--map",
                                   str(mapping), "--apply", "--yes", "--quiet"],
                             env={"BLIKK_APP_ID": srv.app_id, "BLIKK_APP_SECRET": srv.app_secret,
                                  "BULKTOOL_CONFIG": str(tmp / "config.toml")})
    if res.exit_code != 0:
        raise SystemExit(f"the migration failed (exit {res.exit_code}):\n{res.output[-2000:]}")
    kinds = Counter(kind(m, p) for m, p, _ in srv.request_log())
    assert sum(kinds.values()) == srv.stats()["total"]
    kinds["token"] = srv.token_requests() - tokens
    return sum(kinds.values()), kinds


def linked(srv: SandboxServer, data: Migration) -> int:
    """How many persons the server links to the company the file named for them."""
    ours = {c["customerNumber"]: c for c in srv.records("contacts") if str(c["customerNumber"] or "")[:1] == "P"}
    ids = {c["customerNumber"]: c["id"] for c in srv.records("contacts")}
    return sum(1 for k, c in ours.items() if (c["company"] or {}).get("id") == ids.get(data.company_of[k]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=1250)
    ap.add_argument("--persons", type=int, default=3750)
    args = ap.parse_args()
    data = companies_and_persons(args.companies, args.persons)
    rows = len(data.rows)
    with SandboxServer(SandboxConfig(contacts=60, port=0, rate_limit=100000)) as srv, \
            tempfile.TemporaryDirectory() as tmp:
        live = len(srv.records("contacts"))
        total, kinds = migrate(srv, Path(tmp), data)
        ok = linked(srv, data)
    floor = 1 + len(LOOKUP_TYPES) + math.ceil((live + 1) / PAGE) + rows
    print(f"{rows} rows ({args.companies} companies + {args.persons} persons), {live} contacts live, "
          f"import --map --apply:")
    print(f"  {total} requests; the fewest possible {floor} (token 1, lookups {len(LOOKUP_TYPES)}, "
          f"live list pages {math.ceil((live + 1) / PAGE)}, creates {rows}): {total / floor:.3f}x")
    print(f"  creates: {kinds['POST /v1/Core/Contacts']}; other requests: {total - kinds['POST /v1/Core/Contacts']}")
    print("  " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print(f"  persons linked to the right company: {ok} of {args.persons}")


if __name__ == "__main__":
    main()
