"""Issue 10, point 6, for the round-trip import too: a CSV re-saved as Excel's "Unicode text" (UTF-16, tabs)
or written in ISO-8859-1 imports, with a warning naming what it was read as."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run

from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def test_an_export_resaved_as_unicode_text_imports_unchanged(srv: SandboxServer, tmp_path: Path) -> None:
    csv = tmp_path / "contacts.csv"
    assert run(srv, "export", "contacts", "-o", str(csv), "--quiet").exit_code == 0
    text = csv.read_text(encoding="utf-8-sig")
    rows = [line.split(",") for line in text.splitlines()[:6]]  # a few rows with no quoted commas
    assert all(len(r) == len(rows[0]) for r in rows)
    wide = tmp_path / "contacts.txt"  # what Excel's Save As > Unicode Text writes: UTF-16 LE with BOM, tabs
    wide.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))
    res = run(srv, "import", str(wide), "--endpoint", "contacts", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert {r["action"] for r in report["rows"]} == {"unchanged"} and len(report["rows"]) == 5
    assert "contacts.txt is UTF-16 text (Excel's 'Unicode text'); read as such" in report["warnings"]


def test_a_latin_1_file_is_read_as_such_and_said(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "nya.csv"
    path.write_bytes("name,contactType,responsible.id\nÅsa\x81 AB,company,1\n".encode("latin-1"))
    res = run(srv, "import", str(path), "--endpoint", "contacts", "--mode", "create-only", "--json", "-",
              "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["rows"][0]["changes"]["name"]["new"] == "Åsa\x81 AB"
    assert any("ISO-8859-1" in w or "latin-1" in w for w in report["warnings"]), report["warnings"]
