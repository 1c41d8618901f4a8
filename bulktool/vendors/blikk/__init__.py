"""Blikk, and Visma Tid, which runs the same API: connector, wire codec and sandbox app.

- ``connector``: token auth, page/pageSize paging, the error envelopes, 4 requests/second.
- ``sandbox``: the Blikk API as an app on the shared sandbox kit (``bulktool.sandbox``).
- ``demo``: what ``bulktool demo`` exports from the seeded sandbox (``samples/blikk-demo.xlsx``).
- Datetimes: Blikk writes an instant as ``2022-07-01 05:43:12 +00:00`` and a task's start and end as
  ``2022-07-11 04:43:00``. The core holds ISO 8601 (``2022-07-01T05:43:12Z``); the connector declares
  Blikk's spelling (``BLIKK_DATETIMES``) and ``to_wire`` respells every body on its way out.
Templates: ``templates/blikk/`` (each lists the systems that share it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import Vendor
from .connector import (
    BLIKK_DATETIMES,
    REFRESH_MARGIN,
    BlikkConnector,
    BlikkTokenAuth,
    VismaTidConnector,
    blikk_credentials,
    blikk_error,
    parse_api_datetime,
    refresh_margin,
)

if TYPE_CHECKING:
    from ...demo import DemoScenario
    from ...sandbox.app import SandboxApp


def demo() -> DemoScenario:
    from .demo import SCENARIO

    return SCENARIO


def visma_tid_demo() -> DemoScenario:
    from .demo import VISMA_TID

    return VISMA_TID


def sandbox_app() -> SandboxApp:
    from .sandbox.app import BlikkSandboxApp

    return BlikkSandboxApp()


VENDORS = (
    Vendor("blikk", "Blikk", "blikk", BlikkConnector, sandbox_app, demo),
    Vendor("vismatid", "Visma Tid", "blikk", VismaTidConnector, sandbox_app, visma_tid_demo),
)

__all__ = [
    "BLIKK_DATETIMES", "REFRESH_MARGIN", "VENDORS", "BlikkConnector", "BlikkTokenAuth", "VismaTidConnector",
    "blikk_credentials", "blikk_error", "demo", "parse_api_datetime", "refresh_margin", "sandbox_app",
]
