"""The machine-readable report: exactly ``ImportResult.to_json()``, the shape scripts rely on."""

from __future__ import annotations

import json
from pathlib import Path

from ..plan.model import ImportResult
from ._common import atomic_write


def dumps(result: ImportResult) -> str:
    # default=str: API-form values are JSON already; anything odd degrades to text instead of crashing.
    return json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str)


def write_json(result: ImportResult, path: str | Path) -> None:
    text = dumps(result) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
