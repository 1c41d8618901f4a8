"""Full replacement is Blikk's write policy, asked for, not assumed: a partial-update policy changes the plan.

The partial policy is exercised in the dry run only (planning sends GETs alone): the Blikk sandbox,
as strict as the documentation, would clear every field such a body leaves out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from conftest import connector_for
from test_import_e2e import Sheet
from test_validate import ALL, CONTACTS, make, messages

from bulktool.connectors.write_policy import FULL_REPLACEMENT, PARTIAL_UPDATE, WritePolicy
from bulktool.export import export
from bulktool.importer import ImportOptions, plan_file
from bulktool.sandbox import SandboxServer
from bulktool.schema.validate import validate_rows
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials
from bulktool.writer.template_client import TemplateWriteClient

DETAIL_GET = re.compile(r"^/v1/Core/Contacts/\d+$", re.IGNORECASE)


class PartialBlikk(BlikkConnector):
    write_policy: ClassVar[WritePolicy] = PARTIAL_UPDATE


def _edited_export(srv: SandboxServer, tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "contacts.xlsx"
    export(connector_for(srv, 1000), "blikk", ["contacts"], path)
    rid = int(srv.records("contacts")[4]["id"])
    sheet = Sheet(path)
    sheet.set(sheet.row_of(rid), "name", "Nytt Namn AB")
    sheet.save()
    srv.edit("contacts", rid, {"email": "kollega@example.se"})  # a colleague's edit: the record is in the feed
    return path, rid


def test_blikk_declares_full_replacement() -> None:
    assert BlikkConnector.write_policy is FULL_REPLACEMENT
    assert FULL_REPLACEMENT.full_replacement and FULL_REPLACEMENT.resend_is_harmless
    assert FULL_REPLACEMENT.is_create(None) and not FULL_REPLACEMENT.is_create("12")


def test_a_partial_policy_plans_only_the_changed_field_and_reads_no_details(
    fast_sandbox: SandboxServer, tmp_path: Path
) -> None:
    path, rid = _edited_export(fast_sandbox, tmp_path)
    full = plan_file(connector_for(fast_sandbox, 1000), path, ImportOptions())
    [full_write] = full.writes
    assert full_write.record_id == str(rid) and full_write.body is not None
    assert full_write.body["name"] == "Nytt Namn AB" and "contactType" in full_write.body  # the whole record
    assert full_write.body["email"] == "kollega@example.se"  # read in detail, so the colleague's edit is kept

    fast_sandbox.reset_stats()
    partial = PartialBlikk(fast_sandbox.url, blikk_credentials(fast_sandbox.app_id, fast_sandbox.app_secret))
    [write] = plan_file(partial, path, ImportOptions()).writes
    assert write.record_id == str(rid) and write.body == {"name": "Nytt Namn AB"}
    assert not [p for m, p, _ in fast_sandbox.request_log() if m == "GET" and DETAIL_GET.match(p.split("?")[0])]
    assert TemplateWriteClient(partial, {}).resend_is_harmless is False


def test_required_on_update_is_the_policys() -> None:
    rows = [make(2, name=""), make(3, id_=6, name="")]  # a create and an update, both blanking a required name
    full = validate_rows(CONTACTS, ALL, rows, id_column="id")
    partial = validate_rows(CONTACTS, ALL, rows, id_column="id",
                            required_on_update=PARTIAL_UPDATE.required_on_update)
    assert messages(full, 3) == {"name": "required"}
    assert messages(partial, 3) == {} and messages(partial, 2) == {"name": "required"}


def test_an_update_that_may_have_landed_is_not_resent_when_the_policy_says_resending_is_unsafe(
    tmp_path: Path,
) -> None:
    """A full replacement is re-sent after a lost reply; an update that is not safe twice is left unknown."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "helpers"))
    from fake_writes import FakeWriteClient, scripted

    from bulktool.writer.apply import apply_ops
    from bulktool.writer.journal import Journal
    from bulktool.writer.ports import make_op
    from bulktool.writer.retry import RetryPolicy

    outcomes = {}
    for harmless in (True, False):
        client = FakeWriteClient(faults=scripted({("update", "1"): ["drop_after"]}))
        rid = client.seed("customers", {"number": "U-1", "name": "old"})
        assert rid == "1"
        client.resend_is_harmless = harmless  # type: ignore[misc]
        op = make_op("update", "customers", "Customers", 2, {"number": "U-1", "name": "new"}, record_id=rid)
        with Journal(tmp_path / f"j-{harmless}.sqlite") as journal:
            [out] = apply_ops([op], client, journal, retry=RetryPolicy(sleep=lambda _s: None))
        outcomes[harmless] = (out.status, client.count("update"))
    assert outcomes[True] == ("applied", 2)  # re-sent: the same full body changes nothing more
    assert outcomes[False][0] == "unknown" and outcomes[False][1] == 1


def test_a_partial_update_clears_nothing_it_does_not_send(fast_sandbox: SandboxServer, tmp_path: Path) -> None:
    """A project's location cannot be resent (cleared_by_update): a full replacement would clear it."""
    before = next(r for r in fast_sandbox.records("projects") if r["location"] is not None)
    path = tmp_path / "projects.xlsx"
    export(connector_for(fast_sandbox, 1000), "blikk", ["projects"], path)
    sheet = Sheet(path, "projects")
    sheet.set(sheet.row_of(before["id"]), "title", "Ny titel")
    sheet.save()
    full = plan_file(connector_for(fast_sandbox, 1000), path, ImportOptions())
    assert full.writes == [] and [r.would_clear for r in full.result.rows if r.id == before["id"]] == [["location"]]
    partial = PartialBlikk(fast_sandbox.url, blikk_credentials(fast_sandbox.app_id, fast_sandbox.app_secret))
    [write] = plan_file(partial, path, ImportOptions()).writes
    assert write.body == {"title": "Ny titel"} and not write.result.would_clear
