"""Tripletex's error envelope, raised from anywhere in the app and rendered by ``app.invalid``.

``{status, code, message, link, developerMessage, validationMessages: [{field, message, path, rootId}]
| null, requestId}``, with the same request id in the ``x-tlx-request-id`` header (tripletex-facts.md).
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.context import current
from bulktool.sandbox.invalid import Invalid

LINK = "https://tripletex.no/v2-docs/"


class TxError(Invalid):
    """One Tripletex error answer."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str | None,
        developer_message: str | None = None,
        validation: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__({}, message or "")
        self.status = status
        self.code = code
        self.tx_message = message
        self.developer_message = developer_message
        self.validation = validation

    def envelope(self) -> dict[str, Any]:
        return envelope(self.status, self.code, self.tx_message, self.developer_message, self.validation)


def envelope(
    status: int, code: int, message: str | None, developer: str | None = None,
    validation: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "status": status, "code": code, "message": message, "link": LINK, "developerMessage": developer,
        "validationMessages": validation, "requestId": current().request_id,
    }


def vmsg(field: str, message: str, index: int | None = None) -> dict[str, Any]:
    """One validation message: path ``null.<field>`` on a single object, ``[i].<field>`` in a bulk request."""
    path = f"null.{field}" if index is None else f"[{index}].{field}"
    return {"field": field, "message": message, "path": path, "rootId": index}


def validation_failed(messages: list[dict[str, Any]]) -> TxError:
    """422/18000: a business rule (name required, number in use, unknown reference...)."""
    return TxError(422, 18000, "Validering feilet.", "VALIDATION_ERROR", messages)


def value_invalid(messages: list[dict[str, Any]]) -> TxError:
    """422/15000: a value the model rejects (bad email, hours over 24...)."""
    return TxError(422, 15000, "Validation failed", None, messages)


def mapping_failed(messages: list[dict[str, Any]]) -> TxError:
    """422/16000: the body does not map onto the model (unknown property, wrong type)."""
    return TxError(422, 16000, "Request mapping failed", None, messages)


def not_found(what: str = "Object") -> TxError:
    return TxError(404, 6000, "Object not found", f"{what} not found")


def unauthorized(developer: str = "Could not log in") -> TxError:
    return TxError(401, 3000, "Unauthorized", developer)


def forbidden() -> TxError:
    return TxError(403, 9000, "You do not have permission to access this feature.", None)


def bad_param(message: str) -> TxError:
    return TxError(422, 21000, message, message)
