"""Reads a JSON write body the way the API's model binder does, collecting every error.

Property names bind case-insensitively and unknown properties are ignored (JSON.NET);
numbers are accepted for string properties and numeric strings for numbers; enum values
are accepted case-insensitively. An absent property reads as null.
"""

from __future__ import annotations

import re
from typing import Any

from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Store

from .util import parse_dt

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MISSING = object()


def label(name: str) -> str:
    return name[:1].upper() + name[1:]


class Reader:
    def __init__(self, store: Store, body: dict[str, Any], prefix: str = "") -> None:
        self.store = store
        self.body = {str(k).lower(): v for k, v in body.items()}
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(self.prefix + name, []).append(message)

    def raw(self, name: str) -> Any:
        return self.body.get(name.lower(), _MISSING)

    def has(self, name: str) -> bool:
        return self.raw(name) is not _MISSING

    def _value(self, name: str, required: bool) -> Any:
        value = self.raw(name)
        if value is _MISSING or value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                self.error(name, f"The {label(name)} field is required.")
            return None
        return value

    def _bad(self, name: str, value: Any) -> None:
        self.error(name, f"The value '{value}' is not valid for {label(name)}.")

    def string(self, name: str, required: bool = False) -> str | None:
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, bool):
            return "True" if value else "False"
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self._bad(name, value)
            return None
        return value

    def boolean(self, name: str) -> bool:
        value = self._value(name, False)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self._bad(name, value)
        return False

    def decimal(self, name: str, required: bool = False) -> float | None:
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self._bad(name, value)
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            self._bad(name, value)
            return None

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self._bad(name, value)
        return None

    def ref(self, name: str, resource: str, required: bool = False, what: str = "") -> int | None:
        rid = self.integer(name, required)
        if rid is not None and not self.store.exists(resource, rid):
            self.error(name, f"The {what or resource.rstrip('s')} with id {rid} does not exist.")
            return None
        return rid

    def ref_list(self, name: str, resource: str, what: str = "") -> list[int]:
        value = self._value(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self._bad(name, value)
            return []
        out: list[int] = []
        for item in value:
            rid = item.get("id") if isinstance(item, dict) else item
            if isinstance(rid, bool) or not isinstance(rid, int):
                self._bad(name, item)
            elif not self.store.exists(resource, rid):
                self.error(name, f"The {what or resource.rstrip('s')} with id {rid} does not exist.")
            elif rid not in out:
                out.append(rid)
        return out

    def enum(self, name: str, choices: tuple[str, ...], required: bool = False) -> str | None:
        value = self._value(name, required)
        if value is None:
            return None
        match = next(
            (c for c in choices if isinstance(value, str) and c.lower() == value.strip().lower()), None
        )
        if match is None:
            self.error(
                name,
                f"The value '{value}' is not valid for {label(name)}. "
                f"Valid values are: {', '.join(choices)}.",
            )
        return match

    def date(self, name: str, required: bool = False) -> str | None:
        value = self._value(name, required)
        if value is None:
            return None
        dt = parse_dt(value) if isinstance(value, str) else None
        if dt is None:
            self._bad(name, value)
            return None
        return dt.strftime("%Y-%m-%d")

    def datetime(self, name: str) -> str | None:
        value = self._value(name, False)
        if value is None:
            return None
        dt = parse_dt(value) if isinstance(value, str) else None
        if dt is None:
            self._bad(name, value)
            return None
        return dt.strftime("%Y-%m-%d %H:%M:%S")

    def clock(self, name: str) -> str | None:
        value = self.string(name)
        if value is not None and not _CLOCK.match(value.strip()):
            self.error(
                name, f"The value '{value}' is not valid for {label(name)}. Expected hh:mm (24-hour clock)."
            )
            return None
        return value.strip() if value is not None else None

    def obj(self, name: str) -> dict[str, Any] | None:
        value = self._value(name, False)
        if value is not None and not isinstance(value, dict):
            self._bad(name, value)
            return None
        return value

    def array(self, name: str) -> list[Any]:
        value = self._value(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self._bad(name, value)
            return []
        return value

    def address(self, name: str) -> dict[str, Any] | None:
        value = self.obj(name)
        if value is None:
            return None
        sub = Reader(self.store, value, prefix=f"{self.prefix}{name}.")
        out: dict[str, Any] = {
            k: sub.string(k) for k in ("streetAddress", "additionalAddress", "postalCode", "city", "state")
        }
        out["countryId"] = sub.ref("countryId", "countries", what="country")
        self.merge(sub)
        return out

    def merge(self, other: Reader) -> None:
        for key, messages in other.errors.items():
            self.errors.setdefault(key, []).extend(messages)

    def finish(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
