"""Why a request failed, in the user's terms: never connected, TLS, a non-JSON body (proxy pages)."""

from __future__ import annotations

import json
import re

import requests


def never_connected(exc: BaseException) -> bool:
    """True when the request cannot have reached the server (DNS, refused, unreachable)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        name = type(cur).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ConnectionRefusedError", "gaierror"):
            return True
        if name in ("ProtocolError", "RemoteDisconnected", "ConnectionResetError", "IncompleteRead"):
            return False
        nxt = cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None
        reason = getattr(cur, "reason", None)
        cur = reason if isinstance(reason, BaseException) else (nxt or cur.__cause__ or cur.__context__)
    return False


def tls_message(host: str, text: str) -> str:
    """TLS failed: say why in the user's terms (a plain-HTTP server, or a certificate problem)."""
    plain_http = ("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure", "unknown protocol",
                  "packet length too long", "http request")
    if any(m.lower() in text.lower() for m in plain_http):
        return (f"Could not connect to {host}: TLS failed: the server at https://{host} does not speak HTTPS. "
                "Check --base-url; http:// is allowed only for loopback hosts such as the sandbox.")
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return (f"Could not connect to {host}: TLS failed: the server's certificate could not be verified "
                "(self-signed, expired or for another host).")
    return f"Could not connect to {host}: TLS failed ({tls_reason(text)})."


def tls_reason(text: str) -> str:
    found = re.search(r"\[SSL: ([A-Z_]+)\]", text)
    return found.group(1).lower().replace("_", " ") if found else "handshake error"


def connect_reason(exc: BaseException) -> str:
    text = str(exc)
    for marker, plain in (
        ("Name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("Failed to resolve", "host name not found"),
        ("Connection refused", "connection refused"),
        ("Network is unreachable", "network unreachable"),
        ("No route to host", "no route to host"),
    ):
        if marker in text:
            return plain
    return "connection failed"


def describe_body(resp: requests.Response, limit: int = 200) -> str:
    """A short, single-line view of a non-JSON body (proxy/maintenance pages)."""
    ctype = resp.headers.get("Content-Type", "")
    text = resp.text if resp.content else ""
    if "html" in ctype.lower() or text.lstrip().startswith("<"):
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        return f"an HTML page{f' ({title.group(1).strip()})' if title else ''}"
    text = " ".join(text.split())
    if not text:
        return "an empty body"
    return json.dumps(text[:limit] + ("…" if len(text) > limit else ""), ensure_ascii=False)
