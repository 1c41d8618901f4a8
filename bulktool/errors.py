"""One error tree for the whole library.

The CLI maps each branch to an exit code and prints ``str(error)`` as one line,
so every message must be complete, specific and free of secrets. The exit codes
of the whole CLI: 0 ok (also: nothing to write); 1 invalid or conflict rows,
nothing written; 2 every error below; 3 apply finished but rows failed at the
API; 4 you answered "no" at the confirmation prompt, nothing written; 130
interrupted (Ctrl-C), what was applied is journaled and in the undo workbook::

    BulktoolError                    base; never raised directly
    ├── UsageError                   bad options or arguments (exit 2)
    │   ├── UnknownEndpoint          with close-match suggestions
    │   ├── UnknownSystem
    │   └── MappingError             a bad mapping file or --set (names file, line and key)
    ├── ConfigError                  profiles, credentials, config files (exit 2)
    │   ├── MissingCredentials
    │   └── InsecureConfig           http:// to a non-loopback host, world-readable secrets
    ├── TransportError               the request never got an answer (exit 2)
    │   └── ConnectionDropped        sent, but the connection closed before a reply
    ├── ApiError                     the server answered with an error status (exit 2)
    │   ├── AuthenticationError      401
    │   ├── PermissionDenied         403 (names the missing permission / IP case)
    │   ├── NotFound                 404
    │   ├── RateLimited              429 that outlived our retries
    │   ├── ValidationFailed         400/422 with per-field messages
    │   │   └── BatchRejected        a bulk write refused whole; ``items`` names the failing positions
    │   ├── VersionConflict          409: the record's version moved on since it was read
    │   └── ServerError              5xx (carries requestId)
    ├── WorkbookError                unreadable / unsafe / malformed input files (exit 2)
    │   └── OutputError              cannot write the output file
    └── TemplateError                a broken endpoint template (exit 2)
"""

from __future__ import annotations

from typing import Any


class BulktoolError(Exception):
    """Base of every error bulktool raises on purpose."""

    exit_code = 2


class UsageError(BulktoolError):
    pass


class UnknownEndpoint(UsageError):
    def __init__(self, name: str, suggestions: list[str], system: str = "", *, importing: bool = False) -> None:
        self.name = name
        self.suggestions = suggestions
        self.system = system
        where = f" for {system}" if system else ""
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        # An export also takes a raw list path; an import needs a template (raw paths are export-only).
        how = ("name one with --endpoint (the sheet or file name is used otherwise)" if importing
               else "or pass a raw list path such as /v1/Admin/Equipments")
        super().__init__(f"Unknown endpoint {name!r}{where}.{hint} Run 'bulktool endpoints' to list them, {how}.")


class UnknownSystem(UsageError):
    pass


class MappingError(UsageError):
    """A mapping file (or ``--set``) that cannot be used; the message names the file, line and key."""


class ConfigError(BulktoolError):
    pass


class MissingCredentials(ConfigError):
    pass


class InsecureConfig(ConfigError):
    pass


class TransportError(BulktoolError):
    """No HTTP answer arrived: DNS, refused, reset, timeout."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(message)


class ConnectionDropped(TransportError):
    """The request may have reached the server; its outcome is unknown."""


class ApiError(BulktoolError):
    """The server answered with a non-success status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str = "",
        url: str = "",
        body: Any = None,
        request_id: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        self.request_id = request_id
        self.field_errors = field_errors or {}
        super().__init__(message)


class AuthenticationError(ApiError):
    pass


class PermissionDenied(ApiError):
    def __init__(self, message: str, *, permissions: list[str] | None = None, **kw: Any) -> None:
        self.permissions = permissions or []
        super().__init__(message, **kw)


class NotFound(ApiError):
    pass


class RateLimited(ApiError):
    pass


class ValidationFailed(ApiError):
    pass


class BatchRejected(ValidationFailed):
    """A bulk write the server refused as a whole (nothing in it was saved).

    ``items`` maps a position in the batch (0-based) to its messages, as the vendor's
    error paths name them (Tripletex: ``[3].number``). Positions not named were not at
    fault and may be sent again; vendors that name only the first failing item need
    several rounds.
    """

    def __init__(self, message: str, *, items: dict[int, list[str]] | None = None, **kw: Any) -> None:
        self.items = items or {}
        super().__init__(message, **kw)


class VersionConflict(ApiError):
    """The update carried a ``version`` older than the stored one: someone wrote the record since we read it."""


class ServerError(ApiError):
    pass


class WorkbookError(BulktoolError):
    pass


class OutputError(WorkbookError):
    pass


class TemplateError(BulktoolError):
    pass
