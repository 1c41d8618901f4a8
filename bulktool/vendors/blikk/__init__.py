"""Blikk, and Visma Tid, which runs the same API: connector, wire codec and sandbox app.

- ``connector``: token auth, page/pageSize paging, the error envelopes, 4 requests/second.
- ``sandbox``: the Blikk API as an app on the shared sandbox kit (``bulktool.sandbox``).
Templates: ``templates/blikk/`` (each lists the systems that share it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import Vendor
from .connector import (
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
    from ...sandbox.app import SandboxApp


def sandbox_app() -> SandboxApp:
    from .sandbox.app import BlikkSandboxApp

    return BlikkSandboxApp()


VENDORS = (
    Vendor("blikk", "Blikk", "blikk", BlikkConnector, sandbox_app),
    Vendor("vismatid", "Visma Tid", "blikk", VismaTidConnector, sandbox_app),
)

__all__ = [
    "REFRESH_MARGIN", "VENDORS", "BlikkConnector", "BlikkTokenAuth", "VismaTidConnector", "blikk_credentials",
    "blikk_error", "parse_api_datetime", "refresh_margin", "sandbox_app",
]
