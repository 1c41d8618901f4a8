"""``bulktool demo``: see bulktool work with no account and no setup."""

from __future__ import annotations

from pathlib import Path

import click

from ..demo import DEMO_WORKBOOK, run_demo
from . import AppContext, handle_errors
from .export import make_progress, refuse_overwrite


@click.command("demo")
@click.option("--dir", "out_dir", type=click.Path(path_type=Path), default=Path("bulktool-demo"),
              show_default=True, help="Folder for the workbook and the sandbox database.")
@click.option("--contacts", type=int, default=200, show_default=True, help="How many sample contacts.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--overwrite", is_flag=True, help="Replace an existing demo workbook (default: refuse).")
@click.pass_obj
@handle_errors
def demo_cmd(app: AppContext, out_dir: Path, contacts: int, quiet: bool, overwrite: bool) -> None:
    """Start the embedded sandbox, export it, and say where the workbook is."""
    if not overwrite:
        refuse_overwrite(out_dir / DEMO_WORKBOOK)
    progress = make_progress(quiet)
    try:
        result = run_demo(out_dir, contacts=contacts, progress=progress)
    finally:
        progress.close()
    rows = ", ".join(f"{k}: {v}" for k, v in result.export.rows.items())
    click.echo(f"Demo workbook: {result.workbook.resolve()}")
    click.echo(f"Sheets: {rows}")
    click.echo("Next: edit it in Excel or LibreOffice, then rehearse the import against the same sandbox data:")
    click.echo(f"  bulktool sandbox --db {result.sandbox_db} --port {result.port}    # in another terminal")
    click.echo("  export BLIKK_APP_ID=sandbox-app BLIKK_APP_SECRET=sandbox-secret")
    click.echo(f"  bulktool --base-url http://127.0.0.1:{result.port} import {result.workbook} --sheet contacts")


COMMANDS = [demo_cmd]
