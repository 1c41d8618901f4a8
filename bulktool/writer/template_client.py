"""The writer's view of the API: CRUD by template name, through the connector's throttled client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..connectors.base import Connector
from ..errors import NotFound
from ..plan.groups import ITEMS
from ..plan.normalize import normalizer
from ..schema.model import Endpoint
from ..workbook import flatten
from .ports import Current, WriteAction

DEFAULT_BATCH_SIZE = 100  # no maximum documented anywhere we write to: moderate, and configurable


class TemplateWriteClient:
    """Implements ``ports.WriteClient`` for endpoint templates (the only retries are the client's GET retries).

    Bulk operations (the template's ``bulk_create``/``bulk_update`` paths) take a JSON array of bodies
    and answer ``{"values": [...]}`` in the same order; ``batch_size`` 1 turns them off.
    """

    def __init__(self, connector: Connector, endpoints: dict[str, Endpoint], *,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.connector = connector
        self.endpoints = endpoints
        self.resend_is_harmless = connector.write_policy.resend_is_harmless
        self._batch_size = batch_size

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        conn = self.connector
        path, wire = conn.write_request(ep, "create", body)
        got = conn.client.request_json("POST", path, json_body=wire)
        return conn.from_wire(got) if isinstance(got, dict) else {}

    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        # A list-valued write (group_by): the body holds the parent's complete list, sent as the list.
        sent: Any = body[ITEMS] if ep.group_by and isinstance(body.get(ITEMS), list) else body
        path, wire = self.connector.write_request(ep, "update", sent, record_id)
        got = self.connector.client.request_json("PUT", path, json_body=wire)
        return self.connector.from_wire(got) if isinstance(got, dict) else {}

    def delete(self, endpoint: str, record_id: str) -> None:
        ep = self.endpoints[endpoint]
        self.connector.client.request("DELETE", self.connector.endpoint_path(ep, "delete", record_id))

    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]:
        return self.connector.find_by_key(self.endpoints[endpoint], key_field, key_value)

    # -- batches -----------------------------------------------------------------------
    def _bulk_path(self, ep: Endpoint, action: WriteAction) -> str | None:
        if action == "create":
            return ep.bulk_create_path
        return ep.bulk_update_path if action == "update" else None

    def batch_size(self, endpoint: str, action: WriteAction) -> int:
        return self._batch_size if self._bulk_path(self.endpoints[endpoint], action) else 1

    def create_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._many("POST", endpoint, "create", bodies)

    def update_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._many("PUT", endpoint, "update", bodies)

    def _many(
        self, method: str, endpoint: str, action: WriteAction, bodies: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        ep = self.endpoints[endpoint]
        path = self._bulk_path(ep, action)
        if not path:
            raise ValueError(f"{ep.name} has no bulk {action} operation")
        conn = self.connector
        got = conn.client.request_json(method, path, json_body=[conn.to_wire(ep, b) for b in bodies])
        values = got.get("values") if isinstance(got, dict) else got
        if not isinstance(values, list):
            raise ValueError(f"{method} {path}: the answer holds no list of records")
        return [conn.from_wire(v) if isinstance(v, dict) else {} for v in values]

    # -- the record as it is now -----------------------------------------------------------
    def reread(self, endpoint: str, record_id: str, fields: Sequence[str]) -> Current | None:
        """The record's version and ``fields`` (read names), normalised as the planner compares them."""
        ep = self.endpoints[endpoint]
        try:
            raw = self.connector.get_record(ep, record_id)
        except NotFound:
            return None
        cols = [c for c in ep.columns if c.name in fields]
        flat = flatten(raw, cols)
        values = {c.name: normalizer(c)(flat.get(c.name)) for c in cols}
        return Current(raw.get(ep.version_field) if ep.version_field else None, values)

    def update_body(self, endpoint: str, body: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        """The create body's parts that set ``fields``: a nested object goes whole (a partial PUT merges it)."""
        ep = self.endpoints[endpoint]
        keys = {c.write.split(".")[0] for c in ep.columns if c.name in fields and c.write}
        return {k: v for k, v in body.items() if k in keys}
