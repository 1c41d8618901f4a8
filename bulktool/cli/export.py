"""``bulktool export``: list endpoints -> one workbook."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import OutputError, UsageError
from ..export import check_output, export, parse_filters
from ..multico import export_chosen
from ..progress import NullProgress, Progress, RichProgress
from . import AppContext, handle_errors


def make_progress(quiet: bool) -> Progress:
    return NullProgress() if quiet else RichProgress()


def refuse_overwrite(path: Path, option: str = "--overwrite") -> None:
    """An existing workbook may hold hours of edits: replace it only when asked to."""
    if path.is_file():
        raise OutputError(
            f"{path} already exists and may hold your edits; choose another file, or pass {option} to replace it"
        )


def check_list_paths(system: str, names: tuple[str, ...]) -> None:
    """A detail path (/v1/Core/Contacts/12) is one record, not a list: name the list it belongs to."""
    from ..schema import load_templates

    by_path = {e.list_path.lower().rstrip("/"): e for e in load_templates(system).values()}
    for name in names:
        parts = name.rstrip("/").split("/")
        if not name.startswith("/") or len(parts) < 3 or not parts[-1].isdigit():
            continue
        parent = "/".join(parts[:-1])
        ep = by_path.get(parent.lower())
        also = f" (template {ep.name!r})" if ep else ""
        raise UsageError(
            f"{name} is a detail path (one record), not a list endpoint; export the list it belongs to: "
            f"{ep.list_path if ep else parent}{also}"
        )


@click.command("export")
@click.argument("endpoints", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Output file: .xlsx (one sheet per endpoint) or .csv (one endpoint).")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="Documented list filter, e.g. --filter contactType=company (repeatable). Finsit: its "
                   "query parameters (showAll, startDate...) go to the server, the other filters are applied "
                   "by bulktool after the read (exact, case-insensitive).")
@click.option("--sort", metavar="FIELD[:desc]",
              help="Sort by a documented field (Finsit sorts nothing: bulktool sorts after the read).")
@click.option("--detail", is_flag=True,
              help="Also fetch each record's detail shape (one request per record) for fields the list lacks.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists (default: refuse).")
@click.option("--company", "--companies", "companies", metavar="all|ID,ID|FILE", default=None,
              help="Export every company the sign-in sees (all), or those listed, into one sheet with a "
                   "companyId column.")
@click.pass_obj
@handle_errors
def export_cmd(
    app: AppContext, endpoints: tuple[str, ...], output: Path, filters: tuple[str, ...], sort: str | None,
    detail: bool, quiet: bool, as_json: bool, overwrite: bool, companies: str | None = None,
) -> None:
    """Export ENDPOINTS (template names or raw list paths) to a workbook.

    \b
    Examples:
      bulktool export contacts projects -o blikk.xlsx
      bulktool export contacts --detail --filter contactType=company -o companies.xlsx
      bulktool export /v1/Core/Tasks/12/Comments -o comments.csv
    """
    parsed = parse_filters(filters)
    check_list_paths(app.system_name, endpoints)
    check_output(output)
    if not overwrite:
        refuse_overwrite(output)
    companies = companies or app.many_companies()
    if companies and detail:
        raise UsageError("--detail and --company all do not go together: export the companies without --detail")
    connector = app.connector()
    progress = make_progress(quiet)
    try:
        if companies:
            result = export_chosen(connector, app.system_name, endpoints, output, companies, filters=parsed,
                                   sort=sort, progress=progress)
        else:
            result = export(connector, app.system_name, endpoints, output, filters=parsed, sort=sort,
                            detail=detail, progress=progress)
    finally:
        progress.close()
    for warning in result.warnings:  # not progress: shown with --quiet too
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        sheets = ", ".join(f"{name}: {n:,} {'row' if n == 1 else 'rows'}" for name, n in result.rows.items())
        where = f" from {len(result.companies):,} companies" if result.companies else ""
        click.echo(f"Wrote {output} ({sheets}){where} with {result.requests:,} requests in {result.seconds:.1f} s.")


COMMANDS = [export_cmd]
