"""The /_sandbox/ control endpoints: no auth, no rate limit, not counted in the stats."""

from __future__ import annotations

import json
from typing import Any, cast

from .runtime import Runtime

HELP = {
    "GET /_sandbox/stats": "request counts per method, 429 answers and total (API requests only)",
    "GET /_sandbox/log": "every API request in arrival order: [method, path, status]",
    "POST /_sandbox/reset-stats": "zero the counts, the log and the body log",
    "GET /_sandbox/bodies": (
        'every request body the app checked against its spec, with its verdict: {"total", "violations", '
        '"bodies": [{"method", "path", "operation", "body", "violations"}]} (?violations=1: only the bad ones)'
    ),
    "POST /_sandbox/edit/<resource>/<id>": (
        "change a record as another user would; JSON body of read-name changes, nested objects merge, "
        'e.g. {"visitingAddress": {"city": "Luleå"}}'
    ),
    "POST /_sandbox/delete/<resource>/<id>": "delete a record as another user would",
    "GET /_sandbox/records/<resource>": "current records in their detail shape",
    "?account=<n>": "on edit, delete and records: whose data (default 1; see the banner for each account's app id)",
    "GET|POST /_sandbox/clock": 'read or set how far the server clock runs off real time: {"offset_seconds": -2700}',
    "GET|POST /_sandbox/faults": (
        "read or change fail_rate, drop_after_commit, burst_429 (0..1) and latency (seconds)"
    ),
}


def _json_object(body: bytes) -> dict[str, Any]:
    value = json.loads(body.decode("utf-8-sig") or "{}")
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def control(
    rt: Runtime, method: str, low: str, path: str, body: bytes, account: str | None = None, only_bad: bool = False,
    query: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Answer one control call; ``account`` (``?account=2``) picks whose data edit/records touch.

    An app with a ``control(rt, method, parts, raw_parts, body, query)`` method answers first (Finsit's
    text ids and per-company switches); it returns None to leave the call to the kit.
    """
    parts = [p for p in low.split("/") if p][1:]
    raw_parts = [p for p in path.rstrip("/").split("/") if p][1:]
    try:
        own = getattr(rt.app, "control", None)
        answer = own(rt, method, parts, raw_parts, body, query or {}) if own is not None else None
        if answer is not None:
            return cast("tuple[int, Any]", answer)
        if not parts and method == "GET":
            return 200, {**HELP, "resources": list(rt.app.resources)}
        if parts == ["stats"] and method == "GET":
            return 200, rt.stats()
        if parts == ["log"] and method == "GET":
            return 200, [list(e) for e in rt.request_log()]
        if parts == ["bodies"] and method == "GET":
            found = rt.bodies()
            if only_bad:
                found["bodies"] = [b for b in found["bodies"] if b.get("violations")]
            return 200, found
        if parts == ["reset-stats"] and method == "POST":
            rt.reset_stats()
            return 200, rt.stats()
        if parts == ["faults"] and method in ("GET", "POST"):
            return 200, rt.set_faults(**_json_object(body)) if method == "POST" else rt.fault_settings()
        if parts == ["clock"] and method in ("GET", "POST"):
            if method == "POST":
                offset = _json_object(body).get("offset_seconds")
                if isinstance(offset, bool) or not isinstance(offset, (int, float)):
                    raise ValueError("offset_seconds must be a number")
                rt.clock_offset = float(offset)
            return 200, {"offset_seconds": rt.clock_offset}
        if len(parts) == 2 and parts[0] == "records" and method == "GET":
            return 200, rt.app.records(rt.account_store(account), parts[1])
        if len(parts) == 3 and parts[0] in ("edit", "delete") and method == "POST":
            if not parts[2].lstrip("-").isdigit():
                return 400, {"message": f"not a record id: {raw_parts[2]!r}"}
            if parts[0] == "delete":
                return 200, rt.app.delete(rt.account_store(account), parts[1], int(parts[2]))
            return 200, rt.app.edit(rt.account_store(account), parts[1], int(parts[2]), _json_object(body))
    except KeyError as exc:
        return 404, {"message": str(exc.args[0]) if exc.args else "not found"}
    except (ValueError, TypeError) as exc:  # json errors and the apps' edit errors are ValueErrors
        return 400, {"message": str(exc)}
    return 404, {"message": "Unknown sandbox control.", "help": {**HELP, "resources": list(rt.app.resources)}}
