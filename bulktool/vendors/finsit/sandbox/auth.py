"""Who is calling: HTTP Basic (ISO-8859-1, as the vendor's .NET client encodes it) or OAuth 1.0a.

Basic: ``base64(user:password)`` whose bytes are decoded as ISO-8859-1, so "å" must arrive as the
single byte E5; a client that encodes UTF-8 sends C3 A5, which is another password (401).

OAuth 1.0a (RFC 5849), checked with oauthlib's signature helpers: the protocol parameters may come in
the ``Authorization: OAuth ...`` header or in the query string (where the vendor's client puts them);
``HMAC-SHA1`` and ``PLAINTEXT`` (the bundled DLL's default) are accepted, with the consumer key and
access token known and paired, ``oauth_version`` 1.0 if given, the timestamp within 10 minutes of
the server's clock and each nonce used once. The request-token dance (``/OAuth/RequestToken``...) is
not emulated: the banner prints ready access tokens. JSON bodies are not signed (only form bodies are).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

from oauthlib.oauth1.rfc5849 import signature as oauth_sig

from bulktool.sandbox.app import Headers
from bulktool.sandbox.context import current

from .data import Data
from .errors import FsError
from .seed_people import CONSUMER_KEY, CONSUMER_SECRET, LOGINS

MAX_SKEW = 600


@dataclass
class Caller:
    """The signed-in user: its User record, and which companies it may reach."""

    user_name: str
    type: str
    method: str  # "basic" or "oauth"
    companies: set[str] = field(default_factory=set)  # a CompanyUser's / AgencyConsultant's companies

    @property
    def agency_wide(self) -> bool:
        """An AgencyDirector administers the whole agency (every company)."""
        return self.type == "AgencyDirector"

    def may_see(self, company_id: str) -> bool:
        return self.agency_wide or company_id in self.companies


def unauthorized(message: str) -> FsError:
    """401: the overview's "401 UNAUTHORIZED/403 FORBIDDEN"; typeOfError is Forbidden ("not authenticated")."""
    return FsError(401, "Forbidden", message, {"WWW-Authenticate": 'Basic realm="Foretagsplatsen"'})


class Authenticator:
    def __init__(self) -> None:
        self._nonces: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def caller(self, data: Data, headers: Headers, clock_offset: float) -> Caller:
        header = (headers.get("Authorization") or "").strip()
        query = current().query
        if header[:6].lower() == "basic ":
            return self._basic(data, header[6:].strip())
        if header[:6].lower() == "oauth " or "oauth_consumer_key" in query:
            return self._oauth(data, headers, clock_offset)
        raise unauthorized("Authentication required: use HTTP Basic or OAuth 1.0a.")

    # -- Basic ----------------------------------------------------------------------------------
    def _basic(self, data: Data, token: str) -> Caller:
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            raise unauthorized("Malformed Basic credentials.") from None
        user, sep, password = raw.decode("iso-8859-1").partition(":")
        row = data.find("User", None, user)
        if not sep or row is None or row.obj.get("_password") != password:
            raise unauthorized("Invalid user name or password.")
        return _caller(row.obj, "basic")

    # -- OAuth 1.0a -----------------------------------------------------------------------------
    def _oauth(self, data: Data, headers: Headers, clock_offset: float) -> Caller:
        ctx = current()
        path, _, query = (ctx.target or ctx.path).partition("?")
        auth = headers.get("Authorization") or ""
        try:
            params = oauth_sig.collect_parameters(uri_query=query, headers={"Authorization": auth}
                                                  if auth.lower().startswith("oauth ") else {},
                                                  exclude_oauth_signature=True, with_realm=False)
            signed = dict(oauth_sig.collect_parameters(uri_query=query, headers={"Authorization": auth}
                                                       if auth.lower().startswith("oauth ") else {},
                                                       exclude_oauth_signature=False, with_realm=False))
        except (ValueError, TypeError) as exc:
            raise unauthorized(f"Malformed OAuth parameters: {exc}") from None
        oauth = {k: v for k, v in signed.items() if k.startswith("oauth_")}
        method = oauth.get("oauth_signature_method", "")
        for name in ("oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_signature"):
            if not oauth.get(name):
                raise unauthorized(f"OAuth parameter {name} is missing.")
        if method not in ("HMAC-SHA1", "PLAINTEXT"):
            raise unauthorized(f"Unsupported oauth_signature_method {method!r}: use HMAC-SHA1 or PLAINTEXT.")
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise unauthorized("oauth_version must be 1.0.")
        login = next((lg for lg in LOGINS if lg.token == oauth["oauth_token"]), None)
        if oauth["oauth_consumer_key"] != CONSUMER_KEY or login is None:
            raise unauthorized("Unknown OAuth consumer key or access token.")
        if method == "HMAC-SHA1":
            self._fresh(oauth, clock_offset)
        request = _SignedRequest(ctx.method, _absolute_uri(headers, path), params, oauth["oauth_signature"])
        verify = oauth_sig.verify_hmac_sha1 if method == "HMAC-SHA1" else oauth_sig.verify_plaintext
        if not verify(cast(Any, request), CONSUMER_SECRET, login.token_secret):  # reads only these four
            raise unauthorized("Invalid OAuth signature.")
        row = data.find("User", None, login.user_name)
        if row is None:
            raise unauthorized("The access token's user no longer exists.")
        return _caller(row.obj, "oauth")

    def _fresh(self, oauth: dict[str, str], clock_offset: float) -> None:
        stamp, nonce = oauth.get("oauth_timestamp", ""), oauth.get("oauth_nonce", "")
        if not stamp.isdigit() or not nonce:
            raise unauthorized("OAuth HMAC-SHA1 needs oauth_timestamp and oauth_nonce.")
        now = time.time() + clock_offset
        if abs(now - int(stamp)) > MAX_SKEW:
            raise unauthorized("oauth_timestamp is more than 10 minutes off the server's clock.")
        key = (oauth["oauth_consumer_key"], oauth["oauth_token"], nonce + ":" + stamp)
        with self._lock:
            self._nonces = {k: t for k, t in self._nonces.items() if t > now - 2 * MAX_SKEW}
            if key in self._nonces:
                raise unauthorized("oauth_nonce already used.")
            self._nonces[key] = now


@dataclass
class _SignedRequest:
    """What oauthlib's verify_* functions read from a request."""

    http_method: str
    uri: str
    params: list[tuple[str, str]]
    signature: str


def _absolute_uri(headers: Headers, path: str) -> str:
    """The signed URI: this server's scheme and Host with the request's path as sent (still escaped)."""
    host = headers.get("Host") or "127.0.0.1"
    return f"http://{host}{path}"


def _caller(user: dict[str, Any], method: str) -> Caller:
    kind = str(user.get("type"))
    if kind == "CompanyUser":
        companies = {str(c.get("companyId")) for c in user.get("companies") or [] if isinstance(c, dict)}
    else:
        companies = {str(c) for c in user.get("customers") or []}
    return Caller(str(user["userName"]), kind, method, companies)
