"""Vendor connectors, chosen by ``--system``."""

from __future__ import annotations

from ..errors import UnknownSystem
from .base import Connector, Credentials, Page, PageNumberPaginator, Paginator, Tenant
from .blikk import BlikkConnector, VismaTidConnector

CONNECTORS: dict[str, type[BlikkConnector]] = {
    "blikk": BlikkConnector,
    "vismatid": VismaTidConnector,
}


def connector_class(system: str) -> type[BlikkConnector]:
    try:
        return CONNECTORS[system.lower()]
    except KeyError:
        raise UnknownSystem(f"Unknown system {system!r}; choose one of: {', '.join(CONNECTORS)}") from None


__all__ = [
    "CONNECTORS", "BlikkConnector", "Connector", "Credentials", "Page", "PageNumberPaginator", "Paginator",
    "Tenant", "VismaTidConnector", "connector_class",
]
