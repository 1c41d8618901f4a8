"""What every vendor connector provides, and the small pieces they are built from.

Like dlt's rest_client, paging and auth are small classes chosen per vendor;
a connector wires them to the shared HTTP client and knows its error envelope.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from ..http.client import HttpClient
from ..http.security import check_base_url
from ..schema.model import Endpoint
from ..workbook.meta import record_id  # the one id and key rule: trimmed NFC text, 12.0 is 12
from .wire import ISO_8601, DatetimeWire
from .write_policy import FULL_REPLACEMENT, WritePolicy

PageCallback = Callable[[int, int | None], None]  # (items on this page, total pages hint)


@dataclass
class Page:
    number: int
    items: list[dict[str, Any]]
    total_pages: int | None = None
    page_size: int = 100


class Paginator(Protocol):
    """Two questions per vendor: what parameters fetch page N, and is there more after this page."""

    page_size: int

    def params_for(self, number: int) -> dict[str, Any]: ...
    def parse(self, number: int, body: Any) -> Page: ...
    def has_more(self, page: Page) -> bool: ...


@dataclass
class PageNumberPaginator:
    """``page``/``pageSize`` paging; the last page is the first one that is not full.

    ``totalPages`` is used only as a hint for fetching ahead concurrently: the
    Blikk docs' own examples disagree with themselves about the totals.
    """

    page_size: int = 100
    page_param: str = "page"
    size_param: str = "pageSize"
    items_key: str = "items"

    def params_for(self, number: int) -> dict[str, Any]:
        return {self.page_param: number, self.size_param: self.page_size}

    def parse(self, number: int, body: Any) -> Page:
        if not isinstance(body, dict) or not isinstance(body.get(self.items_key), list):
            raise ValueError("not a paged list response (no 'items' array)")
        total = body.get("totalPages")
        return Page(number, body[self.items_key], total if isinstance(total, int) else None, self.page_size)

    def has_more(self, page: Page) -> bool:
        return len(page.items) >= self.page_size


@dataclass(frozen=True)
class CredentialField:
    """One value a vendor signs in with, as the vendor's connector declares it (``credential_fields``).

    ``key`` names it in a profile and in ``Credentials``; ``env`` is the environment variable after
    the vendor's prefix (``APP_ID`` -> ``BLIKK_APP_ID``); a ``secret`` goes to the OS keyring (or a
    private file), is read from a prompt or stdin, and is never printed.
    """

    key: str
    label: str
    env: str
    secret: bool = False
    required: bool = True  # False: an optional setting such as a client company id (never a secret)

    @property
    def option(self) -> str:
        return "--" + self.key.replace("_", "-")


class Credentials:
    """The values a vendor signs in with, by the keys of its ``credential_fields``."""

    def __init__(self, values: Mapping[str, str], secret_keys: Collection[str] = ()) -> None:
        self._values = dict(values)
        self._secret = frozenset(secret_keys)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """An optional field's value (``company``), or ``default`` when it was not given."""
        return self._values.get(key) or default

    def __repr__(self) -> str:  # never show a secret, even in tracebacks with locals
        shown = ", ".join(f"{k}={'***' if k in self._secret else repr(v)}" for k, v in self._values.items())
        return f"Credentials({shown})"


@dataclass(frozen=True)
class Tenant:
    """The account a connector talks to, as recorded in a workbook: never a secret.

    Several customers may share one host (every Blikk customer uses publicapi.blikk.com),
    so the host alone does not say whose data a workbook holds. ``id`` is a fingerprint
    that is equal exactly when the account is; ``label`` is for people.
    """

    id: str
    label: str


def sheet_name_for_path(path: str, drop: Collection[str] = ()) -> str:
    """A path's segments joined by ``_``, without version segments (``v1``) or those in ``drop``."""
    parts = [p for p in path.strip("/").split("/")
             if p and not (p[:1] in "vV" and p[1:].isdigit()) and p.lower() not in drop]
    return "_".join(parts)[:31] or "sheet"  # the workbook writer makes it a valid, unique sheet name


def fingerprint(*parts: str) -> str:
    """A short one-way digest: tells accounts apart without writing their identifiers down."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


class Connector:
    """Base for vendor connectors: listing with concurrent paging, CRUD by template."""

    system: ClassVar[str] = ""
    title: ClassVar[str] = ""
    default_base_url: ClassVar[str | None] = None
    env_prefix: ClassVar[str] = ""
    rate_per_second: ClassVar[int] = 4
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
    ) -> list[dict[str, Any]]:
        """Every record of a template's list, in as few requests as the vendor allows.

        Adds the vendor's list parameters for this template (``list_params``: e.g. a field
        selection) and runs each of the template's ``list_passes`` (some APIs hide inactive records
        unless asked), merged by id in pass order. A pass is skipped when the caller's own
        parameters already decide what it would set (``--filter isInactive=true``): theirs win.
        """
        given = dict(params or {})
        base = {**self.list_params(endpoint), **given}
        passes: tuple[dict[str, str], ...] = tuple(getattr(endpoint, "list_passes", ()) or ())
        if not passes or any(set(p) & set(given) for p in passes):
            passes = ({},)
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
        return [*merged.values(), *unkeyed]

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


_key_text = record_id  # keys compare by the one id and key rule (trimmed NFC text, 12.0 is 12), not a second one
