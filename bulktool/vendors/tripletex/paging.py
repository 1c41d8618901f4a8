"""Tripletex list paging: ``from``/``count`` over ``{fullResultSize, from, count, versionDigest, values}``.

Pages are large: 1000, the default `count` in the spec.
The last page is the first short one: ``fullResultSize`` is documented as "not exact", so it is
only a hint for fetching pages ahead concurrently, never a stop condition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...connectors.base import Page

PAGE_SIZE = 1000


@dataclass
class OffsetPaginator:
    page_size: int = PAGE_SIZE
    items_key: str = "values"

    def params_for(self, number: int) -> dict[str, Any]:
        return {"from": (number - 1) * self.page_size, "count": self.page_size}

    def parse(self, number: int, body: Any) -> Page:
        if not isinstance(body, dict) or not isinstance(body.get(self.items_key), list):
            raise ValueError("not a Tripletex list response (no 'values' array)")
        size = body.get("fullResultSize")
        hint = math.ceil(size / self.page_size) if isinstance(size, int) and not isinstance(size, bool) else None
        return Page(number, body[self.items_key], hint if hint else None, self.page_size)

    def has_more(self, page: Page) -> bool:
        return len(page.items) >= self.page_size
