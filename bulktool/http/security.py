"""Transport safety: HTTPS except on loopback, and redaction of secrets in logs."""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urlsplit

from ..errors import InsecureConfig, UsageError

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Refuse plain HTTP to anything but loopback, before any request is sent."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"Invalid base URL {redact_url(url)!r}: expected https://host[:port]")
    if parts.username or parts.password:
        raise InsecureConfig("Do not put credentials in the base URL; use environment variables or a profile.")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureConfig(
            f"Refusing plain http:// to {parts.hostname}: credentials would travel unencrypted. "
            "Use https:// (plain http is allowed only for loopback hosts such as the sandbox)."
        )
    return url.rstrip("/")


# Generic shapes of secrets; each vendor adds the shapes of its own tokens (``register_secret_pattern``).
_SECRET_PATTERNS = [
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)\s+[^\s'\",}]+"), r"\1\2 ***"),
    (re.compile(r"(?i)(\"?(?:accessToken|access_token|secret|password|app_secret)\"?\s*[:=]\s*\"?)[^\s\",}]+"),
     r"\1***"),
]


def register_secret_pattern(pattern: str, replacement: str = "***token***") -> None:
    """A vendor's token shape, scrubbed from every log line, error and URL from now on."""
    compiled = re.compile(pattern)
    if all(p.pattern != compiled.pattern for p, _ in _SECRET_PATTERNS):
        _SECRET_PATTERNS.append((compiled, replacement))


def redact(text: str) -> str:
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password or parts.username:
        netloc = f"***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        url = parts._replace(netloc=netloc).geturl()
    return redact(url)


class RedactingFilter(logging.Filter):
    """Last line of defence: scrub anything token- or header-shaped from every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True
