"""Finsit (Företagsplatsen) API v2: company-scoped paths, whole-list GETs, partial PUT, exact decimals.

The pieces live beside this module: ``auth`` (Basic in ISO-8859-1, OAuth 1.0a), ``errors`` (the
``{typeOfError, message, identifier}`` object), ``codec`` (Decimal/NaN/Infinity JSON, names in any
case), ``paging`` (one bare array). This class wires them to the shared client and knows the paths:

- Company-scoped resources are ``/Api/v2/Company/{companyId}/<Resource>/``: templates name the
  placeholder in ``scope`` and the connector fills it from ``--company ID`` (``FINSIT_COMPANY_ID``),
  or from ``--agency SHORT --org 556898-6787`` as the documented ``a-{agency}-{orgno}``.
  Agency resources (``/Api/v2/Agency/{agency}/...``) take ``--agency``.
- PUT goes to the item URL for Company, agency companies, FiscalYear and KeyFigurePreset, and to the
  collection URL with the id in the body for Comment, User and ChartOfAccounts (templates say
  ``update_on_collection``); POST goes to ``.../{id}`` for Company, agency companies and
  KeyFigurePreset when the record carries its id (the fact sheet, §1.1), else to the collection.
- Lists: one GET, the whole result. The documented query parameters (``showAll``, ``startDate``/
  ``endDate``, ``numberOfYears``/``keyFigurePresetId``, ``latest``) go to the server as ``--filter``;
  any other ``--filter`` (a template's local filter) and every ``--sort`` are applied here, after
  the read, because the server does neither.
- Key-figure data live per fiscal year (``.../FiscalYear/{fiscalYearId}/KeyFigureData``, template
  ``group_by``): a read lists the fiscal years, then each year's data, and gives every row its
  ``fiscalYearId`` and a composite ``id`` (fiscal year, keyFigureInfoId, period, dimensionId) that
  is never sent.
- Client-computed flags (``isFortnoxCompany``, ``hasFortnox…Code``, ``IsKeyFigureComment``) are
  never sent; the write policy is a partial PUT (changed fields only; a cleared cell sends null).
- Pace: no documented limit; 4 requests/second by default (``--rate``), wider after a 429.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ...connectors.base import (
    Connector,
    CredentialField,
    Credentials,
    PageCallback,
    Tenant,
    _order_key,
    fingerprint,
    sheet_name_for_path,
)
from ...connectors.companies import Company
from ...connectors.wire import DatetimeWire
from ...connectors.write_policy import WritePolicy
from ...errors import UsageError
from ...http.client import HttpClient
from ...http.security import check_base_url, redact_url
from ...http.throttle import Clock, RateLimiter, shared_limiter
from ...schema.model import Endpoint
from . import codec
from .auth import FinsitBasicAuth, auth_mode, oauth1
from .errors import finsit_error
from .paging import SingleListPaginator
from .records import (
    EXPLODE,
    SERVER_PARAMS,
    company_id,
    composite_id,
    drop_never_send,
    endpoint_casing,
    explode,
    global_casing,
    local_match,
    segment,
)

API_PREFIX = "/Api/v2"
# Templates whose POST goes to the item URL of the id the record carries (fact sheet §1.1).
POST_TO_ITEM = frozenset({"companies", "agency-companies", "key-figure-presets"})
# Json.NET's datetime: "2012-12-31T23:59:59" (UTC without an offset, the overview's "Dates").
FINSIT_DATETIMES = DatetimeWire(instant="%Y-%m-%dT%H:%M:%S", local="%Y-%m-%dT%H:%M:%S")
# The overview: a PUT body "does not need to be a complete object ... Set property value to null in
# order to delete the existing value". Ids are the client's where the resource takes them
# (Company, Comment, User, KeyFigurePreset): a row's id is never a create by itself.
FINSIT_WRITES = WritePolicy(full_replacement=False, resend_is_harmless=True)
CLIENT_ID_WRITES = WritePolicy(full_replacement=False, resend_is_harmless=True, server_assigns_ids=False)
# Templates whose records carry an id the client chooses (fact sheet §5.4: Company's origin is not
# shown, so the safe reading is that a client may give it, as the overview's a-{agency}-{orgno} is).
CLIENT_IDS = frozenset({"companies", "agency-companies", "comments", "key-figure-presets", "users"})
# ... and those whose id is a GUID bulktool may make up for a new row.
GENERATED_IDS = frozenset({"comments"})


class FinsitConnector(Connector):
    system: ClassVar[str] = "finsit"
    title: ClassVar[str] = "Finsit"
    default_base_url: ClassVar[str | None] = "https://web.foretagsplatsen.se"
    env_prefix: ClassVar[str] = "FINSIT"
    rate_per_second: ClassVar[int] = 4  # no documented limit: a safe pace, --rate to change it
    rate_documented: ClassVar[bool] = False
    # Basic (FINSIT_USER/FINSIT_PASSWORD) or OAuth 1.0a (the four FINSIT_CONSUMER_*/FINSIT_TOKEN*):
    # every field is optional here, and ``credentials`` insists on one complete set (auth.auth_mode).
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("user", "user name", "USER", required=False),
        CredentialField("password", "password", "PASSWORD", secret=True, required=False),
        CredentialField("consumer_key", "OAuth consumer key", "CONSUMER_KEY", secret=True, required=False),
        CredentialField("consumer_secret", "OAuth consumer secret", "CONSUMER_SECRET", secret=True, required=False),
        CredentialField("token", "OAuth token", "TOKEN", secret=True, required=False),
        CredentialField("token_secret", "OAuth token secret", "TOKEN_SECRET", secret=True, required=False),
        CredentialField("oauth_signature", "OAuth signature method", "OAUTH_SIGNATURE", required=False),
        CredentialField("company", "company id", "COMPANY_ID", required=False),
        CredentialField("agency", "agency short name", "AGENCY", required=False),
        CredentialField("org", "organisation number", "ORG", required=False),
    )
    write_policy: ClassVar[WritePolicy] = FINSIT_WRITES
    datetime_wire: ClassVar[DatetimeWire] = FINSIT_DATETIMES

    @classmethod
    def credentials(cls, **values: str) -> Credentials:
        """Basic or OAuth, one complete set (ConfigError names what is missing); secrets never shown."""
        creds = super().credentials(**values)
        auth_mode(creds)
        return creds

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        rate: int | None = None,
    ) -> None:
        root = self.check_base_url(base_url)
        mode = auth_mode(credentials)
        who = credentials.get("user") if mode == "basic" else credentials.get("consumer_key")
        key = "finsit:" + fingerprint(root, mode, who or "")
        per_second = rate or self.rate_per_second
        lim = limiter or shared_limiter(key, per_second, lambda: RateLimiter(per_second, clock=clock))
        client = HttpClient(root, limiter=lim, error_mapper=finsit_error, clock=clock, json_codec=codec.FinsitJson())
        if mode == "basic":
            client.auth = FinsitBasicAuth(credentials)
        else:
            client.session.auth = oauth1(credentials)  # signs the prepared request (URL, method, query)
        super().__init__(client, SingleListPaginator())
        self.auth_mode = mode
        self.agency = (credentials.get("agency") or "").strip() or None
        self.company = self._company(credentials)
        self._user = who or ""

    def _company(self, credentials: Credentials) -> str | None:
        given = (credentials.get("company") or "").strip() or None
        org = (credentials.get("org") or "").strip() or None
        if org and not self.agency:
            raise UsageError("--org needs --agency: the company id is a-{agency}-{orgno}.")
        built = company_id(self.agency, org) if self.agency and org else None
        if given and built and given != built:
            raise UsageError(f"--company {given} and --agency/--org ({built}) name different companies.")
        return given or built

    def visible_companies(self) -> list[Company]:
        """The companies these credentials can work in, with their names (the ``companyName`` column).

        With ``--agency`` the agency's own list (``/Api/v2/Agency/{agency}/Company``), else
        ``/Api/v2/Company/``: the fact sheet (§3.1) leaves ``showAll``'s meaning open, so it is not sent
        and the list is whatever the user plainly sees (the safe reading: never more than that).
        """
        path = f"{API_PREFIX}/Agency/{segment(self.agency)}/Company" if self.agency else f"{API_PREFIX}/Company/"
        rows = [codec.normalise_names(r, global_casing()) for r in self.list_all(path, id_field="id", concurrency=1)]
        return [Company(str(r["id"]), str(r.get("name") or "")) for r in rows
                if isinstance(r, dict) and r.get("id") not in (None, "")]

    def for_company(self, company: str) -> FinsitConnector:
        """The same connection (client, sign-in, pace) working in another company: the hook a run across
        many companies (``--company all``) takes for each one; its tenant is that company's."""
        other = copy.copy(self)
        other.company = company.strip() or None
        return other

    @classmethod
    def check_base_url(cls, url: str) -> str:
        """The host root: every template path already starts with /Api/v2."""
        root = check_base_url(url)
        path = urlsplit(root).path.rstrip("/")
        if path.lower().endswith(API_PREFIX.lower()):
            bare = root[: -len(API_PREFIX)]
            raise UsageError(f"The base URL {redact_url(url)} ends in {API_PREFIX}, but bulktool's Finsit paths "
                             f"already start with it: use --base-url {redact_url(bare)}")
        return root

    @classmethod
    def connect(cls, base_url: str, credentials: Credentials, *, rate: int | None = None) -> Connector:
        return cls(base_url, credentials, rate=rate)

    # -- the account ------------------------------------------------------------------------
    def tenant(self) -> Tenant:
        """Host plus company: one agency's user reaches many client companies on one host.

        Without a company (agency-level resources) the agency, or the signed-in user, stands in.
        """
        if self.company:
            return Tenant(fingerprint("finsit", self.server_key, "company", self.company),
                          self._label(f"company {self.company} on {self.host}"))
        if self.agency:
            return Tenant(fingerprint("finsit", self.server_key, "agency", self.agency),
                          self._label(f"agency {self.agency} on {self.host}"))
        return Tenant(fingerprint("finsit", self.server_key, "user", self._user),
                      self._label(f"user {fingerprint('finsit-user', self._user)[:8]} on {self.host}"))

    # -- paths ------------------------------------------------------------------------------------
    def fill(self, endpoint: Endpoint, path: str) -> str:
        """The connection's values in a template path: ``{companyId}``, ``{agency}``."""
        if "{companyId}" in path:
            if not self.company:
                raise UsageError(f"{endpoint.name} is per company: pass --company ID (or --agency SHORT "
                                 "--org ORGNO); 'bulktool --system finsit export companies' lists the ids.")
            path = path.replace("{companyId}", segment(self.company))
        if "{agency}" in path:
            if not self.agency:
                raise UsageError(f"{endpoint.name} is per agency: pass --agency SHORT (the agency's shortName).")
            path = path.replace("{agency}", segment(self.agency))
        return path

    def endpoint_path(self, endpoint: Endpoint, op: str, record_id: Any = None) -> str:
        path = {
            "list": endpoint.list_path, "get": endpoint.get_path, "create": endpoint.create_path,
            "update": endpoint.update_path, "delete": endpoint.delete_path,
        }[op]
        if not path:
            raise ValueError(f"{endpoint.name} has no {op} operation")
        path = self.fill(endpoint, path)
        if record_id is not None:
            group = "{" + endpoint.group_by + "}" if endpoint.group_by else None
            if group and group in path:
                path = path.replace(group, segment(record_id))
            path = path.replace("{id}", segment(record_id))
        return path

    def sheet_name_for_path(self, path: str) -> str:
        """Without ``/Api/v2`` and the company id: ``/Api/v2/Company/a-x-1/Comment`` -> Company_Comment."""
        parts = [p for p in path.strip("/").split("/") if p.lower() not in ("api", "v2")]
        # The id after Company/ or Agency/ names the tenant, not the list: Company/<id>/Comment -> Company_Comment.
        kept = [p for i, p in enumerate(parts)
                if not (0 < i < len(parts) - 1 and parts[i - 1].lower() in ("company", "agency"))]
        return sheet_name_for_path("/".join(kept))

    def write_policy_for(self, endpoint: Endpoint) -> WritePolicy:
        """The policy of one template: client-given ids where the resource takes them (the writer's hook:
        a row whose id the server lacks is then a create with that id, and a new row gets one)."""
        return CLIENT_ID_WRITES if endpoint.name in CLIENT_IDS else self.write_policy

    def new_record_id(self, endpoint: Endpoint) -> str | None:
        """A new Comment's id: a random GUID, as the vendor's model fills in on construction (fact sheet
        §3.7). Other client-id resources take a meaningful id (a user name, a company's a-{agency}-{orgno},
        a preset's fixed name) that only the row can give."""
        return str(uuid.uuid4()) if endpoint.name in GENERATED_IDS else None

    # -- the wire codec -------------------------------------------------------------------------
    def from_wire(self, record: dict[str, Any]) -> dict[str, Any]:
        got = codec.normalise_names(record, global_casing())
        return got if isinstance(got, dict) else {}

    def to_wire(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        wire = super().to_wire(endpoint, body)
        return dict(drop_never_send(wire))

    def write_request(
        self, endpoint: Endpoint, op: str, body: Any, record_id: Any = None
    ) -> tuple[str, Any]:
        """Finsit's verbs: PUT on the collection with the id in the body, POST on a client-given id's URL,
        and a group's whole list (key-figure data: ``record_id`` is the fiscal year, ``body`` the list)."""
        if endpoint.group_by:
            rows = body if isinstance(body, list) else [body]
            hidden = {endpoint.id_field, endpoint.group_by}
            items = [{k: v for k, v in self.to_wire(endpoint, r).items() if k not in hidden} for r in rows]
            return self.endpoint_path(endpoint, op, record_id), items
        wire = self.to_wire(endpoint, body)
        if op == "update" and endpoint.update_on_collection:
            return self.endpoint_path(endpoint, "update"), {endpoint.id_field: record_id, **wire}
        if op == "create" and endpoint.name in POST_TO_ITEM and wire.get(endpoint.id_field) and endpoint.get_path:
            return self.endpoint_path(endpoint, "get", wire[endpoint.id_field]), wire
        return self.endpoint_path(endpoint, op, record_id), wire

    # -- lists ------------------------------------------------------------------------------------
    def list_covers_detail(self, endpoint: Endpoint) -> bool:
        """A list holds whole records: there is no shorter list shape."""
        return True

    def list_endpoint(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        concurrency: int = 4,
        on_page: PageCallback | None = None,
        order: tuple[str, bool] | None = None,
    ) -> list[dict[str, Any]]:
        """One GET per list (per fiscal year for key-figure data), then the local filters and sort."""
        given = dict(params or {})
        local = {k.removeprefix("local:"): str(v) for k, v in given.items() if k.startswith("local:")}
        server = {k: v for k, v in given.items() if not k.startswith("local:")}
        casing = endpoint_casing(endpoint)
        if endpoint.group_by and "{" + endpoint.group_by + "}" in endpoint.list_path:
            records = self._list_groups(endpoint, server, on_page)
        else:
            got = self.list_all(self.fill(endpoint, endpoint.list_path), server, id_field=endpoint.id_field,
                                concurrency=1, on_page=on_page)
            records = [codec.normalise_names(r, casing) for r in got]
            if endpoint.name in EXPLODE:
                records = explode(records, *EXPLODE[endpoint.name], id_field=endpoint.id_field)
        for name, wanted in local.items():
            records = [r for r in records if local_match(r, name, wanted)]
        if order is not None:
            records.sort(key=lambda r: _order_key(r, order[0], self.collate), reverse=order[1])
        return records

    def _list_groups(
        self, endpoint: Endpoint, params: Mapping[str, Any], on_page: PageCallback | None
    ) -> list[dict[str, Any]]:
        """Each parent's list (``.../FiscalYear/{fiscalYearId}/KeyFigureData`` for every fiscal year)."""
        assert endpoint.group_by is not None
        placeholder = "{" + endpoint.group_by + "}"
        path = self.fill(endpoint, endpoint.list_path)
        parents_path = path.split(placeholder, 1)[0].rstrip("/")
        parents = self.list_all(parents_path, id_field="id", concurrency=1)
        casing = endpoint_casing(endpoint)
        out: list[dict[str, Any]] = []
        for parent in parents:
            pid = parent.get("id")
            if pid is None:
                continue
            rows = self.list_all(path.replace(placeholder, segment(pid)), params, id_field="\0", concurrency=1,
                                 on_page=on_page)
            for row in rows:
                rec = codec.normalise_names(row, casing)
                rec[endpoint.group_by] = pid
                rec[endpoint.id_field] = composite_id(rec)
                out.append(rec)
        return out

    def get_record(self, endpoint: Endpoint, record_id: Any) -> dict[str, Any]:
        got = self.get(self.endpoint_path(endpoint, "get", record_id))
        return dict(codec.normalise_names(got, endpoint_casing(endpoint)))

    # -- the query dialect --------------------------------------------------------------------------
    def list_filter_params(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        """Documented query parameters go to the server (booleans as C# writes them: True/False); any
        other filter is applied here after the read (``local:`` marks it), exact and case-insensitive."""
        out: dict[str, Any] = {}
        server = {p.lower(): p for p in SERVER_PARAMS}
        for k, v in filters.items():
            name = str(k).removeprefix("filter.")
            if name.lower() in server:
                text = str(v).strip()
                out[server[name.lower()]] = text.capitalize() if text.lower() in ("true", "false") else text
            else:
                out["local:" + name] = v
        return out

    def sort_params(self, field_name: str, descending: bool) -> dict[str, Any]:
        """The API sorts nothing: ``list_endpoint`` sorts the records it read (``order``)."""
        return {}
