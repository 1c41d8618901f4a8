"""The key-checking helper the strict template loader is built from.

A template is reviewed data, so every key is checked for its kind and every problem names the file
and the key (``columns[3] (name).write``) instead of silently dropping a column from every export.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, NoReturn, cast

from ..errors import TemplateError

DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class Table:
    """One TOML table and where it sits, so every error names the file and the key."""

    def __init__(self, path: Path, data: object, where: str, allowed: Collection[str]) -> None:
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail("", f"must be a table, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        for k in self.data:
            if k not in allowed:
                self.fail(k, f"unknown key (allowed: {', '.join(allowed)})")

    def key(self, k: str) -> str:
        return ".".join(p for p in (self.where, k) if p) or "<top level>"

    def fail(self, k: str, problem: str) -> NoReturn:
        raise TemplateError(f"Bad endpoint template {self.path}: {self.key(k)}: {problem}")

    def get(self, k: str, kind: type | tuple[type, ...], what: str, required: bool) -> Any:
        if k not in self.data:
            if required:
                self.fail(k, "is required")
            return None
        v = self.data[k]
        if not isinstance(v, kind) or (isinstance(v, bool) and bool not in _as_tuple(kind)):
            self.fail(k, f"must be {what}, got {type(v).__name__} {v!r}")
        return v

    def text(self, k: str, *, required: bool = False, dotted: bool = False) -> str | None:
        v = cast("str | None", self.get(k, str, "a string", required))
        if v is not None and (dotted or required) and not v.strip():
            self.fail(k, "must not be empty")
        if v is not None and dotted and not DOTTED.match(v):
            self.fail(k, f"{v!r} is not a field name or dotted path such as 'visitingAddress.city'")
        return v

    def flag(self, k: str, default: bool) -> bool:
        v = self.get(k, bool, "true or false", False)
        return default if v is None else bool(v)

    def number(self, k: str, *, minimum: int, maximum: int | None = None) -> int | None:
        v = cast("int | None", self.get(k, int, "an integer", False))
        if v is not None and (v < minimum or (maximum is not None and v > maximum)):
            self.fail(k, f"must be between {minimum} and {maximum}" if maximum else f"must be >= {minimum}")
        return v

    def strings(self, k: str, *, choices: Collection[str] | None = None) -> tuple[str, ...]:
        v = self.get(k, list, "an array of strings", False) or []
        for item in v:
            if not isinstance(item, str) or not item:
                self.fail(k, f"must be an array of non-empty strings, got item {item!r}")
            if choices is not None and item not in choices:
                self.fail(k, f"{item!r} is not one of: {', '.join(choices)}")
        if len(set(v)) != len(v):
            self.fail(k, f"has duplicate entries: {v!r}")
        return tuple(v)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
