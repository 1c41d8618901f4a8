"""What every vendor connector is built from; the connectors themselves live in ``bulktool.vendors``."""

from __future__ import annotations

from .base import Connector, CredentialField, Credentials, Page, PageNumberPaginator, Paginator, Tenant

__all__ = ["Connector", "CredentialField", "Credentials", "Page", "PageNumberPaginator", "Paginator", "Tenant"]
