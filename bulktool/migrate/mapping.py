"""A mapping file (TOML) -> ``Mapping``: which foreign column feeds which template field, and how.

Every problem is a ``MappingError`` naming the file, the line and the dotted key, so a user editing a
suggested mapping finds the mistake at once. The single-target form (top-level ``[fields]``) and the
multi-target form (``[[target]]``, one foreign file feeding several endpoints) give the same model.
Fields are checked against the template later, in ``apply.check_target``: the loader does not know the
endpoint when the CLI's ``--endpoint`` names it.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

from ..errors import MappingError
from ..messages import did_you_mean
from ..plan.matching import text_form
from .tomllines import KeyPath, dotted, key_lines, line_of
from .transforms import Transform, check_date_format, parse_transform

Part = Literal["first", "last", "street", "number"]
PARTS: tuple[str, ...] = ("first", "last", "street", "number")
_TOP_KEYS = ("endpoint", "name", "sheet", "distinct", "date_format", "encoding", "separator", "skip", "set",
             "fields", "target")
_TARGET_KEYS = ("endpoint", "name", "sheet", "distinct", "skip", "set", "fields")
_RULE_KEYS = ("from", "join", "sep", "part", "transform", "values", "pattern")


@dataclass(frozen=True)
class FieldRule:
    """Where one target field's value comes from: a column, or several joined, then refined in order
    pattern -> part -> transforms -> value map -> the column type's parsing."""

    target: str
    sources: tuple[str, ...]
    where: str  # "mapping.toml, line 7, key fields.email": prefix of errors about this rule
    sep: str = " "
    part: Part | None = None
    transforms: tuple[Transform, ...] = ()
    values: dict[str, object] = field(default_factory=dict)  # text_form(key) -> value
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Target:
    """One endpoint a mapping feeds; ``name`` is the mapped sheet's name (Pending.sheet refers to it).

    No field rules means the identity mapping: headers that already are template columns map to themselves.
    """

    name: str
    endpoint: str | None
    sheet: str | None
    distinct: bool
    fields: tuple[FieldRule, ...]
    constants: dict[str, object]
    skip: tuple[str, ...]
    where: str = ""  # "mapping.toml, line 3, key target[0]"
    # field -> where the constant is set ("mapping.toml, line 6, key set.contactType", "--set contactType")
    constant_origins: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    path: Path | None
    targets: tuple[Target, ...]
    date_format: str | None = None
    encoding: str | None = None
    separator: str | None = None


class _Loc:
    """The file's key lines, to build "file, line n, key k: problem" messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = key_lines(text)

    def where(self, key: KeyPath) -> str:
        return f"{self.path.name}, line {line_of(self.lines, key)}, key {dotted(key)}"

    def fail(self, key: KeyPath, problem: str) -> NoReturn:
        raise MappingError(f"{self.where(key)}: {problem}")

    def keys(self, data: dict[str, Any], key: KeyPath, allowed: Sequence[str]) -> None:
        for k in data:
            if k not in allowed:
                self.fail((*key, k), f"unknown key{did_you_mean(k, allowed)}")

    def text(self, data: dict[str, Any], key: KeyPath, k: str) -> str | None:
        v = data.get(k)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            self.fail((*key, k), f"must be a non-empty string, got {v!r}")
        return v

    def strings(self, data: dict[str, Any], key: KeyPath, k: str) -> tuple[str, ...]:
        v = data.get(k, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
            self.fail((*key, k), f"must be a list of column names, got {v!r}")
        return tuple(v)

    def table(self, data: dict[str, Any], key: KeyPath, k: str) -> dict[str, Any]:
        v = data.get(k, {})
        if not isinstance(v, dict):
            self.fail((*key, k), f"must be a table, got {type(v).__name__} {v!r}")
        return cast("dict[str, Any]", v)


def _rule(loc: _Loc, key: KeyPath, target: str, spec: object) -> FieldRule:
    where = loc.where(key)
    if isinstance(spec, str):
        if not spec:
            loc.fail(key, "must name a source column, got an empty string")
        return FieldRule(target, (spec,), where)
    if not isinstance(spec, dict):
        loc.fail(key, f"must be a column name or a table such as {{ from = \"Column\" }}, got {spec!r}")
    loc.keys(spec, key, _RULE_KEYS)
    if ("from" in spec) == ("join" in spec):
        loc.fail(key, "needs exactly one of 'from' (one column) or 'join' (several)")
    sources = (loc.text(spec, key, "from"),) if "from" in spec else loc.strings(spec, key, "join")
    if not sources:
        loc.fail((*key, "join"), "must list at least one column")
    sep = spec.get("sep", " ")
    if not isinstance(sep, str):
        loc.fail((*key, "sep"), f"must be a string, got {sep!r}")
    if "sep" in spec and "join" not in spec:
        loc.fail((*key, "sep"), "only goes with 'join'")
    part = spec.get("part")
    if part is not None and part not in PARTS:
        loc.fail((*key, "part"), f"must be one of {', '.join(PARTS)}, got {part!r}{did_you_mean(str(part), PARTS)}")
    raw = spec.get("transform", [])
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        loc.fail((*key, "transform"), f"must be a list of transform names, got {raw!r}")
    transforms: list[Transform] = []
    for i, t in enumerate(items):
        try:
            transforms.append(parse_transform(t))
        except ValueError as exc:
            loc.fail((*key, "transform", i) if isinstance(raw, list) else (*key, "transform"), str(exc))
    values: dict[str, object] = {}
    vmap = loc.table(spec, key, "values")
    for k, v in vmap.items():
        if isinstance(v, dict | list):
            loc.fail((*key, "values", k), f"must be a single value (text, number, true/false), got {v!r}")
        norm = text_form(k) or ""
        if norm in values:
            first = next(o for o in vmap if (text_form(o) or "") == norm)
            loc.fail((*key, "values", k), f"{k!r} and {first!r} are the same value once case and spaces are folded")
        values[norm] = v
    pattern = None
    if "pattern" in spec:
        text = loc.text(spec, key, "pattern") or ""
        try:
            pattern = re.compile(text)
        except re.error as exc:
            loc.fail((*key, "pattern"), f"not a regular expression: {exc}")
    return FieldRule(target, tuple(s for s in sources if s), where, sep, cast("Part | None", part),
                     tuple(transforms), values, pattern)


def _target(loc: _Loc, data: dict[str, Any], key: KeyPath, allowed: Sequence[str]) -> Target:
    loc.keys(data, key, allowed)
    endpoint = loc.text(data, key, "endpoint")
    name = loc.text(data, key, "name") or endpoint or ""
    distinct = data.get("distinct", False)
    if not isinstance(distinct, bool):
        loc.fail((*key, "distinct"), f"must be true or false, got {distinct!r}")
    fkey = (*key, "fields")
    rules = tuple(_rule(loc, (*fkey, f), f, spec) for f, spec in loc.table(data, key, "fields").items())
    skip = loc.strings(data, key, "skip")
    constants = loc.table(data, key, "set")
    origins = {}
    for f, v in constants.items():
        if isinstance(v, dict):
            sub = next(iter(v), "x")
            loc.fail((*key, "set", f), f"must be a single value; a dotted field is written quoted: \"{f}.{sub}\" = ...")
        if f in {r.target for r in rules}:
            loc.fail((*key, "set", f), f"field {f!r} is also in [fields]; keep one")
        origins[f] = loc.where((*key, "set", f))
    return Target(name, endpoint, loc.text(data, key, "sheet"), distinct, rules, dict(constants), skip,
                  loc.where(key), origins)


def _unique_names(targets: list[Target]) -> tuple[Target, ...]:
    """Default names are the endpoint, then "contacts-2", "contacts-3"; explicit names must differ."""
    seen: set[str] = set()
    out: list[Target] = []
    for t in targets:
        name, n = t.name, 1
        while name in seen:
            n += 1
            name = f"{t.name}-{n}"
        seen.add(name)
        out.append(replace(t, name=name))
    return tuple(out)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; MappingError (file, line, key) for every problem found."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"Cannot read mapping file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MappingError(f"{path.name}: a mapping file must be UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        if where is None:
            raise MappingError(f"{path.name}: not valid TOML: {exc}") from None
        syntax = str(exc)[:where.start()]
        raise MappingError(f"{path.name}, line {where[1]}, column {where[2]}: not valid TOML: {syntax}") from None
    loc = _Loc(path, text)
    loc.keys(data, (), _TOP_KEYS)
    date_format = loc.text(data, (), "date_format")
    if date_format and (problem := check_date_format(date_format)):
        loc.fail(("date_format",), problem)
    encoding = loc.text(data, (), "encoding")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            loc.fail(("encoding",), f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, iso-8859-1, utf-16)")
    separator = data.get("separator")
    if separator is not None and (not isinstance(separator, str) or len(separator) != 1):
        loc.fail(("separator",), f"must be one character such as \";\" or \"\\t\", got {separator!r}")
    if "target" in data:
        for k in ("fields", "set", "skip", "endpoint", "name", "sheet", "distinct"):
            if k in data:
                loc.fail((k,), "goes inside each [[target]] when the file has [[target]] tables")
        items = data["target"]
        if not isinstance(items, list) or not items or not all(isinstance(t, dict) for t in items):
            loc.fail(("target",), "must be one or more [[target]] tables")
        targets = [_target(loc, t, ("target", i), _TARGET_KEYS) for i, t in enumerate(items)]
        for i, t in enumerate(targets):
            if t.endpoint is None:
                loc.fail(("target", i), "needs endpoint = \"...\" (several targets cannot share --endpoint)")
    else:
        targets = [_target(loc, data, (), _TOP_KEYS)]
    return Mapping(path, _unique_names(targets), date_format, encoding, separator)


def with_sets(mapping: Mapping | None, sets: Sequence[str], endpoint: str | None) -> Mapping:
    """The mapping with ``--set FIELD=VALUE`` constants (and ``--endpoint``) applied on top.

    No mapping file: the identity mapping, whose headers already are the template's column names.
    A mapping with several targets takes ``--set TARGET:FIELD=VALUE``.
    """
    base = mapping or Mapping(None, (Target(endpoint or "", endpoint, None, False, (), {}, ()),))
    targets = list(base.targets)
    if endpoint is not None:
        if len(targets) > 1:
            raise MappingError(f"--endpoint {endpoint}: the mapping {base.path} has {len(targets)} targets, "
                               "each naming its endpoint; drop --endpoint")
        t = targets[0]
        default_name = t.name in ("", t.endpoint)
        targets[0] = replace(t, endpoint=endpoint, name=endpoint if default_name else t.name)
    by_name = {t.name: i for i, t in enumerate(targets)}
    for item in sets:
        lhs, eq, value = item.partition("=")
        name, colon, fname = lhs.partition(":") if ":" in lhs else ("", "", lhs)
        fname = fname.strip()
        if not eq or not fname:
            raise MappingError(f"--set {item!r}: expected FIELD=VALUE, e.g. --set contactType=person")
        if colon:
            if name not in by_name:
                raise MappingError(f"--set {item!r}: no target named {name!r}{did_you_mean(name, by_name)}")
            index = by_name[name]
        elif len(targets) > 1:
            raise MappingError(f"--set {item!r}: the mapping has {len(targets)} targets; name one: "
                               f"--set {targets[0].name}:{fname}={value}")
        else:
            index = 0
        t = targets[index]
        targets[index] = replace(
            t, fields=tuple(r for r in t.fields if r.target != fname),
            constants={**t.constants, fname: value},
            constant_origins={**t.constant_origins, fname: f"--set {fname}"})
    return replace(base, targets=tuple(targets))
