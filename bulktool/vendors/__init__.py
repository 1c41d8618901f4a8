"""The vendor registry: every system bulktool talks to, one package each.

A vendor package (``bulktool/vendors/<name>/``) holds everything that is that vendor's: the connector
(auth, paging, envelope, query dialect, change feed, key lookup, error mapper, rate policy), its wire
codec, its write policy, its sandbox app and its demo scenario (``demo.py``), side by side, and lists
them in ``VENDORS``. Its endpoint
templates live in ``templates/<family>/``. The core (plan, writer, workbook, export, import) asks the
connector it was handed and never names a system; adding a vendor means adding its package here and
its templates, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UnknownSystem

if TYPE_CHECKING:
    from ..connectors.base import Connector
    from ..demo import DemoScenario
    from ..sandbox.app import SandboxApp


@dataclass(frozen=True)
class Vendor:
    """One system name (``--system``): its connector class, template family and sandbox app."""

    name: str  # "blikk", "vismatid", "tripletex", "finsit"
    title: str  # "Blikk", "Visma Tid"
    family: str  # the API family it runs, which is the template folder: Visma Tid runs Blikk's
    connector: type[Connector]
    sandbox_app: Callable[[], SandboxApp]
    demo: Callable[[], DemoScenario] | None = None  # ``bulktool demo --system <name>``: the package's demo.py


def _registered() -> tuple[Vendor, ...]:
    from . import blikk, finsit, tripletex

    return (*blikk.VENDORS, *tripletex.VENDORS, *finsit.VENDORS)


DEFAULT_SYSTEM = "blikk"  # --system when neither the option nor a profile names one
VENDORS: dict[str, Vendor] = {v.name: v for v in _registered()}
SYSTEMS: tuple[str, ...] = tuple(VENDORS)
CONNECTORS: dict[str, type[Connector]] = {name: v.connector for name, v in VENDORS.items()}


def vendor(system: str) -> Vendor:
    """The vendor called ``system`` (case-insensitive); UnknownSystem names the valid ones."""
    try:
        return VENDORS[system.strip().lower()]
    except KeyError:
        raise UnknownSystem(f"Unknown system {system!r}; choose one of: {', '.join(VENDORS)}") from None


def connector_class(system: str) -> type[Connector]:
    return vendor(system).connector


__all__ = ["CONNECTORS", "DEFAULT_SYSTEM", "SYSTEMS", "VENDORS", "Vendor", "connector_class", "vendor"]
