"""Tripletex (API v2): connector, wire codec, write policy and sandbox app.

- ``connector``: the query dialect (``fields`` from the template's columns, ``sorting``, search
  parameters, ``changedSince``, key lookup, the ``versionDigest`` checksum) and the tenant (host +
  company), wiring the pieces beside it:
  ``auth`` (consumer + employee token -> session, Basic ``<company>:<session>``, renewal, redaction),
  ``paging`` (from/count over ``{fullResultSize, from, count, versionDigest, values}``),
  ``errors`` (the ``{status, code, message, validationMessages, requestId}`` envelope),
  ``rate`` (pacing by the announced ``X-Rate-Limit-*`` headers), ``codec`` (``url`` noise, ``{"value"}``).
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
