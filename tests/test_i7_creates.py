"""Issue 7, points 6 and 7: a create sends only what the user gave (plus the UI's defaults), the dry run
shows every field it sets, and it says when the server will assign a customer number."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers.cli import run

from bulktool.sandbox import SandboxServer

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "new-contacts.csv"


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox



def _token(srv: SandboxServer) -> str:
    got = requests.post(f"{srv.url}/v1/Auth/Token", auth=(srv.app_id, srv.app_secret), timeout=10)
    return str(got.json()["accessToken"])


def test_sample_create_sends_only_given_values_plus_active_and_shows_every_field(
        srv: SandboxServer, tmp_path: Path) -> None:
    csv = tmp_path / "contacts.csv"
    shutil.copy(SAMPLE, csv)
    res = run(srv, "import", str(csv), "--quiet")
    assert res.exit_code == 0, res.output
    assert ("  row 2  create  key '0451': name = 'Åkessons Bygg AB'; customerNumber = '0451'; "
            "contactType = 'company'; organizationalOrSocialSecurityNumber = '556898-6787'; "
            "visitingAddress.city = 'Piteå'; email = 'info@akessons.se'; responsible.id = 1; isActive = True"
            ) in res.output.splitlines()
    res = run(srv, "import", str(csv), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["customerNumber"]: c for c in srv.records("contacts") if c["customerNumber"] in ("0451", "0452")}
    assert made["0451"]["isActive"] is True and made["0452"]["isActive"] is True
    assert made["0452"]["cellPhoneNumber"] == "0707788994"
    assert made["0451"]["cellPhoneNumber"] is None  # an empty cell sends nothing
    assert made["0451"]["deliveryAddress"] is None and made["0451"]["tags"] == []


def test_the_sandbox_makes_a_new_contact_active_but_an_update_sets_what_it_sends(srv: SandboxServer) -> None:
    headers = {"Authorization": f"Bearer {_token(srv)}"}
    body = {"name": "Ny AB", "contactType": "company", "responsibleId": 1}
    made = requests.post(f"{srv.url}/v1/Core/Contacts", json=body, headers=headers, timeout=10).json()
    assert made["isActive"] is True
    assert made["customerNumber"]  # "If not provided, the API will assign a customer number"
    put = requests.put(f"{srv.url}/v1/Core/Contacts/{made['id']}", json={**body, "customerNumber": "77"},
                       headers=headers, timeout=10).json()
    assert put["isActive"] is False  # full replacement: an absent boolean is false


def test_dry_run_says_the_server_will_assign_a_customer_number(srv: SandboxServer, tmp_path: Path) -> None:
    bare = next(c for c in srv.records("contacts") if not c["customerNumber"])
    csv = tmp_path / "contacts.csv"
    csv.write_text("id,name,customerNumber,contactType,responsible.id\n"
                   f"{bare['id']},{bare['name']} (ändrad),,{bare['contactType'].lower()},1\n"
                   ",Utan nummer AB,,company,1\n"
                   ",Med nummer AB,9911,company,1\n", encoding="utf-8")
    res = run(srv, "import", str(csv), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    rows = {r["row"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows[2]["action"] == "update"
    assert "the server will assign a customerNumber" in rows[2]["warnings"]
    assert rows[3]["action"] == "create"
    assert "the server will assign a customerNumber" in rows[3]["warnings"]
    assert rows[4]["warnings"] == []
    text = run(srv, "import", str(csv), "--quiet").output
    want = ("  row 3  create: name = 'Utan nummer AB'; contactType = 'company'; responsible.id = 1; "
            "isActive = True; note: the server will assign a customerNumber")
    assert any(line == want or line.startswith(want + "; note: ") for line in text.splitlines()), text
    res = run(srv, "import", str(csv), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    after = next(c for c in srv.records("contacts") if c["id"] == bare["id"])
    assert after["customerNumber"]


def test_a_project_create_shows_the_invoice_type_the_server_sets(srv: SandboxServer, tmp_path: Path) -> None:
    """The endpoint index: "All projects are created with the invoice method set to Ongoing"."""
    csv = tmp_path / "projects.csv"
    csv.write_text("orderNumber,title,invoiceType\n9001,Nytt projekt,fixedPrice\n9002,Annat projekt,\n",
                   encoding="utf-8")
    res = run(srv, "import", str(csv), "--quiet")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert ("  row 2  create  key '9001': orderNumber = '9001'; title = 'Nytt projekt'; invoiceType = 'ongoing'; "
            "note: the server sets invoiceType to 'ongoing' on create; 'fixedPrice' is not applied") in lines
    assert "  row 3  create  key '9002': orderNumber = '9002'; title = 'Annat projekt'; invoiceType = 'ongoing'" \
        in lines
    res = run(srv, "import", str(csv), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {p["orderNumber"]: p for p in srv.records("projects") if p["orderNumber"] in ("9001", "9002")}
    assert made["9001"]["invoiceType"] == made["9002"]["invoiceType"] == "Ongoing"
