"""Tripletex (API v2): connector, wire codec, write policy and sandbox app.

- ``connector``: session tokens (consumer + employee token -> session, Basic ``<company>:<session>``),
  from/count paging over ``{fullResultSize, from, count, versionDigest, values}``, ``fields``
  selection, the ``{status, code, message, validationMessages, requestId}`` error envelope, and pacing
  by the announced ``X-Rate-Limit-*`` headers.
- ``sandbox``: the API as documented in ``spec/openapi-trimmed.json`` (cut from the official spec by
  ``scripts/trim_tripletex_spec.py``), as an app on the shared sandbox kit.
- ``demo``: what ``bulktool demo --system tripletex`` exports from the seeded sandbox.
Templates: ``templates/tripletex/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .. import Vendor
from .connector import TripletexConnector

if TYPE_CHECKING:
    from ...demo import DemoScenario
    from ...sandbox.app import SandboxApp


def demo() -> DemoScenario:
    from .demo import SCENARIO

    return SCENARIO


def sandbox_app() -> SandboxApp:
    from .sandbox.app import TripletexSandboxApp

    return cast("SandboxApp", TripletexSandboxApp())


VENDORS = (Vendor("tripletex", "Tripletex", "tripletex", TripletexConnector, sandbox_app, demo),)

__all__ = ["VENDORS", "TripletexConnector", "demo", "sandbox_app"]
