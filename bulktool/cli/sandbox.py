"""``bulktool sandbox``: run the local API emulator in the foreground."""

from __future__ import annotations

from pathlib import Path

import click

from . import AppContext, handle_errors


@click.command("sandbox")
@click.option("--port", type=int, default=8765, show_default=True, help="Loopback port (0 = any free port).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="SQLite file to keep data across restarts (default: in memory).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed for the deterministic sample data.")
@click.option("--contacts", type=int, default=200, show_default=True,
              help="How many contacts (Blikk) or customers (Tripletex) to seed.")
@click.option("--companies", type=click.IntRange(1, 1000), default=None,
              help="Finsit: how many companies the sandbox's agency has (default 5).")
@click.option("--latency", type=float, default=0.0, show_default=True, help="Seconds added to every answer.")
@click.option("--fail-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of API requests answered 503 before doing anything.")
@click.option("--drop-after-commit", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of writes committed and then answered by closing the connection.")
@click.option("--burst-429", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of requests answered 429 regardless of the rate.")
@click.option("--rate-limit", type=int, default=None,
              help="Requests per period per caller (default: the API's own, Blikk 4/second, Tripletex 100).")
@click.option("--rate-period", type=float, default=None, metavar="SECONDS",
              help="Length of the rate-limit period (default: the API's own).")
@click.option("--no-reset-on-429", "reset_on_429", flag_value=False, default=True,
              help="Answer 429 without X-Rate-Limit-Reset (reported of the real Tripletex).")
@click.option("--accounts", type=click.IntRange(1, 9), default=1, show_default=True,
              help="Customer accounts on this host, each with its own credentials and data (same ids); "
                   "Tripletex always has at least 4 companies.")
@click.option("--clock-offset", "clock_offset", type=float, default=0.0, show_default=True, metavar="SECONDS",
              help="Run the server's clock ahead (+) or behind (-) real time, e.g. -2700 for 45 minutes behind.")
@click.pass_obj
@handle_errors
def sandbox_cmd(
    app: AppContext, port: int, db_path: Path | None, seed: int, contacts: int, companies: int | None,
    latency: float, fail_rate: float,
    drop_after_commit: float, burst_429: float, rate_limit: int | None, rate_period: float | None, reset_on_429: bool,
    accounts: int, clock_offset: float,
) -> None:
    """Run a local emulator of the --system's API (quirks included) to rehearse imports safely."""
    from ..sandbox import SandboxConfig, SandboxServer

    cfg = SandboxConfig(
        system=app.system_name, db_path=db_path, seed=seed, contacts=contacts, companies=companies,
        latency=latency, fail_rate=fail_rate,
        drop_after_commit=drop_after_commit, burst_429=burst_429, rate_limit=rate_limit, port=port,
        rate_period=rate_period, rate_reset_on_429=reset_on_429,
        accounts=accounts, clock_offset_seconds=clock_offset,
    )
    server = SandboxServer(cfg)
    click.echo(server.banner())
    click.echo("Press Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.", err=True)


COMMANDS = [sandbox_cmd]
