"""The thin command line: parse options, call one library function, map errors to one line.

Exit codes: 0 ok; 1 invalid/conflict rows (import); 2 usage, config or
connection errors; 3 apply finished with rows failed at the API.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import click

from .. import __version__
from ..connectors import CONNECTORS
from ..errors import BulktoolError
from ..http.security import RedactingFilter, redact

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    system: str | None
    base_url: str | None
    profile: str | None
    verbose: int
    rate: int | None = None

    def connection(self) -> Any:
        from ..config import resolve_connection

        return resolve_connection(self.system, self.base_url, self.profile)

    def connector(self) -> Any:
        from ..connectors import connector_class

        conn = self.connection()
        connector = connector_class(conn.system)(conn.base_url, conn.credentials, rate=self.rate)
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
            click.echo(f"Error: {redact(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if verbose:
                click.echo(redact(traceback.format_exc()), err=True)
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {redact(str(exc))} (run with -v for details)", err=True
            )
            ctx.exit(2)

    return wrapper  # type: ignore[return-value]


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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--system", type=click.Choice(sorted(CONNECTORS), case_sensitive=False), default=None,
              help="Which API to talk to (default: blikk, or the profile's system).")
@click.option("--base-url", metavar="URL", default=None,
              help="API root, e.g. https://publicapi.blikk.com (plain http only for loopback).")
@click.option("--profile", metavar="NAME", default=None, help="Use a saved profile from the config file.")
@click.option("--rate", type=click.IntRange(1, 1000), default=None, metavar="N",
              help="Requests per second to allow (default: the vendor's limit, 4 for Blikk).")
@click.option("-v", "--verbose", count=True, help="Show tracebacks and request logs (-vv for debug).")
@click.version_option(__version__, prog_name="bulktool")
@click.pass_context
def cli(
    ctx: click.Context, system: str | None, base_url: str | None, profile: str | None, rate: int | None,
    verbose: int,
) -> None:
    """Bulk export and import between spreadsheets and Nordic business-system APIs."""
    _setup_logging(verbose)
    ctx.obj = AppContext(system, base_url, profile, verbose, rate)


def main() -> None:
    cli(prog_name="bulktool")


from . import demo as _demo  # noqa: E402
from . import endpoints as _endpoints  # noqa: E402
from . import export as _export  # noqa: E402
from . import importing as _importing  # noqa: E402
from . import profile as _profile  # noqa: E402
from . import sandbox as _sandbox  # noqa: E402

for _mod in (_endpoints, _export, _importing, _sandbox, _demo, _profile):
    for _cmd in _mod.COMMANDS:
        cli.add_command(_cmd)
