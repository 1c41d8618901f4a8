"""``bulktool map suggest FILE ENDPOINT``: propose a mapping file for a foreign export.

Reads only the file and the templates: no connection, no credentials. The system is the one every
other command uses (``--system``, else the profile's, else the default).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..migrate.suggest import CONFIDENT, FieldSuggestion, Suggestion, suggest_mapping
from ..migrate.suggest_toml import to_toml
from ..schema import get_endpoint
from . import AppContext, handle_errors
from .export import refuse_overwrite


@click.group("map")
def map_group() -> None:
    """Mapping files for imports from other systems (bulktool import FILE --map MAPPING.toml)."""


def _source(s: FieldSuggestion) -> str:
    if s.join:
        return " + ".join(s.join)
    return f"{s.source} ({s.part} part)" if s.part else s.source


def _table(s: Suggestion, file_name: str) -> list[str]:
    lines = [f"Suggested mapping: {file_name} -> {s.system} {s.endpoint}"]
    if s.fields:
        fw = max(len(f.field) for f in s.fields)
        sw = max(len(_source(f)) for f in s.fields)
        lines.append(f"{'confidence':>10}  {'field':<{fw}}  {'column':<{sw}}  why")
        for f in s.fields:
            mark = "?" if f.confidence < CONFIDENT else " "
            lines.append(f"{f.confidence:>9.2f}{mark}  {f.field:<{fw}}  {_source(f):<{sw}}  {f.reason}")
        if any(f.confidence < CONFIDENT for f in s.fields):
            lines.append(f"? below {CONFIDENT}: written commented out; check it before use")
    else:
        lines.append("No column matched any field.")
    lines.append(f"Unmapped columns ({len(s.unmapped)}): {', '.join(s.unmapped) or '-'}")
    if s.missing:
        named = [f"{m} (one of: {', '.join(s.enums[m])})" if m in s.enums else m for m in s.missing]
        lines.append(f"Required fields nothing maps to: {', '.join(named)}")
    return lines


def _as_json(s: Suggestion, file_name: str, output: Path | None) -> str:
    doc = {
        "file": file_name, "system": s.system, "endpoint": s.endpoint,
        "fields": [{"field": f.field, "source": f.source, "confidence": f.confidence, "reason": f.reason,
                    "part": f.part, "join": list(f.join) or None, "confident": f.confidence >= CONFIDENT}
                   for f in s.fields],
        "unmapped": s.unmapped, "missing": s.missing, "output": str(output) if output else None,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


@map_group.command("suggest")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("endpoint")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the suggested mapping here (TOML, commented); refuses an existing file.")
@click.option("--sheet", metavar="NAME", default=None, help="The workbook sheet to read (default: the first).")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="The suggestions as JSON on stdout.")
@click.pass_obj
@handle_errors
def suggest_cmd(app: AppContext, file: Path, endpoint: str, output: Path | None, sheet: str | None,
                force: bool, as_json: bool) -> None:
    """Propose a mapping of FILE's columns onto ENDPOINT's fields, with a confidence for each."""
    from ..migrate.readers import read_raw

    ep = get_endpoint(app.system_name, endpoint)
    if output is not None and not force:
        refuse_overwrite(output, "--force")
    table = read_raw(file, sheet=sheet)
    suggestion = suggest_mapping(table, ep)
    if output is not None:
        output.write_text(to_toml(suggestion, file_name=file.name), encoding="utf-8")
    if as_json:
        click.echo(_as_json(suggestion, file.name, output))
        return
    for line in _table(suggestion, file.name):
        click.echo(line)
    if output is not None:
        click.echo(f"Wrote {output}: edit it, then: bulktool import {file.name} --map {output}")
    else:
        click.echo(f"Nothing written: add -o {file.stem}.toml to write this as a mapping file to edit")


COMMANDS = [map_group]
