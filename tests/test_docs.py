"""The CLI documents itself, and the README only shows commands and options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from bulktool.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _walk(cmd: click.Command, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            out.extend(_walk(sub, (*path, name)))
    return out


COMMANDS = _walk(cli, ("bulktool",))


def test_the_cli_has_the_documented_commands() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"bulktool endpoints", "bulktool export", "bulktool import", "bulktool demo", "bulktool sandbox",
            "bulktool profile", "bulktool profile add"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path: tuple[str, ...], cmd: click.Command) -> None:
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    assert (cmd.get_short_help_str() or "").strip()
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_renders(path: tuple[str, ...], cmd: click.Command) -> None:
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, [*path[1:], "--help"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Usage: ")
    first = (cmd.help or "").strip().splitlines()[0]
    assert " ".join(first.split()) in " ".join(res.stdout.split())  # the help wraps lines


def _readme_commands() -> list[str]:
    """Every `bulktool ...` invocation in README ```bash blocks (continuations joined, comments dropped)."""
    if not README.is_file():
        return []
    text = README.read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"&&|;|\|", line.split(" #", 1)[0]):
                part = part.strip()
                if part.startswith("bulktool ") or part == "bulktool":
                    found.append(part)
    return found


README_COMMANDS = _readme_commands()


def _resolve(words: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """Walk the group options and subcommand names of ``bulktool ...``; return (path, command, rest)."""
    cmd: click.Command = cli
    path = ["bulktool"]
    rest = words[1:]
    while isinstance(cmd, click.Group):
        while rest and rest[0].startswith("-"):
            _check_option(cmd, path, rest)
            rest = rest[1:]
        if not rest:
            break
        sub = cmd.commands.get(rest[0])
        assert sub is not None, f"README uses unknown command {' '.join([*path, rest[0]])!r}"
        path.append(rest[0])
        cmd, rest = sub, rest[1:]
    return path, cmd, rest


def _option(cmd: click.Command, flag: str) -> click.Option | None:
    for p in cmd.params:
        if isinstance(p, click.Option) and (flag in p.opts or flag in p.secondary_opts):
            return p
    if flag in ("--help", "-h", "--version"):
        return click.Option([flag], is_flag=True)
    return None


def _check_option(cmd: click.Command, path: list[str], rest: list[str]) -> None:
    flag = rest[0].split("=", 1)[0]
    opt = _option(cmd, flag)
    assert opt is not None, f"README uses unknown option {flag} of {' '.join(path)!r}"
    if not (opt.is_flag or opt.count) and "=" not in rest[0]:
        assert len(rest) > 1, f"README: {flag} of {' '.join(path)!r} needs a value"
        del rest[1]  # the value


@pytest.mark.parametrize("line", README_COMMANDS or [pytest.param("", marks=pytest.mark.skip("no README commands"))])
def test_readme_commands_exist(line: str) -> None:
    words = shlex.split(line)
    path, cmd, rest = _resolve(words)
    assert not isinstance(cmd, click.Group) or path == ["bulktool"] or rest == [], line
    while rest:
        if rest[0].startswith("-") and rest[0] != "-":
            _check_option(cmd, path, rest)
        rest = rest[1:]


def test_readme_shows_the_main_commands() -> None:
    if not README_COMMANDS:
        pytest.skip("README has no bulktool commands yet")
    used = {" ".join(_resolve(shlex.split(line))[0]) for line in README_COMMANDS}
    assert {"bulktool demo", "bulktool endpoints", "bulktool export", "bulktool import", "bulktool sandbox"} <= used
