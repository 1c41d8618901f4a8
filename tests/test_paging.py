"""Paging reads no more pages than the list needs, even when its size is a multiple of the page size."""

from __future__ import annotations

import pytest
from conftest import connector_for

from bulktool.sandbox import SandboxConfig, SandboxServer


@pytest.mark.parametrize(("contacts", "pages"), [(500, 6), (450, 5), (60, 1)])
def test_a_full_last_page_costs_one_more_request_not_a_batch(contacts: int, pages: int) -> None:
    with SandboxServer(SandboxConfig(contacts=contacts, port=0, rate_limit=1000)) as srv:
        conn = connector_for(srv, rate=1000)
        srv.reset_stats()
        items = conn.list_all("/v1/Core/Contacts", id_field="id")
        assert len(items) == contacts
        # 500 records: pages 1-5 are full, page 6 is the one (empty) page that proves the end.
        assert srv.stats()["total"] == pages
