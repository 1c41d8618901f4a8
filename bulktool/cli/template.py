"""``bulktool template``: a blank import workbook for one endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..export import check_output
from ..schema import get_endpoint
from ..templatebook import write_template
from ..workbook.blank import DEFAULT_ROWS
from . import AppContext, handle_errors
from .export import refuse_overwrite


@click.command("template")
@click.argument("endpoint")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The workbook to write (.xlsx; default ENDPOINT-template.xlsx).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists (default: refuse).")
@click.option("--no-lookups", is_flag=True,
              help="Do not connect: leave out the Lookups sheet and its dropdowns (no credentials needed).")
@click.option("--rows", type=click.IntRange(1, 100_000), default=DEFAULT_ROWS, show_default=True,
              help="How many data rows get the cell checks.")
@click.pass_obj
@handle_errors
def template_cmd(app: AppContext, endpoint: str, output: Path | None, force: bool, no_lookups: bool,
                 rows: int) -> None:
    """Write a blank import workbook for ENDPOINT: its writable columns, notes, checks and lookup lists.

    \b
    Examples:
      bulktool template contacts -o contacts.xlsx
      bulktool import contacts.xlsx          # after filling it in: the dry run
    """
    ep = get_endpoint(app.system_name, endpoint)  # an unknown name fails before any connection
    output = output or Path(f"{ep.name}-template.xlsx")
    if check_output(output) != "xlsx":
        raise UsageError(f"A template is a workbook: name it .xlsx, not {output.name!r}")
    if not force:
        refuse_overwrite(output, "--force")
    needs = not no_lookups and any(c.lookup is not None and c.writable for c in ep.columns)
    result = write_template(app.connector() if needs else None, app.system_name, ep.name, output, rows=rows)
    lists = ", ".join(f"{name}: {n:,}" for name, n in result.lookups.items())
    click.echo(f"Wrote {output} ({ep.name}: {len(result.headers):,} columns).")
    if result.lookups:
        click.echo(f"Lookups sheet: {lists} values, from {result.list_reads:,} list "
                   f"{'read' if result.list_reads == 1 else 'reads'} ({result.requests:,} requests).")
    elif no_lookups and any(c.lookup is not None for c in ep.columns):
        click.echo("Lookups sheet left out (--no-lookups): name the records by hand, as each header's note says.")
    click.echo(f"Fill it in, then: bulktool import {output}")


COMMANDS = [template_cmd]
