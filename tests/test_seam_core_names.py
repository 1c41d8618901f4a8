"""The seam, continued: the core names no vendor at all (Tripletex included) and holds no vendor's
datetime spelling; ``bulktool demo`` picks its scenario through the registry.

tests/test_seam_layering.py checks the Blikk names and vendor imports; this file adds every other
registered name, and scans for Blikk's wire datetime form wherever it could leak into a body.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_seam_layering import CORE as LAYERED
from test_seam_layering import ROOT, _files

from bulktool.vendors import VENDORS

CORE = [*LAYERED, ROOT / "demo.py", ROOT / "cli" / "demo.py"]
# Everything that is not a vendor's own package: the core, schema, reports, connectors' base, the kit, the CLI.
NOT_VENDOR = [p for p in sorted(ROOT.rglob("*.py")) if "vendors" not in p.relative_to(ROOT).parts]
NAMES = re.compile("|".join(sorted({re.escape(n) for v in VENDORS.values() for n in (v.name, v.family)}
                                   | {r"visma\s*tid", "tripletex"})), re.IGNORECASE)
# Blikk's wire datetime: the strftime pattern with a space before the clock, and its spelt-out UTC offset.
BLIKK_DATETIME = re.compile(r"%Y-%m-%d %H:%M|%H:%M:%S %z|\+00:00")


def test_the_scan_knows_every_registered_vendor() -> None:
    assert {"blikk", "vismatid", "tripletex"} <= set(VENDORS)
    assert all(NAMES.search(name) for name in VENDORS)


@pytest.mark.parametrize("path", _files(CORE), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_names_no_vendor(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    named = [f"{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1) if NAMES.search(line)]
    assert named == [], f"{path.name} names a system"


@pytest.mark.parametrize("path", NOT_VENDOR, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_vendor_datetime_form_outside_the_vendor_packages(path: Path) -> None:
    """The core's form is ISO 8601 (bulktool/datetimes.py); a vendor's spelling lives in its package."""
    text = path.read_text(encoding="utf-8")
    found = [f"{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1) if BLIKK_DATETIME.search(line)]
    assert found == [], f"{path.name} spells datetimes as a vendor does"


def test_the_scan_would_catch_blikks_form() -> None:
    assert BLIKK_DATETIME.search('when.strftime("%Y-%m-%d %H:%M:%S")')
    assert BLIKK_DATETIME.search('return text + " +00:00"')
    assert not BLIKK_DATETIME.search('_ISO_INSTANT = "%Y-%m-%dT%H:%M:%SZ"')
