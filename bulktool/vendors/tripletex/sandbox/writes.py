"""Writes: POST, partial PUT with ``version``, DELETE and the all-or-nothing ``/list`` bulk calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bulktool.sandbox.store import Store

from .errors import TxError
from .model import Resource

Result = tuple[int, Any]
Handler = Callable[[Store, list[int], dict[str, str], Any], Result]


def _todo(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        raise TxError(501, 1000, None, f"writes to {res.path} are not built yet")

    return handle


creator = updater = deleter = bulk_creator = bulk_updater = list_deleter = bulk_deleter = _todo
