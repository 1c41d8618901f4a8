"""The writer's view of the API: CRUD by template name, through the connector's throttled client."""

from __future__ import annotations

from typing import Any

from ..connectors.base import Connector
from ..schema.model import Endpoint


class TemplateWriteClient:
    """Implements ``ports.WriteClient`` for endpoint templates (the only retries are the client's GET retries)."""

    def __init__(self, connector: Connector, endpoints: dict[str, Endpoint]) -> None:
        self.connector = connector
        self.endpoints = endpoints
        self.resend_is_harmless = connector.write_policy.resend_is_harmless

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        conn = self.connector
        got = conn.client.request_json("POST", conn.endpoint_path(ep, "create"), json_body=conn.to_wire(ep, body))
        return conn.from_wire(got) if isinstance(got, dict) else {}

    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        path = self.connector.endpoint_path(ep, "update", record_id)
        got = self.connector.client.request_json("PUT", path, json_body=self.connector.to_wire(ep, body))
        return self.connector.from_wire(got) if isinstance(got, dict) else {}

    def delete(self, endpoint: str, record_id: str) -> None:
        ep = self.endpoints[endpoint]
        self.connector.client.request("DELETE", self.connector.endpoint_path(ep, "delete", record_id))

    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]:
        return self.connector.find_by_key(self.endpoints[endpoint], key_field, key_value)
