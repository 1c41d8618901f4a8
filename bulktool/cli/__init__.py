"""The thin command line: parse options, call one library function, map errors to one line.

Exit codes: 0 ok; 1 invalid/conflict rows (import); 2 usage, config or
connection errors; 3 apply finished with rows failed at the API; 4 "no" at
the confirmation prompt (nothing written); 130 interrupted (Ctrl-C).

With ``--json -`` an error is a JSON object on stdout too
(``{"error": ..., "exit_code": 2}``), so a script never parses an empty stdout.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from .. import __version__
from ..errors import BulktoolError
from ..http.security import RedactingFilter, redact
from ..vendors import CONNECTORS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    system: str | None
    base_url: str | None
    profile: str | None
    verbose: int
    rate: int | None = None
    company: str | None = None
    agency: str | None = None
    org: str | None = None

    def connection(self) -> Any:
        from ..config import resolve_connection

        options = {"company": self.company, "agency": self.agency, "org": self.org}
        return resolve_connection(self.system, self.base_url, self.profile, options)

    def many_companies(self) -> str | None:
        """A global ``--company`` that names many companies (``all``, ``12,13``, a file) rather than one."""
        spec = (self.company or "").strip()
        many = spec.lower() == "all" or any(sep in spec for sep in ",;") or Path(spec).is_file()
        if not spec or not many:
            return None  # one company id, whatever its vendor's spelling (12345, a-agency-556898-6787)
        self.company = None  # the sign-in itself stays the token's own company
        return spec

    def connector(self) -> Any:
        from ..vendors import connector_class

        conn = self.connection()
        connector = connector_class(conn.system).connect(conn.base_url, conn.credentials, rate=self.rate)
        connector.profile = conn.profile  # named in labels: "app 1a2b3c4d on host (profile acme)"
        return connector

    @property
    def system_name(self) -> str:
        if self.system:
            return self.system.lower()
        if self.profile:
            from ..config import load_profile

            return str(load_profile(self.profile).get("system", "blikk")).lower()
        return "blikk"


def handle_errors(func: F) -> F:
    """One clear line on stderr and a meaningful exit code; a traceback only with -v."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        verbose = getattr(ctx.find_object(AppContext), "verbose", 0)
        try:
            return func(*args, **kwargs)
        except BulktoolError as exc:
            if verbose:
                click.echo(redact(traceback.format_exc()), err=True)
            message = redact(str(exc))
            click.echo(f"Error: {message}", err=True)
            _json_error(ctx, message, exc.exit_code)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            text = getattr(exc, "message", None) or "Interrupted."
            if text == "Interrupted." and ctx.params.get("do_apply"):
                # An interrupt during the writes is reported by the import itself; this one came after them.
                text += " If writes had started, run the same import with --apply --resume to finish them."
            click.echo(text, err=True)
            _json_error(ctx, "interrupted", 130)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if verbose:
                click.echo(redact(traceback.format_exc()), err=True)
            message = f"unexpected {type(exc).__name__}: {redact(str(exc))} (run with -v for details)"
            click.echo(f"Error: {message}", err=True)
            _json_error(ctx, message, 2)
            ctx.exit(2)

    return wrapper  # type: ignore[return-value]


class BulktoolGroup(click.Group):
    """click's "No such option: --base-url" for a global option after the command says where it goes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["bulktool.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            hint = misplaced_global_option(self, exc.option_name, ctx.meta.get("bulktool.argv", []))
            if hint is None:
                raise
            raise click.UsageError(hint, ctx=exc.ctx) from None


def misplaced_global_option(group: click.Group, name: str, argv: list[str]) -> str | None:
    """'--rate is a global option: put it before the command: bulktool --rate 2 export ...', or None."""
    option = next((p for p in group.params if isinstance(p, click.Option) and name in p.opts), None)
    if option is None:
        return None
    takes_value = not (option.is_flag or option.count)
    start = next((i for i, a in enumerate(argv) if a in group.commands), None)
    if start is None:
        return None

    def matches(token: str) -> bool:
        if token == name or token.startswith(name + "="):
            return True
        return option.count and len(name) == 2 and token.startswith(name) and set(token[1:]) == {name[1]}

    moved: list[str] = []
    rest = list(argv[start:])
    i = 1
    while i < len(rest):
        if matches(rest[i]):
            take = 2 if takes_value and "=" not in rest[i] and i + 1 < len(rest) else 1
            moved += rest[i:i + take]
            del rest[i:i + take]
        else:
            i += 1
    fixed = shlex.join(["bulktool", *argv[:start], *moved, *rest])
    return f"{name} is a global option: put it before the command: {fixed}"


def rate_warning(system: str | None, base_url: str | None, rate: int | None) -> str | None:
    """A --rate above the vendor's documented limit only buys 429s; loopback (the sandbox) sets its own."""
    from ..http.security import is_loopback_host
    from ..vendors import connector_class

    if rate is None:
        return None
    try:
        cls = connector_class((system or "blikk").lower())
        if base_url:
            cls.check_base_url(base_url)  # a refused URL gets its own error line, not this warning first
    except BulktoolError:
        return None
    host = urlsplit(base_url).hostname if base_url else None
    if cls.rate_announced or not cls.rate_documented or rate <= cls.rate_per_second or (
            host and is_loopback_host(host)):
        return None
    return (f"Warning: --rate {rate} is above {cls.title}'s limit of {cls.rate_per_second} requests/second; "
            "the API will answer HTTP 429 and the run gets slower, not faster.")


def _json_error(ctx: click.Context, message: str, exit_code: int) -> None:
    """``--json -``: the error as JSON on stdout; ``--json FILE``: into that file (best effort)."""
    target = ctx.params.get("report_json")
    if target is None:
        target = "-" if ctx.params.get("as_json") else None  # export's --json flag
    if target is None:
        return
    text = json.dumps({"error": message, "exit_code": exit_code}, ensure_ascii=False)
    if str(target) == "-":
        click.echo(text)
        return
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    except OSError:
        pass  # the error line on stderr already says what went wrong


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("bulktool")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # urllib3 logs full request lines at DEBUG; keep it quiet unless asked for -vvv.
    logging.getLogger("urllib3").setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)
    logging.getLogger("urllib3").addFilter(RedactingFilter())


@click.group(cls=BulktoolGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--system", type=click.Choice(sorted(CONNECTORS), case_sensitive=False), default=None,
              help="Which API to talk to (default: blikk, or the profile's system).")
@click.option("--base-url", metavar="URL", default=None,
              help="API root, e.g. https://publicapi.blikk.com (plain http only for loopback).")
@click.option("--profile", metavar="NAME", default=None, help="Use a saved profile from the config file.")
@click.option("--company", metavar="ID", default=None,
              help="The client company to work in: Tripletex (an accounting office; default the token's own), "
                   "Finsit (its company id, e.g. a-demo-556898-6787).")
@click.option("--agency", metavar="SHORT", default=None,
              help="Finsit: the agency's short name (agency resources; with --org it names a company).")
@click.option("--org", metavar="ORGNO", default=None,
              help="Finsit: with --agency, the company a-{agency}-{orgno} (e.g. --org 556898-6787).")
@click.option("--rate", type=click.IntRange(1, 1000), default=None, metavar="N",
              help="Requests per second to allow (default: the vendor's limit, 4 for Blikk).")
@click.option("-v", "--verbose", count=True, help="Show tracebacks and request logs (-vv for debug).")
@click.version_option(__version__, prog_name="bulktool")
@click.pass_context
def cli(
    ctx: click.Context, system: str | None, base_url: str | None, profile: str | None, company: str | None,
    agency: str | None, org: str | None, rate: int | None, verbose: int,
) -> None:
    """Bulk export and import between spreadsheets and Nordic business-system APIs."""
    _setup_logging(verbose)
    warning = rate_warning(system, base_url, rate)
    if warning:
        click.echo(warning, err=True)
    ctx.obj = AppContext(system, base_url, profile, verbose, rate, company, agency, org)


def main() -> None:
    cli(prog_name="bulktool")


from . import demo as _demo  # noqa: E402
from . import endpoints as _endpoints  # noqa: E402
from . import export as _export  # noqa: E402
from . import importing as _importing  # noqa: E402
from . import mapping as _mapping  # noqa: E402
from . import profile as _profile  # noqa: E402
from . import sandbox as _sandbox  # noqa: E402
from . import template as _template  # noqa: E402

for _mod in (_endpoints, _export, _importing, _mapping, _sandbox, _demo, _profile, _template):
    for _cmd in _mod.COMMANDS:
        cli.add_command(_cmd)
