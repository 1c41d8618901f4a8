"""Sandbox settings: data, credentials, limits and the fault injectors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SandboxConfig:
    """Everything a sandbox run needs; the defaults mirror the real API (4 requests/second)."""

    db_path: Path | str | None = None  # SQLite file that survives restarts; None = private in-memory db
    seed: int = 1
    contacts: int = 200
    latency: float = 0.0  # seconds slept before answering each API request
    fail_rate: float = 0.0  # share of API requests answered 503 (HTML) before doing anything
    drop_after_commit: float = (
        0.0  # share of successful writes committed, then answered by closing the socket
    )
    burst_429: float = 0.0  # share of API requests answered 429 regardless of the rate
    rate_limit: int = 4  # accepted requests per access token in any sliding 1-second window
    token_ttl: float = 3600
    token_fail: int = 0  # the first N token requests are answered 503 (maintenance) with Retry-After: 1
    app_id: str = "sandbox-app"
    app_secret: str = "sandbox-secret"
    host: str = "127.0.0.1"
    port: int = 0
    permissions: set[str] | frozenset[str] | None = None  # None = every permission

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return (
            f"SandboxConfig(db_path={self.db_path!r}, seed={self.seed}, contacts={self.contacts}, "
            f"host={self.host!r}, port={self.port}, app_id={self.app_id!r}, app_secret='***')"
        )
