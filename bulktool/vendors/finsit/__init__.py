"""Finsit / Företagsplatsen (REST API v2): connector, wire codec, write policy and sandbox app.

- ``connector``: company-scoped paths (``/Api/v2/Company/{companyId}/...``; ``--company ID``, or
  ``--agency SHORT --org ORGNO`` for ``a-{agency}-{orgno}``), agency paths (``--agency``), PUT on
  the item or on the collection as each resource takes it, local filtering and sorting, the
  key-figure data read per fiscal year, and the tenant (host + company), wiring the pieces beside it:
  ``auth`` (Basic encoded ISO-8859-1, so å/ä/ö passwords work; OAuth 1.0a with an issued access token
  via requests-oauthlib, HMAC-SHA1 in the header or PLAINTEXT in the query; no SAML),
  ``errors`` (``{typeOfError, message, identifier}``; PreconditionFailed and OperationCancelled
  named; a proxy's HTML page described), ``codec`` (numbers as exact Decimal, bare ``NaN``/
  ``Infinity``/``-Infinity`` read and written back as the same tokens, names matched in any case),
  ``paging`` (one bare array per list, no paging), ``records`` (path segments, the documented
  casing per template, the composed ids of key-figure data and values, local filters, never-sent flags).
- ``sandbox``: the API as documented, as an app on the shared sandbox kit (``FinsitSandboxApp``).
- ``demo``: what ``bulktool demo --system finsit`` exports from the seeded sandbox.
Templates: ``templates/finsit/``. Sources: finsit-api-overview.txt and finsit-resources.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .. import Vendor
from .connector import FinsitConnector

if TYPE_CHECKING:
    from ...demo import DemoScenario
    from ...sandbox.app import SandboxApp


def demo() -> DemoScenario:
    from .demo import SCENARIO

    return SCENARIO


def sandbox_app() -> SandboxApp:
    from .sandbox.app import FinsitSandboxApp

    return cast("SandboxApp", FinsitSandboxApp())


VENDORS = (Vendor("finsit", "Finsit", "finsit", FinsitConnector, sandbox_app, demo),)

__all__ = ["VENDORS", "FinsitConnector", "demo", "sandbox_app"]
