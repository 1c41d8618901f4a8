"""Finsit sign-in: HTTP Basic (ISO-8859-1, as the vendor's client encodes it) or OAuth 1.0a.

Supported, exactly:

- **Basic**: ``Authorization: Basic base64(user:password)`` with the text encoded as ISO-8859-1, not
  UTF-8, as the vendor's .NET client does, so a password with å/ä/ö signs in. A character outside
  ISO-8859-1 (e.g. "€", an emoji) cannot be sent that way and is refused before any request.
  Values: ``FINSIT_USER`` / ``FINSIT_PASSWORD``, a profile, or the keyring.
- **OAuth 1.0a** with an access token already issued (the browser-less request-token/authorize
  dance of the vendor's client is not run by bulktool): ``FINSIT_CONSUMER_KEY`` /
  ``FINSIT_CONSUMER_SECRET`` and ``FINSIT_TOKEN`` / ``FINSIT_TOKEN_SECRET``. Requests are signed by
  requests-oauthlib, HMAC-SHA1 in the ``Authorization`` header by default, so no secret travels;
  ``FINSIT_OAUTH_SIGNATURE=PLAINTEXT`` signs as the vendor's client does (PLAINTEXT, parameters in
  the query string; read from its DLL, never seen on the wire). The JSON body is not signed (OAuth
  signs form bodies only).
- SAML (``SamlAssertion`` header) is not supported.

Every secret and the Basic header value are registered with the redaction filter, and ``oauth_*``
query parameters are scrubbed from any URL a log line prints.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from requests_oauthlib import OAuth1

from ...connectors.base import Credentials
from ...errors import ConfigError
from ...http.security import register_secret_pattern

MIN_EXACT_SECRET = 8  # shorter values are not registered verbatim: redacting them would mangle ordinary words
OAUTH_KEYS = ("consumer_key", "consumer_secret", "token", "token_secret")
SIGNATURES = {"HMAC-SHA1": "HMAC-SHA1", "PLAINTEXT": "PLAINTEXT"}

register_secret_pattern(r"(?i)\b(oauth_(?:signature|token|consumer_key|nonce)=)[^&\s'\"]+", r"\1***")
register_secret_pattern(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?OAuth)\s+[^'\"\n]+", r"\1 ***")


def register_secret(value: str | None) -> None:
    """Scrub this exact value from everything printed from now on (when long enough to be unmistakable)."""
    if value and len(value.strip()) >= MIN_EXACT_SECRET:
        register_secret_pattern(re.escape(value.strip()))


def auth_mode(credentials: Credentials) -> str:
    """"basic" or "oauth", by which complete set was given; ConfigError naming what is missing."""
    oauth = [k for k in OAUTH_KEYS if credentials.get(k)]
    if oauth:
        missing = [k for k in OAUTH_KEYS if not credentials.get(k)]
        if missing:
            names = ", ".join("FINSIT_" + k.upper() for k in missing)
            raise ConfigError(f"Finsit OAuth 1.0a needs all four values: {names} missing "
                              "(or use Basic: FINSIT_USER and FINSIT_PASSWORD).")
        return "oauth"
    if credentials.get("user") and credentials.get("password"):
        return "basic"
    raise ConfigError("No credentials for Finsit: set FINSIT_USER and FINSIT_PASSWORD (Basic), or "
                      "FINSIT_CONSUMER_KEY, FINSIT_CONSUMER_SECRET, FINSIT_TOKEN and FINSIT_TOKEN_SECRET "
                      "(OAuth 1.0a), or create a profile with 'bulktool profile add --system finsit'.")


def basic_value(user: str, password: str) -> str:
    """``Basic <base64>`` of ``user:password`` in ISO-8859-1, the vendor client's encoding."""
    try:
        raw = f"{user}:{password}".encode("iso-8859-1")
    except UnicodeEncodeError as exc:
        what = "user name" if exc.start < len(user) else "password"
        raise ConfigError(f"The Finsit {what} holds a character ISO-8859-1 cannot encode "
                          "(å, ä and ö are fine; e.g. € is not); Finsit's Basic sign-in reads "
                          "ISO-8859-1, so it cannot be sent. Use OAuth 1.0a instead.") from None
    return "Basic " + base64.b64encode(raw).decode("ascii")


class FinsitBasicAuth:
    """The same header on every request; a 401 is final (nothing to renew)."""

    def __init__(self, credentials: Credentials) -> None:
        self._value = basic_value(credentials["user"], credentials["password"])
        register_secret(credentials["password"])
        register_secret(self._value.split(" ", 1)[1])

    def apply(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = self._value

    def refresh(self) -> bool:
        return False


def oauth1(credentials: Credentials) -> OAuth1:
    """requests-oauthlib's signer for the session (it needs the whole prepared request, not a header)."""
    for k in OAUTH_KEYS:
        register_secret(credentials[k])
    method = (credentials.get("oauth_signature") or "HMAC-SHA1").strip().upper()
    if method not in SIGNATURES:
        raise ConfigError(f"FINSIT_OAUTH_SIGNATURE must be HMAC-SHA1 or PLAINTEXT, not {method!r}.")
    extra: dict[str, Any] = {"signature_type": "query"} if method == "PLAINTEXT" else {}
    return OAuth1(credentials["consumer_key"], client_secret=credentials["consumer_secret"],
                  resource_owner_key=credentials["token"], resource_owner_secret=credentials["token_secret"],
                  signature_method=SIGNATURES[method], **extra)
