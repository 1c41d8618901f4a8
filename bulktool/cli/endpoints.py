"""``bulktool endpoints``: what can be exported and imported."""

from __future__ import annotations

import json

import click

from ..schema import load_templates
from . import AppContext, handle_errors

FOOTER = "Any other list path of the API exports too, with inferred columns: bulktool export PATH."


@click.command("endpoints")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list on stdout.")
@click.pass_obj
@handle_errors
def endpoints_cmd(app: AppContext, as_json: bool) -> None:
    """List the templated endpoints and their operations."""
    system = app.system_name
    templates = load_templates(system)
    rows = [
        {"name": e.name, "operations": list(e.operations), "path": e.list_path, "title": e.title}
        for e in sorted(templates.values(), key=lambda e: e.name)
    ]
    if as_json:
        click.echo(json.dumps({"system": system, "endpoints": rows}, ensure_ascii=False, indent=2))
        return
    width = max(len(r["name"]) for r in rows)
    owidth = max(len(",".join(r["operations"])) for r in rows)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {','.join(r['operations']):<{owidth}}  {r['path']}")
    # No example path: any example would be one vendor's, shown under every --system.
    click.echo(f"\n{FOOTER}")


COMMANDS = [endpoints_cmd]
