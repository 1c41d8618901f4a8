"""Finsit (Företagsplatsen, API v2): sandbox app (the connector lands from the fsconnector stream).

Minimal registry entry so ``--system finsit sandbox`` runs; the fsconnector stream's version of this
file replaces it (connector, auth, codec, templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ...connectors.base import Connector
from .. import Vendor

if TYPE_CHECKING:
    from ...sandbox.app import SandboxApp


def sandbox_app() -> SandboxApp:
    from .sandbox.app import FinsitSandboxApp

    return cast("SandboxApp", FinsitSandboxApp())


VENDORS = (Vendor("finsit", "Finsit", "finsit", Connector, sandbox_app),)

__all__ = ["VENDORS", "sandbox_app"]
