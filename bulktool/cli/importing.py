"""``bulktool import``: dry run by default; --apply writes through the journal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..importer import ImportOptions, run_import
from ..plan.model import ImportResult
from . import AppContext, handle_errors
from .export import make_progress


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
@click.option("--resume", is_flag=True, help="Continue an interrupted --apply from its journal.")
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
@click.pass_obj
@handle_errors
def import_cmd(
    app: AppContext, file: Path, do_apply: bool, sheet: str | None, endpoint: str | None, mode: str,
    skip_invalid: bool, allow_delete: bool, resume: bool, report_xlsx: Path | None, report_html: Path | None,
    report_json: Path | None, journal: Path | None, foreign: bool, yes: bool, quiet: bool,
) -> None:
    """Import FILE (xlsx or csv): validate, diff against live data, and show or apply the plan."""
    from ..reports import render_summary, write_html_report, write_json, write_xlsx_report

    connector = app.connector()
    options = ImportOptions(
        apply=False, sheet=sheet, endpoint=endpoint, mode=mode,  # type: ignore[arg-type]
        skip_invalid=skip_invalid, allow_delete=allow_delete, resume=resume, journal=journal, foreign=foreign,
    )
    progress = make_progress(quiet)
    try:
        if do_apply and sys.stdin.isatty() and not yes:
            preview = run_import(connector, file, options, progress)
            progress.close()
            click.echo(render_summary(preview.result))
            s = preview.result.summary
            if not click.confirm(f"Apply {s.create + s.update + s.delete} writes to {connector.tenant().label}?"):
                raise click.Abort()
            progress = make_progress(quiet)
        options.apply = do_apply
        outcome = run_import(connector, file, options, progress)
    finally:
        progress.close()
    result = outcome.result
    if report_json is not None and str(report_json) == "-":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(render_summary(result))
        if report_json is not None:
            write_json(result, report_json)
    if report_xlsx is not None:
        write_xlsx_report(result, report_xlsx)
    if report_html is not None:
        write_html_report(result, report_html)
    if outcome.undo_path is not None:
        click.echo(f"Undo workbook: {outcome.undo_path} (import it with --apply to restore the old values)",
                   err=True)
    if outcome.exit_code:
        line = exit_line(result, outcome.exit_code)
        if line:
            click.echo(line, err=True)
        click.get_current_context().exit(outcome.exit_code)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _one_line(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exit_line(result: ImportResult, exit_code: int) -> str | None:
    """The one stderr line that says why the exit code is not 0, naming the first row (and column) at fault.

    Scripts read stderr (stdout may be the JSON report), so a rejected sheet
    must explain itself there, like every other error.
    """
    if exit_code == 1:
        bad = [r for r in result.rows if r.action in ("invalid", "conflict")]
        if not bad:
            return None
        s = result.summary
        counts = " and ".join(p for p in (_plural(s.invalid, "invalid row") if s.invalid else "",
                                          _plural(s.conflict, "conflict") if s.conflict else "") if p)
        first = bad[0]
        if first.errors:
            e = first.errors[0]
            where = f"row {first.row}, column {e.column}" if e.column else f"row {first.row}"
            detail = f"{where}: {e.message}"
        else:
            detail = f"row {first.row}: {first.message or first.action}"
        return _one_line(f"Error: {counts} in sheet {first.sheet!r}, nothing was written (first: "
                         f"{_one_line(detail, 160)}); fix them, or apply the other rows with --skip-invalid")
    if exit_code == 3:
        failed = [r for r in result.rows if r.status in ("failed", "unknown")]
        if not failed:
            return None
        first = failed[0]
        return _one_line(f"Error: {_plural(len(failed), 'row')} not applied (first: row {first.row}: "
                         f"{_one_line(first.message, 160)}); run the same import with --resume to retry them")
    return None


COMMANDS = [import_cmd]
