"""Sandbox settings: data, credentials, accounts, clock, limits and the fault injectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SandboxAccount:
    """One customer account on the sandbox's host: its own API application and its own data."""

    number: int  # 1, 2, ...; account 1 uses SandboxConfig.app_id / app_secret
    app_id: str
    app_secret: str = field(repr=False)
    seed: int

    def __repr__(self) -> str:
        return f"SandboxAccount(number={self.number}, app_id={self.app_id!r}, app_secret='***')"


@dataclass
class SandboxConfig:
    """Everything a sandbox run needs; the defaults mirror the real API (4 requests/second)."""

    system: str = "blikk"  # whose sandbox app to serve (the vendor registry's name or alias)
    db_path: Path | str | None = None  # SQLite file that survives restarts; None = private in-memory db
    seed: int = 1
    contacts: int = 200
    companies: int | None = None  # Finsit: companies of the sandbox's agency (None = the app's default, 5)
    latency: float = 0.0  # seconds slept before answering each API request
    fail_rate: float = 0.0  # share of API requests answered 503 (HTML) before doing anything
    drop_after_commit: float = (
        0.0  # share of successful writes committed, then answered by closing the socket
    )
    burst_429: float = 0.0  # share of API requests answered 429 regardless of the rate
    # Accepted requests per caller (token, or employee for Tripletex) per period; None = the app's default
    # (Blikk: 4 in any sliding second; Tripletex: 100 per fixed period, announced in X-Rate-Limit-* headers).
    rate_limit: int | None = None
    rate_period: float | None = None  # seconds; None = the app's default
    rate_reset_on_429: bool = True  # False: 429 answers lack X-Rate-Limit-Reset (reported of the real Tripletex)
    token_ttl: float = 3600
    token_fail: int = 0  # the first N token requests are answered 503 (maintenance) with Retry-After: 1
    app_id: str = "sandbox-app"
    app_secret: str = "sandbox-secret"
    host: str = "127.0.0.1"
    port: int = 0
    permissions: set[str] | frozenset[str] | None = None  # None = every permission
    # Customer accounts sharing this host, as every Blikk customer shares publicapi.blikk.com. Account k > 1
    # signs in as "<app_id>-k" / "<app_secret>-k" and has its own data, seeded with seed + k - 1: the same
    # ids (every account has a contact 5) holding other values.
    accounts: int = 1
    # Seconds the server's clock runs ahead (+) or behind (-) real time: every stamp it writes, its token
    # expiry times and its HTTP Date header, so a client whose clock is off can be rehearsed.
    clock_offset_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.accounts < 1:
            raise ValueError("accounts must be at least 1")

    def account_list(self) -> list[SandboxAccount]:
        first = SandboxAccount(1, self.app_id, self.app_secret, self.seed)
        return [first] + [SandboxAccount(k, f"{self.app_id}-{k}", f"{self.app_secret}-{k}", self.seed + k - 1)
                          for k in range(2, self.accounts + 1)]

    def db_path_for(self, account: int) -> Path | None:
        """Account 1 keeps ``db_path``; account k keeps ``<stem>-account<k><suffix>`` beside it."""
        if self.db_path is None:
            return None
        path = Path(self.db_path)
        return path if account == 1 else path.with_name(f"{path.stem}-account{account}{path.suffix}")

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return (
            f"SandboxConfig(db_path={self.db_path!r}, seed={self.seed}, contacts={self.contacts}, "
            f"host={self.host!r}, port={self.port}, app_id={self.app_id!r}, app_secret='***', "
            f"accounts={self.accounts}, clock_offset_seconds={self.clock_offset_seconds:g})"
        )
