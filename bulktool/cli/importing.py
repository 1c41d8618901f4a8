"""``bulktool import``: dry run by default; --apply writes through the journal.

Exit codes: 0 ok (also: nothing to write); 1 invalid/conflict rows; 2 errors;
3 rows failed at the API; 4 you answered "no" at the confirmation prompt
(nothing written); 130 interrupted (Ctrl-C) during apply: the line printed
last is the exact ``--resume`` command that finishes it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..connectors.base import Connector
from ..errors import UsageError
from ..importer import ImportOptions, ImportOutcome
from ..migrate.load import MigrationOptions, run_migration
from ..migrate.transforms import check_date_format
from ..multico import run_multi_import
from ..plan.model import ImportResult
from ..writer.template_client import DEFAULT_BATCH_SIZE
from . import AppContext, handle_errors
from .export import make_progress
from .import_lines import exit_line, resume_command

__all__ = ["COMMANDS", "EXIT_DECLINED", "confirm_question", "delete_lines", "exit_line", "import_cmd",
           "resume_command"]

EXIT_DECLINED = 4
MAX_LISTED = 20  # records named in the delete confirmation


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--apply", "do_apply", is_flag=True, help="Write the changes (default: dry run, GET requests only).")
@click.option("--sheet", default=None, help="Sheet to import (needed when the workbook has several).")
@click.option("--endpoint", default=None, help="Endpoint template to use (default: from the export record or "
                                               "the sheet name).")
@click.option("--mode", type=click.Choice(["upsert", "create-only", "update-only"]), default="upsert",
              show_default=True, help="Rows without a match create records (upsert), or only create/update.")
@click.option("--skip-invalid", is_flag=True, help="Apply the valid rows and report the invalid/conflict ones.")
@click.option("--allow-delete", is_flag=True, help="Allow rows whose action column says delete.")
@click.option("--allow-clear", "allow_clear", multiple=True, metavar="FIELD",
              help="Let updates clear FIELD (e.g. location), which the update cannot resend; repeatable.")
@click.option("--resume", is_flag=True, help="Continue an interrupted --apply from its journal.")
@click.option("--batch-size", "batch_size", type=click.IntRange(1, 1000), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Records per request where the API has bulk operations (1: one per request).")
@click.option("--report", "report_xlsx", type=click.Path(path_type=Path), default=None,
              help="Write an xlsx report: your sheet with changes highlighted and Result/Message columns.")
@click.option("--html", "report_html", type=click.Path(path_type=Path), default=None,
              help="Write a self-contained HTML report.")
@click.option("--json", "report_json", type=click.Path(path_type=Path, allow_dash=True), default=None,
              help="Write the JSON report to this file ('-' for stdout).")
@click.option("--journal", type=click.Path(path_type=Path), default=None,
              help="Journal file (default: next to FILE).")
@click.option("--foreign", is_flag=True, help="Ignore the file's export record (e.g. one exported from another "
                                              "account): every value that differs from live data is a change.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation before --apply.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--company", "--companies", "companies", metavar="all|ID,ID|FILE", default=None,
              help="A sheet with a companyId column: import only these companies' rows (default: every row).")
@click.option("--map", "mapping", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="MAPPING.toml", help="A file from another system: how its columns map onto the endpoint's "
                                           "fields (bulktool map suggest FILE ENDPOINT writes one).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Give FIELD this value in every row (a foreign file); repeatable.")
@click.option("--date-format", "date_format", default=None, metavar="FORMAT",
              help="How the file writes dates, e.g. %m/%d/%Y (default: guessed per column).")
@click.pass_obj
@handle_errors
def import_cmd(
    app: AppContext, file: Path, do_apply: bool, sheet: str | None, endpoint: str | None, mode: str,
    skip_invalid: bool, allow_delete: bool, allow_clear: tuple[str, ...], resume: bool,
    report_xlsx: Path | None, report_html: Path | None, report_json: Path | None, journal: Path | None,
    foreign: bool, yes: bool, quiet: bool, batch_size: int = DEFAULT_BATCH_SIZE, companies: str | None = None,
    mapping: Path | None = None, sets: tuple[str, ...] = (), date_format: str | None = None,
) -> None:
    """Import FILE: validate, diff against live data, and show or apply the plan.

    FILE is an export (xlsx or csv), a filled-in template, or with --map/--set a file from another system
    (csv/txt in any common encoding, xlsx, xls, ods). A sheet with a companyId column
    (``export --company all``) goes to each row's company.
    """
    migration = MigrationOptions(mapping, tuple(sets), date_format, endpoint, mode, sheet)
    if date_format is not None and (why := check_date_format(date_format)):
        raise UsageError(f"--date-format {date_format!r}: {why}")
    spec = companies or app.many_companies()
    connector = app.connector()
    options = ImportOptions(
        apply=False, sheet=sheet, endpoint=endpoint, mode=mode,  # type: ignore[arg-type]
        skip_invalid=skip_invalid, allow_delete=allow_delete, resume=resume, journal=journal, foreign=foreign,
        allow_clear=tuple(allow_clear), batch_size=batch_size, companies=None if spec == "all" else spec,
    )
    outcomes: list[ImportOutcome] | None = None
    to_stdout = report_json is not None and str(report_json) == "-"
    progress = make_progress(quiet)

    def run() -> list[ImportOutcome]:
        if migration.wanted:
            return run_migration(connector, file, migration, options, progress).parts
        return [run_multi_import(connector, file, options, progress)]

    try:
        if do_apply and interactive() and not yes:
            preview = run()
            progress.close()
            outcomes = _confirm(preview, connector.tenant().label, skip_invalid, resume, err=to_stdout)
            progress = make_progress(quiet)
        if outcomes is None:
            options.apply = do_apply
            outcomes = run()
    finally:
        progress.close()
    shown = do_apply and not options.apply  # stopped at the prompt: the preview's summary is on screen
    for o in outcomes:
        o.result.account = _account(app, connector)
    _report([o.result for o in outcomes], report_json, report_xlsx, report_html, summary=not shown)
    for outcome in outcomes:
        result = outcome.result
        if outcome.undo_path is not None:
            click.echo(f"Undo workbook: {outcome.undo_path} (import it with --apply to restore the old values)",
                       err=True)
        elif result.companies and result.undo:  # one per company: each imports into its own company
            click.echo(f"Undo workbooks: {result.undo} (import each with --company ID --apply to restore the old "
                       "values)", err=True)
    code = max(o.exit_code for o in outcomes)
    if code:
        worst = next(o for o in outcomes if o.exit_code == code)
        line = exit_line(worst.result, code, resume_command())
        if line:
            click.echo(line, err=True)
        click.get_current_context().exit(code)


def interactive() -> bool:
    """Whether a person can answer the confirmation prompt."""
    return sys.stdin.isatty()


def _confirm(
    preview: list[ImportOutcome], host: str, skip_invalid: bool, resume: bool, *, err: bool
) -> list[ImportOutcome] | None:
    """Show the plan (of each part of a run) and ask once; outcomes here mean: stop, this is the answer."""
    from ..reports import render_summary

    results = [o.result for o in preview]
    if any(r.unfinished for r in results) and not resume:
        return None  # the apply refuses an unfinished journal (and says --resume): don't ask first
    for result in results:
        click.echo(render_summary(result), err=err)
    if any(o.exit_code == 1 for o in preview) and not skip_invalid:
        return preview  # the apply would refuse (the exit line says why): asking would waste the answer
    if sum(r.write_requests for r in results) == 0:
        click.echo("Nothing to write: no row needs a change, so nothing was sent.", err=True)
        return preview
    for result in results:
        for line in delete_lines(result):
            click.echo(line, err=err)
    if not click.confirm(confirm_question(results, host), err=err):
        click.echo("Nothing was written (you answered no).", err=True)
        for o in preview:
            o.exit_code = o.result.exit_code = EXIT_DECLINED
        return preview
    return None


def confirm_question(results: ImportResult | list[ImportResult], host: str) -> str:
    parts = results if isinstance(results, list) else [results]
    n = sum(r.write_requests for r in parts)
    return f"Apply {n:,} {'write' if n == 1 else 'writes'} to {host}?"


def delete_lines(result: ImportResult) -> list[str]:
    """The records a confirmed apply deletes, by name and key: ids alone say nothing to a person."""
    rows = [r for r in result.rows if r.action == "delete" and r.status == "planned"]
    if not rows:
        return []
    n = len(rows)
    head = (f"This permanently deletes {n:,} {'record' if n == 1 else 'records'}. Their ids can't come back: "
            "the undo workbook can only re-create them as new records with new ids.")
    lines = [head]
    for r in rows[:MAX_LISTED]:
        label = f" {r.label}" if r.label else ""
        lines.append(f"  row {r.row}: id {r.id}{label}")
        lines += [f"    {w}" for w in r.warnings if "lose the link" in w]  # dependents (plan.dependents)
    if n > MAX_LISTED:
        lines.append(f"  ... and {n - MAX_LISTED:,} more")
    return lines


def _account(app: AppContext, connector: Connector) -> str:
    """The account as the prompt names it: the tenant label (app fingerprint, host, profile)."""
    return connector.tenant().label


def _report(results: list[ImportResult], report_json: Path | None, report_xlsx: Path | None,
            report_html: Path | None, *, summary: bool) -> None:
    """Each part's report; a run of several parts (a mapping with targets) writes one JSON document with a
    ``parts`` list, and one xlsx/HTML report per part (``report-<part>.xlsx`` after the first)."""
    from ..reports import render_summary, write_html_report, write_json, write_xlsx_report

    several = len(results) > 1
    if report_json is not None:
        doc: Any = {"parts": [r.to_json() for r in results]} if several else results[0].to_json()
        if str(report_json) == "-":
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        elif several:
            report_json.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n",
                                   encoding="utf-8")
        else:
            write_json(results[0], report_json)
    if summary and not (report_json is not None and str(report_json) == "-"):
        for result in results:
            click.echo(render_summary(result))
    for i, result in enumerate(results):
        if report_xlsx is not None:
            write_xlsx_report(result, _part_path(report_xlsx, result, i))
        if report_html is not None:
            write_html_report(result, _part_path(report_html, result, i))


def _part_path(path: Path, result: ImportResult, i: int) -> Path:
    return path if i == 0 else path.with_name(f"{path.stem}-{result.sheet}{path.suffix}")


COMMANDS = [import_cmd]
