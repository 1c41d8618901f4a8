"""List paging: what a vendor's paginator answers (which parameters fetch page N, is there more).

Like dlt's rest_client, paging is a small class chosen per vendor; ``Connector.iter_pages`` drives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

PageCallback = Callable[[int, int | None], None]  # (items on this page, total pages hint)


@dataclass
class Page:
    number: int
    items: list[dict[str, Any]]
    total_pages: int | None = None
    page_size: int = 100


class Paginator(Protocol):
    """Two questions per vendor: what parameters fetch page N, and is there more after this page."""

    page_size: int

    def params_for(self, number: int) -> dict[str, Any]: ...
    def parse(self, number: int, body: Any) -> Page: ...
    def has_more(self, page: Page) -> bool: ...


@dataclass
class PageNumberPaginator:
    """``page``/``pageSize`` paging; the last page is the first one that is not full.

    ``totalPages`` is used only as a hint for fetching ahead concurrently: the
    Blikk docs' own examples disagree with themselves about the totals.
    """

    page_size: int = 100
    page_param: str = "page"
    size_param: str = "pageSize"
    items_key: str = "items"

    def params_for(self, number: int) -> dict[str, Any]:
        return {self.page_param: number, self.size_param: self.page_size}

    def parse(self, number: int, body: Any) -> Page:
        if not isinstance(body, dict) or not isinstance(body.get(self.items_key), list):
            raise ValueError("not a paged list response (no 'items' array)")
        total = body.get("totalPages")
        return Page(number, body[self.items_key], total if isinstance(total, int) else None, self.page_size)

    def has_more(self, page: Page) -> bool:
        return len(page.items) >= self.page_size
