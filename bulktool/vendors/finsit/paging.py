"""Finsit lists: one GET answers a bare JSON array of the whole result; there is no paging.

The vendor's client has no page, limit or cursor parameter, envelope or Link header (fact sheet
§1.8), so the paginator reads exactly one page and never asks for a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...connectors.base import Page
from ...errors import UsageError


@dataclass
class SingleListPaginator:
    page_size: int = 0  # no page size: the whole list comes at once

    def params_for(self, number: int) -> dict[str, Any]:
        return {}

    def parse(self, number: int, body: Any) -> Page:
        if not isinstance(body, list):
            what = "one object" if isinstance(body, dict) else "no JSON array"
            raise UsageError(f"The answer is {what}, not a list: export takes list paths such as "
                             "/Api/v2/Company/ (a single record such as /Api/v2/Me is not a list).")
        return Page(number, [i for i in body if isinstance(i, dict)], 1, len(body))

    def has_more(self, page: Page) -> bool:
        return False
