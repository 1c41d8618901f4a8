"""Finsit's error object ``{typeOfError, message, identifier}``, raised anywhere and rendered by the app.

Every non-200 answer carries it (overview, "Error messages"); ``identifier`` is a GUID for support.
The proxy pages (HTML 502/503 without the object) are what the overview warns a node in between
may answer ("the same HTTP status codes, although without the object").
"""

from __future__ import annotations

import uuid

from bulktool.sandbox.app import Reply
from bulktool.sandbox.invalid import Invalid

# typeOfError values: the overview's eight plus OperationCancelled (added to the client in 2023-04).
TYPES = ("NotFound", "Forbidden", "BadRequest", "NotImplemented", "Conflict", "Unknown",
         "PreconditionFailed", "InternalServerError", "OperationCancelled")


class FsError(Invalid):
    """One Finsit error answer: HTTP status, typeOfError and a human-readable message."""

    def __init__(self, status: int, type_of_error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__({}, message)
        assert type_of_error in TYPES, type_of_error
        self.status = status
        self.type_of_error = type_of_error
        self.headers = headers or {}

    def reply(self) -> Reply:
        body = {"typeOfError": self.type_of_error, "message": self.message,
                "identifier": str(uuid.uuid4()).upper()}
        return Reply(self.status, body, headers=dict(self.headers))


def bad_request(message: str) -> FsError:
    return FsError(400, "BadRequest", message)


def not_found(message: str) -> FsError:
    return FsError(404, "NotFound", message)


def forbidden(message: str) -> FsError:
    return FsError(403, "Forbidden", message)


def conflict(message: str) -> FsError:
    return FsError(409, "Conflict", message)


def precondition(message: str) -> FsError:
    return FsError(412, "PreconditionFailed", message)


def not_allowed(message: str) -> FsError:
    """A verb the resource lacks: 405 with NotImplemented ("the method ... is not implemented")."""
    return FsError(405, "NotImplemented", message)


def proxy_page(status: int) -> Reply:
    """An HTML error page from a proxy in front of the API: the status without the error object."""
    titles = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable", 504: "504 Gateway Time-out"}
    title = titles.get(status, f"{status} Error")
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Reply(status, raw=page.encode("ascii"), content_type="text/html")
