"""Many companies in one run stay in the core: the multico package, the company hooks and the per-company
report lines name no vendor and import no vendor package; connectors without a company list say so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_seam_core_names import NAMES
from test_seam_layering import ROOT

from bulktool.connectors.base import Connector
from bulktool.connectors.companies import Company, choose_companies, parse_company_spec
from bulktool.errors import UsageError
from bulktool.vendors.blikk.connector import BlikkConnector

FILES = [*sorted((ROOT / "multico").glob("*.py")), ROOT / "connectors" / "companies.py",
         ROOT / "reports" / "companies.py"]
VENDOR_IMPORT = re.compile(r"^\s*(from|import)\s+\S*vendors", re.MULTILINE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_many_companies_code_names_no_vendor(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    named = [f"{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1) if NAMES.search(line)]
    assert named == [] and not VENDOR_IMPORT.search(text), f"{path.name} names a system"


def test_a_connector_without_a_company_list_refuses_in_one_line() -> None:
    conn = BlikkConnector("http://127.0.0.1:9", BlikkConnector.credentials(app_id="a", app_secret="b"))
    with pytest.raises(UsageError) as err:
        conn.visible_companies()
    assert str(err.value) == "Blikk has no list of companies: --company all and --companies are not available for it"
    with pytest.raises(UsageError, match="cannot work in several companies"):
        Connector.for_company(conn, "12")


def test_company_specs(tmp_path: Path) -> None:
    assert parse_company_spec("all") is None and parse_company_spec(" ALL ") is None
    assert parse_company_spec("12, 13,12") == ["12", "13"]
    listed = tmp_path / "companies.txt"
    listed.write_text("# my clients\n1200003\n1200004  # the second\n\n", encoding="utf-8")
    assert parse_company_spec(str(listed)) == ["1200003", "1200004"]
    with pytest.raises(UsageError, match="names no company"):
        parse_company_spec(",")
    seen = [Company("1", "Office AS"), Company("3", "Client AS")]
    assert choose_companies(seen, ["3"]) == [Company("3", "Client AS")]
    with pytest.raises(UsageError) as err:
        choose_companies(seen, ["3", "2"])
    assert str(err.value) == ("Company 2 is not visible to these credentials; the companies they can work in: "
                              "1 (Office AS), 3 (Client AS)")
