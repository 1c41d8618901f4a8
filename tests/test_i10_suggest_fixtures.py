"""``map suggest`` on the acceptance exports (tests/data/i10/fix): the suggestion is where the hand-edited
mapping beside each export started, so every column the edit kept as-is is one the suggestion already named.

Each edited mapping says in its header what was changed by hand (constants, value maps, patterns, a second
target); only its plain ``field = "Column"`` lines, and the source columns of its other rules, are compared.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bulktool.migrate.readers import read_raw
from bulktool.migrate.suggest import Suggestion, suggest_mapping
from bulktool.schema import get_endpoint

DATA = Path(__file__).parent / "data" / "i10" / "fix"


def _sources(spec: Any) -> tuple[str, ...]:
    if isinstance(spec, str):
        return (spec,)
    return tuple(spec["join"]) if "join" in spec else (spec["from"],)


def _suggested(s: Suggestion) -> dict[str, tuple[str, ...]]:
    return {f.field: f.join or (f.source,) for f in s.fields if f.confidence >= 0.6}


@pytest.mark.parametrize(("export", "mapping", "system", "target"), [
    ("google-contacts.csv", "google-contacts.toml", "blikk", None),
    ("outlook-contacts.csv", "outlook-contacts.toml", "blikk", 1),
    ("nordic-projects.csv", "nordic-projects.toml", "tripletex", None),
    ("nordic-projects.xls", "nordic-projects.toml", "tripletex", None),
    ("hubspot-export.xlsx", "hubspot-export.toml", "tripletex", 0),
    ("hubspot-export.xlsx", "hubspot-export.toml", "tripletex", 1),
])
def test_the_suggestion_names_the_columns_the_edited_mapping_kept(
    export: str, mapping: str, system: str, target: int | None,
) -> None:
    data = tomllib.loads((DATA / mapping).read_text(encoding="utf-8"))
    spec = data["target"][target] if target is not None else data
    ep = get_endpoint(system, spec["endpoint"])
    s = suggest_mapping(read_raw(DATA / export, sheet=spec.get("sheet")), ep)
    kept = {field: _sources(rule) for field, rule in spec["fields"].items()}
    suggested = _suggested(s)
    changed = {f for f, src in kept.items() if suggested.get(f) != src}
    # What the edits changed on purpose: only the file's author knows that its one phone column holds
    # mobiles, or that its Labels say person or company.
    assert changed <= {"cellPhoneNumber", "phoneNumberMobile", "contactType"}, {
        f: (kept[f], suggested.get(f)) for f in changed}
    assert len(kept) - len(changed) >= 4
