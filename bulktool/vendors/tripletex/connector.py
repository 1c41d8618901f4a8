"""Tripletex API v2: session-token auth, from/count paging, ``fields``, partial PUT with ``version``.

The pieces live beside this module: ``auth`` (sessions), ``paging`` (from/count), ``errors`` (the
envelope), ``rate`` (announced limits), ``codec`` (``url`` noise, ``{"value": ...}``, datetimes).
This class wires them to the shared client and speaks the query dialect:

- ``fields`` names exactly the template's columns, sub-objects included
  (``id,version,name,postalAddress(id,city),accountManager(id)``), so one list read carries the
  detail shape too and a "detail" export costs no extra request;
- ``--filter name=value`` is the spec's search parameter of that name, ``--sort`` is ``sorting``
  (``name`` or ``-name``), the change feed is ``changedSince`` where the endpoint has it;
- a key lookup uses the endpoint's search parameter for that key (``customerNumber`` is searched
  as ``customerAccountNumber``, "List of customer numbers" in the spec).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ...connectors.base import (
    Company,
    Connector,
    CredentialField,
    Credentials,
    Tenant,
    fingerprint,
    list_passes_for,
)
from ...connectors.write_policy import PARTIAL_UPDATE, WritePolicy
from ...errors import ApiError, UsageError
from ...http.client import HttpClient
from ...http.security import check_base_url, redact_url
from ...http.throttle import Clock, RateLimiter
from ...schema.model import Endpoint
from . import codec
from .auth import CompanyAuth, TripletexSessionAuth
from .errors import tripletex_error
from .paging import PAGE_SIZE, OffsetPaginator
from .rate import CEILING_PER_SECOND, tripletex_limiter

TEST_ENVIRONMENT = "https://api-test.tripletex.tech/v2"  # the vendor's environment for integrations
WHOAMI_PATH = "/token/session/>whoAmI"
COMPANIES_PATH = "/company/>withLoginAccess"  # the companies a token may act for (its own first)
# The change feed's margin: the export time comes from the web front's Date header, the change stamps
# from the database; a few minutes cover any disagreement between their clocks.
CHANGE_FEED_MARGIN = timedelta(minutes=5)
# A key field whose list search parameter has another name (the spec: "customerAccountNumber: List
# of customer numbers").
KEY_SEARCH_PARAMS: dict[str, str] = {"customerNumber": "customerAccountNumber"}
NORWEGIAN_ORDER = str.maketrans({"æ": "z{", "ø": "z|", "å": "z}", "ä": "z{", "ö": "z|"})  # after z, in that order
CHECKSUM_ASK = "0"  # any non-empty If-None-Match asks a list for its versionDigest


def fields_param(names: list[str], whole: set[str] | None = None) -> str:
    """``["id", "postalAddress.id", "postalAddress.city"]`` -> ``id,postalAddress(id,city)``.

    A name in ``whole`` (a JSON column: the whole sub-object) is asked for as ``name(*)``.
    """
    tree: dict[str, Any] = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
    whole = whole or set()

    def render(node: dict[str, Any], prefix: str) -> str:
        out = []
        for key, sub in node.items():
            full = f"{prefix}{key}"
            if full in whole:
                out.append(f"{key}(*)")
            elif sub:
                out.append(f"{key}({render(sub, full + '.')})")
            else:
                out.append(key)
        return ",".join(out)

    return render(tree, "")


def endpoint_fields(endpoint: Endpoint) -> str:
    """The ``fields`` selection for a template: its id, version and key fields, then every column."""
    names: list[str] = [endpoint.id_field]
    for extra in (endpoint.version_field, endpoint.last_updated_field):
        if extra:
            names.append(extra)
    names += list(endpoint.natural_key)
    names += list(endpoint.nested_ids)
    names += [c.name for c in endpoint.columns]
    whole = {c.name for c in endpoint.columns if c.type == "json"}
    return fields_param(list(dict.fromkeys(names)), whole)


class TripletexConnector(Connector):
    system: ClassVar[str] = "tripletex"
    title: ClassVar[str] = "Tripletex"
    default_base_url: ClassVar[str | None] = "https://tripletex.no/v2"
    env_prefix: ClassVar[str] = "TRIPLETEX"
    # The documentation states no fixed figure: the limit is announced on every answer (rate.py), and
    # this is only the ceiling before the first answer.
    rate_per_second: ClassVar[int] = CEILING_PER_SECOND
    rate_announced: ClassVar[bool] = True
    # An API consumer token (from Tripletex, per integration) and an employee token (made by a user in
    # the company): TRIPLETEX_CONSUMER_TOKEN, TRIPLETEX_EMPLOYEE_TOKEN. An accounting office names the
    # client company to work in (--company, TRIPLETEX_COMPANY_ID); 0 or none means the token's own.
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("consumer_token", "Consumer token", "CONSUMER_TOKEN", secret=True),
        CredentialField("employee_token", "Employee token", "EMPLOYEE_TOKEN", secret=True),
        CredentialField("company", "company id", "COMPANY_ID", required=False),
    )
    write_policy: ClassVar[WritePolicy] = PARTIAL_UPDATE

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        company: str | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        page_size: int = PAGE_SIZE,
        rate: int | None = None,
        now: Callable[[], datetime] | None = None,
        session: TripletexSessionAuth | None = None,
    ) -> None:
        root = self.check_base_url(base_url)
        company = str(company or credentials.get("company") or "0").strip() or "0"
        if not company.isdigit():
            raise UsageError(f"The Tripletex company id must be a number (GET /company/>withLoginAccess lists "
                             f"them), not {company!r}; 0 means the employee token's own company.")
        lim = limiter or tripletex_limiter(root, credentials["employee_token"], rate, clock=clock)
        client = HttpClient(root, limiter=lim, error_mapper=tripletex_error, clock=clock)
        # A client company of an office already signed in (``for_company``) shares that office's session.
        self.session: TripletexSessionAuth | CompanyAuth = (
            session.for_company(company) if session is not None
            else TripletexSessionAuth(client, credentials, company, now=now))
        client.auth = self.session
        super().__init__(client, OffsetPaginator(page_size=page_size))
        self.company = company
        self._tenant: Tenant | None = None
        self._args = (base_url, credentials, page_size)

    @classmethod
    def check_base_url(cls, url: str) -> str:
        """The API root includes ``/v2`` (every template path is relative to it: ``/customer``)."""
        root = check_base_url(url)
        path = urlsplit(root).path.rstrip("/")
        if not path.lower().endswith("/v2"):
            raise UsageError(
                f"The base URL {redact_url(url)} does not end in /v2: the Tripletex API root includes it, "
                f"e.g. --base-url {redact_url(root)}/v2 (the vendor's test environment is {TEST_ENVIRONMENT})."
            )
        return root

    @classmethod
    def connect(cls, base_url: str, credentials: Credentials, *, rate: int | None = None) -> Connector:
        return cls(base_url, credentials, rate=rate)

    # -- the account ------------------------------------------------------------------------
    def tenant(self) -> Tenant:
        """Host plus company: an accounting office reaches many client companies on one host.

        The company is the one given (``--company``), or the token's own as ``>whoAmI`` names it, so
        ``--company 0`` and that company's own id are the same account. When ``>whoAmI`` cannot be
        read, the session's employee token id (not a secret) stands in for the company.
        """
        if self._tenant is None:
            company = self.company if self.company != "0" else self._own_company()
            if company is not None:
                self._tenant = Tenant(fingerprint("tripletex", self.server_key, company),
                                      self._label(f"company {company} on {self.host}"))
            else:
                who = str(self.session.employee_token_id or "")
                self._tenant = Tenant(fingerprint("tripletex", self.server_key, "employee-token", who),
                                      self._label(f"employee token {who or '?'} on {self.host}"))
        return self._tenant

    def visible_companies(self) -> list[Company]:
        """``GET /company/>withLoginAccess``: the token's own company first, then an office's clients."""
        rows = self.list_all(COMPANIES_PATH, {"fields": "id,name"})
        return [Company(str(r["id"]), str(r.get("name") or "")) for r in rows if isinstance(r.get("id"), int)]

    def for_company(self, company_id: str) -> Connector:
        """The same session and rate limit (one window per token pair), with ``<company>`` as the Basic user."""
        base_url, credentials, page_size = self._args
        own = self.session if isinstance(self.session, TripletexSessionAuth) else self.session.session
        other = TripletexConnector(base_url, credentials, company=company_id, limiter=self.client.limiter,
                                   page_size=page_size, session=own)
        other.profile = self.profile
        return other

    def _own_company(self) -> str | None:
        try:
            body = self.client.request_json("GET", WHOAMI_PATH, params={"fields": "companyId"})
        except ApiError:
            return None
        value = codec.unwrap(body)
        company = value.get("companyId") if isinstance(value, dict) else None
        return str(company) if isinstance(company, int) and not isinstance(company, bool) else None

    # -- the wire codec -------------------------------------------------------------------------
    def from_wire(self, record: dict[str, Any]) -> dict[str, Any]:
        return codec.from_wire(record)

    def to_wire(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        texts = [c.write for c in endpoint.columns if c.write and c.writable and c.type == "string" and not c.enum]
        return codec.clear_texts(codec.to_wire(super().to_wire(endpoint, body)), texts)

    # -- lists ------------------------------------------------------------------------------------
    def list_params(self, endpoint: Endpoint) -> dict[str, Any]:
        return {"fields": endpoint_fields(endpoint)}

    # -- the checksum: If-None-Match + versionDigest, 304 when nothing changed -------------------------
    def list_checksum(self, endpoint: Endpoint, params: Mapping[str, Any] | None = None) -> str | None:
        """One small request per list pass with ``If-None-Match``: the passes' ``versionDigest`` values.

        None where the endpoint has no checksum (``/employee`` and ``/contact`` answer "Checksum not yet
        supported for this endpoint"). The vendor warns the digest may change while the data does not
        (a needless read, harmless) and may miss changes to sub-objects fetched through ``fields``; a
        write still carries the live ``version``, so a change the digest missed is refused with
        409/8000, never overwritten.
        """
        digests = []
        for query in self._checksum_queries(endpoint, params):
            body = self.client.request_json("GET", endpoint.list_path, params=query,
                                            headers={"If-None-Match": CHECKSUM_ASK})
            digest = body.get("versionDigest") if isinstance(body, dict) else None
            if not isinstance(digest, str) or not digest.strip() or " " in digest.strip():
                return None  # the server's explanation, not a digest
            digests.append(digest.strip())
        return ",".join(digests) or None

    def list_unchanged(self, endpoint: Endpoint, checksum: str, params: Mapping[str, Any] | None = None) -> bool:
        """Each pass asked again with its digest: all answered 304 Not Modified (no body, no rows)."""
        digests = checksum.split(",")
        queries = self._checksum_queries(endpoint, params)
        if len(digests) != len(queries):
            return False
        for query, digest in zip(queries, digests, strict=True):
            resp = self.client.request("GET", endpoint.list_path, params=query, accept=(304,),
                                       headers={"If-None-Match": digest})
            if resp.status_code != 304:
                return False
        return True

    def _checksum_queries(self, endpoint: Endpoint, params: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        """The full read's queries (same fields, filters and passes), asking for one row only."""
        given = dict(params or {})
        base = {**self.list_params(endpoint), **given, "from": 0, "count": 1}
        return [{**base, **extra} for extra in list_passes_for(endpoint, given)]

    def collate(self, text: str) -> str:
        """Norwegian alphabet order, as Tripletex sorts text: ... x y z æ ø å, case ignored."""
        return text.lower().translate(NORWEGIAN_ORDER)

    def list_covers_detail(self, endpoint: Endpoint) -> bool:
        """``fields`` names every column of both shapes, so the list holds the detail shape."""
        return True

    # -- the query dialect --------------------------------------------------------------------------
    def list_filter_params(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        """The spec's search parameters go by their own names (``customerName=Acme``)."""
        return {str(k).removeprefix("filter."): v for k, v in filters.items()}

    def sort_params(self, field_name: str, descending: bool) -> dict[str, Any]:
        """``sorting``: a field, ``-`` before it for descending (several would be ``a,-b``)."""
        return {"sorting": ("-" if descending else "") + field_name}

    def changed_since_params(self, endpoint: Endpoint, since: datetime) -> dict[str, Any]:
        """``changedSince`` (the template's ``changed_since_filter``), a few minutes early, in UTC ISO 8601."""
        if not endpoint.changed_since_filter:
            return {}
        when = (since - CHANGE_FEED_MARGIN).astimezone(UTC).replace(microsecond=0)
        return {endpoint.changed_since_filter: when.isoformat()}

    def key_search_params(self, endpoint: Endpoint, key_field: str, value: str) -> dict[str, Any]:
        """The endpoint's search parameter for the key narrows the read to (usually) one request."""
        param = KEY_SEARCH_PARAMS.get(key_field, key_field)
        return {param: value} if param in endpoint.filters else {}

