"""The lines ``bulktool import`` ends with: the one stderr line that explains a non-zero exit code,
and the exact command that resumes an interrupted apply."""

from __future__ import annotations

import shlex
from typing import Any

import click

from ..plan.model import ImportResult

DETAIL_CHARS = 160  # the part of an Error: line that quotes a row's message


def resume_command(ctx: click.Context | None = None) -> str:
    """The command line that continues this apply: the same options (as given) plus --resume."""
    ctx = ctx or click.get_current_context()
    words = ["bulktool"]
    if ctx.parent is not None:
        words += _options(ctx.parent.command, ctx.parent.params, skip={"verbose"})
    words.append(ctx.info_name or "import")
    words += [str(v) for p in ctx.command.params if isinstance(p, click.Argument)
              for v in _as_list(ctx.params.get(p.name or ""))]
    words += _options(ctx.command, ctx.params, skip={"resume", "do_apply", "quiet"})
    return shlex.join([*words, "--apply", "--resume"])


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _options(command: click.Command, params: dict[str, Any], *, skip: set[str]) -> list[str]:
    out: list[str] = []
    for p in command.params:
        if not isinstance(p, click.Option) or p.name in skip or p.name not in params:
            continue
        value = params[p.name]
        if value is None or value is False or value == p.default or value in ((), []):
            continue
        flag = max(p.opts, key=len)
        if p.is_flag:
            out.append(flag)
            continue
        for v in _as_list(value):
            out += [flag, str(v)]
    return out


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary with '…' (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def exit_line(result: ImportResult, exit_code: int, resume: str | None = None) -> str | None:
    """The one stderr line that says why the exit code is not 0, naming the first row (and column) at fault.

    Scripts read stderr (stdout may be the JSON report), so a rejected sheet
    must explain itself there, like every other error. Only the quoted row
    message is ever shortened: the advice at the end is always whole.
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
        return (f"Error: {counts} in sheet {_clip(first.sheet, 40)!r}, nothing was written (first: "
                f"{_clip(detail, DETAIL_CHARS)}); fix them, or apply the other rows with --skip-invalid")
    if exit_code == 3:
        failed = [r for r in result.rows if r.status in ("failed", "unknown")]
        if not failed:
            return None
        first = failed[0]
        head = f"Error: {_plural(len(failed), 'row')} not applied (first: row {first.row}: " \
               f"{_clip(first.message, DETAIL_CHARS)})"
        refused = [r for r in failed if r.permanent]
        retry = len(failed) - len(refused)
        if not retry:
            return (f"{head}; the server refused {'it' if len(failed) == 1 else 'them'}: fix "
                    f"{'that row' if len(failed) == 1 else 'those rows'} (see the report) and run the same "
                    "import again (what was applied is skipped)")
        if refused:
            return (f"{head}; fix the {_plural(len(refused), 'row')} the server refused, then run the same "
                    f"import with --resume to retry the {_plural(retry, 'other')}")
        return f"{head}; run the same import with --resume to retry {'it' if len(failed) == 1 else 'them'}"
    if exit_code == 130 and result.interrupted:
        applied = result.summary.applied
        line = (f"Interrupted: {_plural(applied, 'write')} applied, {result.not_sent:,} not sent. "
                "Nothing is lost: finish with")
        return f"{line} {resume}" if resume else f"{line} --resume"
    return None
