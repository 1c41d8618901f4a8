"""What every vendor connector provides, and the small pieces they are built from.

Like dlt's rest_client, paging and auth are small classes chosen per vendor;
a connector wires them to the shared HTTP client and knows its error envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, ClassVar

from ..errors import UsageError
from ..http.client import HttpClient
from ..http.security import check_base_url
from ..schema.model import Endpoint
from ..workbook.meta import record_id  # the one id and key rule: trimmed NFC text, 12.0 is 12
from .companies import Company
from .credentials import CredentialField, Credentials, Tenant, fingerprint
from .paging import Page, PageCallback, PageNumberPaginator, Paginator
from .wire import ISO_8601, DatetimeWire
from .write_policy import FULL_REPLACEMENT, WritePolicy

# The pieces a connector is built from live beside it; importing them from here keeps working.
__all__ = [
    "Company", "Connector", "CredentialField", "Credentials", "Page", "PageCallback", "PageNumberPaginator",
    "Paginator", "Tenant", "fingerprint", "list_passes_for", "sheet_name_for_path",
]


def sheet_name_for_path(path: str, drop: Collection[str] = ()) -> str:
    """A path's segments joined by ``_``, without version segments (``v1``) or those in ``drop``."""
    parts = [p for p in path.strip("/").split("/")
             if p and not (p[:1] in "vV" and p[1:].isdigit()) and p.lower() not in drop]
    return "_".join(parts)[:31] or "sheet"  # the workbook writer makes it a valid, unique sheet name


class Connector:
    """Base for vendor connectors: listing with concurrent paging, CRUD by template."""

    system: ClassVar[str] = ""
    title: ClassVar[str] = ""
    default_base_url: ClassVar[str | None] = None
    env_prefix: ClassVar[str] = ""
    rate_per_second: ClassVar[int] = 4
    # True: the server announces its limit on every answer and the client paces by that (--rate only caps it).
    rate_announced: ClassVar[bool] = False
    # False: the vendor documents no limit; ``rate_per_second`` is only a safe default pace, so a higher
    # --rate is the user's call and gets no "above the limit" warning.
    rate_documented: ClassVar[bool] = True
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()  # what signing in takes, in prompt order
    write_policy: ClassVar[WritePolicy] = FULL_REPLACEMENT  # how updates are taken (write_policy.py)
    datetime_wire: ClassVar[DatetimeWire] = ISO_8601  # how bodies spell datetimes (wire.py)

    @classmethod
    def credentials(cls, **values: str) -> Credentials:
        """Credentials of this vendor's shape; a missing field is a ValueError naming it."""
        missing = [f.key for f in cls.credential_fields if f.required and not values.get(f.key)]
        if missing:
            raise ValueError(f"{cls.title} credentials need {', '.join(missing)}")
        given = {k: v for k, v in values.items() if v}
        return Credentials(given, [f.key for f in cls.credential_fields if f.secret])

    @classmethod
    def check_base_url(cls, url: str) -> str:
        """The API root, refused early when it cannot work (remote plain http; a vendor's own rules)."""
        return check_base_url(url)

    @classmethod
    def connect(cls, base_url: str, credentials: Credentials, *, rate: int | None = None) -> Connector:
        """Open a connection to ``base_url``: each vendor builds its own client, auth and paginator."""
        raise NotImplementedError(f"{cls.__name__} does not say how to connect")

    def __init__(self, client: HttpClient, paginator: Paginator) -> None:
        self.client = client
        self.paginator = paginator
        self.profile: str | None = None  # the saved profile this connection came from, if any (for labels)

    @property
    def host(self) -> str:
        return self.client.base_url.split("//", 1)[-1]

    @property
    def server_key(self) -> str:
        """The host as an account fingerprint sees it: the same server however its URL is spelled.

        Case, a trailing slash, the scheme's default port and the loopback spellings
        (localhost, 127.0.0.1, ::1) don't make another server.
        """
        scheme, _, rest = self.client.base_url.partition("://")
        netloc, _, path = rest.partition("/")
        host, port = netloc.lower(), ""
        if host.startswith("["):  # [::1]:8765
            inner, _, tail = host[1:].partition("]")
            host, port = inner, tail.removeprefix(":")
        elif host.count(":") == 1:
            host, port = host.split(":")
        if port == {"https": "443", "http": "80"}.get(scheme.lower()):
            port = ""
        if host in ("localhost", "::1") or host.startswith("127."):
            host = "loopback"
        return host + (f":{port}" if port else "") + ("/" + path.strip("/") if path.strip("/") else "")

    def tenant(self) -> Tenant:
        """Which account this is; vendors whose host is shared by many accounts refine it."""
        return Tenant(fingerprint(self.system, self.server_key), self._label(self.host))

    def _label(self, account: str) -> str:
        return f"{account} (profile {self.profile})" if self.profile else account

    # -- many companies behind one sign-in (companies.py) -----------------------------
    def visible_companies(self) -> list[Company]:
        """Every company these credentials can work in (an accounting office's clients); vendors that have
        such a list override this and ``for_company``."""
        raise UsageError(f"{self.title or self.system} has no list of companies: --company all and --companies "
                         "are not available for it")

    def for_company(self, company_id: str) -> Connector:
        """A connector working in company ``company_id`` (one of ``visible_companies``), sharing this one's
        session and rate limit where the vendor can."""
        raise UsageError(f"{self.title or self.system} cannot work in several companies in one run")

    # -- reading ---------------------------------------------------------------
    def iter_pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        concurrency: int = 4,
        on_page: PageCallback | None = None,
    ) -> Iterator[Page]:
        """Yield pages in order, fetching ahead concurrently within the rate limit."""
        base = dict(params or {})

        def fetch(n: int) -> Page:
            body = self.client.request_json("GET", path, params={**base, **self.paginator.params_for(n)})
            page = self.paginator.parse(n, body)
            page.items = [self.from_wire(i) if isinstance(i, dict) else i for i in page.items]
            return page

        first = fetch(1)
        if on_page:
            on_page(len(first.items), first.total_pages)
        yield first
        if not self.paginator.has_more(first):
            return
        next_n = 2
        hint = first.total_pages or 0
        stop = hint if hint >= 2 else next_n + concurrency - 1
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="page") as pool:
            while True:
                for page in pool.map(fetch, range(next_n, stop + 1)):
                    if on_page:
                        on_page(len(page.items), first.total_pages)
                    if page.items:
                        yield page
                    if not self.paginator.has_more(page):
                        return
                # The hint ran out but the last page was full. With a hint, that is usually a list whose size is
                # a multiple of the page size: one page settles it. After that (or without a hint), batches.
                probe = hint >= 2 and stop == hint
                next_n, stop = stop + 1, stop + (1 if probe else concurrency)

    def list_all(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        id_field: str = "id",
        concurrency: int = 4,
        on_page: PageCallback | None = None,
    ) -> list[dict[str, Any]]:
        """All items, de-duplicated by id (records can shift between pages while we read)."""
        seen: set[Any] = set()
        out: list[dict[str, Any]] = []
        for page in self.iter_pages(path, params, concurrency=concurrency, on_page=on_page):
            for item in page.items:
                key = item.get(id_field) if isinstance(item, dict) else None
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(item)
        return out

    def list_endpoint(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        concurrency: int = 4,
        on_page: PageCallback | None = None,
        order: tuple[str, bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Every record of a template's list, in as few requests as the vendor allows.

        Adds the vendor's list parameters for this template (``list_params``: e.g. a field
        selection) and runs each of the template's ``list_passes`` (some APIs hide inactive records
        unless asked), merged by id in pass order. Where the caller's parameters set what a pass
        would (``--filter isInactive=true``), theirs win and equal passes run once (``list_passes_for``).
        The server sorts within each pass only, so with several passes and ``order`` (the field and
        descending, as given to ``sort_params``) the merged records are sorted again by that field.
        """
        given = dict(params or {})
        base = {**self.list_params(endpoint), **given}
        passes = list_passes_for(endpoint, given)
        if len(passes) == 1:
            return self.list_all(endpoint.list_path, {**base, **passes[0]}, id_field=endpoint.id_field,
                                 concurrency=concurrency, on_page=on_page)
        merged: dict[Any, dict[str, Any]] = {}
        unkeyed: list[dict[str, Any]] = []
        for extra in passes:
            for item in self.list_all(endpoint.list_path, {**base, **extra}, id_field=endpoint.id_field,
                                      concurrency=concurrency, on_page=on_page):
                key = item.get(endpoint.id_field)
                if key is None:
                    unkeyed.append(item)
                else:
                    merged.setdefault(key, item)
        out = [*merged.values(), *unkeyed]
        if order is not None:
            out.sort(key=lambda r: _order_key(r, order[0], self.collate), reverse=order[1])
        return out

    def list_checksum(self, endpoint: Endpoint, params: Mapping[str, Any] | None = None) -> str | None:
        """A digest of the template's whole list as it is now, for ``list_unchanged`` later; None when
        the API offers none (then change detection reads the records)."""
        return None

    def list_unchanged(self, endpoint: Endpoint, checksum: str, params: Mapping[str, Any] | None = None) -> bool:
        """True when the list still has the ``checksum`` taken earlier: nothing changed, no rows need reading."""
        return False

    def collate(self, text: str) -> str:
        """Text as this API sorts it (for re-sorting merged list passes): ignoring case here."""
        return text.lower()

    def list_params(self, endpoint: Endpoint) -> dict[str, Any]:
        """Parameters every list read of this template carries (a vendor's field selection); {} here."""
        return {}

    def list_covers_detail(self, endpoint: Endpoint) -> bool:
        """True when the list read already holds the detail shape's columns (no per-record GETs needed)."""
        return False

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = self.client.request_json("GET", path, params=params)
        return self.from_wire(body) if isinstance(body, dict) else {}

    def get_record(self, endpoint: Endpoint, record_id: Any) -> dict[str, Any]:
        """One record of a template by id, with the same vendor parameters as its list (``list_params``)."""
        return self.get(self.endpoint_path(endpoint, "get", record_id), self.list_params(endpoint) or None)

    # -- the wire codec: every record read passes ``from_wire``, every body written ``to_wire`` --------
    def from_wire(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as the core sees it: vendors drop their envelope noise (type tags) here."""
        return record

    def to_wire(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """A write body in the vendor's form from the core's canonical values: datetimes as it declares."""
        return self.datetime_wire.to_wire(endpoint, body)

    # -- template-level CRUD (the writer's WriteClient) ---------------------------
    def endpoint_path(self, endpoint: Endpoint, op: str, record_id: Any = None) -> str:
        path = {
            "list": endpoint.list_path, "get": endpoint.get_path, "create": endpoint.create_path,
            "update": endpoint.update_path, "delete": endpoint.delete_path,
        }[op]
        if not path:
            raise ValueError(f"{endpoint.name} has no {op} operation")
        return path.replace("{id}", str(record_id)) if record_id is not None else path

    def write_request(
        self, endpoint: Endpoint, op: str, body: dict[str, Any], record_id: Any = None
    ) -> tuple[str, Any]:
        """The path and wire body of one ``create`` or ``update``: the template's path and ``to_wire``.

        Vendors whose PUT goes to the collection with the id in the body, or whose POST goes to the
        item URL of a client-given id (Finsit), say so here.
        """
        return self.endpoint_path(endpoint, op, record_id), self.to_wire(endpoint, body)

    def write_policy_for(self, endpoint: Endpoint) -> WritePolicy:
        """How one template's writes are taken: the API's one policy unless the vendor's resources differ."""
        return self.write_policy

    def new_record_id(self, endpoint: Endpoint) -> str | None:
        """The id a new record gets where the client must give it (None: the server or the row gives it)."""
        return None

    def sheet_name_for_path(self, path: str) -> str:
        """The sheet a raw list path (``export /v2/customer``) exports to; vendors drop their own prefixes."""
        return sheet_name_for_path(path)

    # -- the vendor's query dialect: every list request the core shapes goes through these --------
    def list_filter_params(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        """``--filter name=value`` pairs as this API's list parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no filter dialect")

    def sort_params(self, field_name: str, descending: bool) -> dict[str, Any]:
        """``--sort`` as this API's list parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no sort dialect")

    def changed_since_params(self, endpoint: Endpoint, since: datetime) -> dict[str, Any]:
        """List parameters for "records changed since ``since``" (the server's time), or {} for none.

        An empty answer means the planner reads every record, which is always exact.
        """
        return {}

    def find_by_key(self, endpoint: Endpoint, key_field: str, value: str) -> list[dict[str, Any]]:
        """Records whose ``key_field`` equals ``value`` (the writer's recovery of a lost create's reply).

        This default lists every record; vendors with a search parameter narrow the list first.
        """
        items = self.list_endpoint(endpoint, self.key_search_params(endpoint, value))
        want = _key_text(value)
        return [i for i in items if _key_text(i.get(key_field)) == want]

    def key_search_params(self, endpoint: Endpoint, value: str) -> dict[str, Any]:
        """List parameters that narrow a key lookup (never wrongly: matches are compared exactly)."""
        return {}


def list_passes_for(endpoint: Endpoint, given: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The template's list passes with the caller's own values winning, each distinct pass once.

    ``--filter isInactive=true`` turns both isInactive passes into one; a date range the caller
    gives replaces the pass's default range and keeps its other bound.
    """
    out: list[dict[str, Any]] = []
    for p in endpoint.list_passes or ({},):
        merged = {k: given.get(k, v) for k, v in p.items()}
        if merged not in out:
            out.append(merged)
    return tuple(out)


def _order_key(record: Mapping[str, Any], field_name: str, collate: Callable[[str], str]) -> tuple[int, Any]:
    """A sort key for one (dotted) field: empty first, then numbers and booleans, then text as collated."""
    value: Any = record
    for part in field_name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, collate(str(value)))


_key_text = record_id  # keys compare by the one id and key rule (trimmed NFC text, 12.0 is 12), not a second one
