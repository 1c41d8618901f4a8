"""SandboxServer: the emulator's lifecycle and its Python-side controls."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import socket
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ..errors import UsageError
from .app import SandboxApp, app_for
from .clock import server_clock
from .config import SandboxConfig
from .handler import SandboxHandler
from .runtime import Runtime
from .store import Store


class _HTTPServer(ThreadingHTTPServer):
    """Tracks open connections so that stopping really ends idle keep-alive connections too."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], runtime: Runtime) -> None:
        self.runtime = runtime
        self._open: set[Any] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            connections = list(self._open)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """A local vendor API over real HTTP, seeded deterministically, optionally persisted to SQLite.

    Which API is ``config.system``'s sandbox app (or ``app``); the rest is the shared kit.
    """

    def __init__(self, config: SandboxConfig | None = None, *, app: SandboxApp | None = None) -> None:
        self.config = cfg = config or SandboxConfig()
        self.app = app or app_for(cfg.system)
        if cfg.accounts < self.app.min_accounts:  # e.g. Tripletex's accountant with two client companies
            self.config = cfg = dataclasses.replace(cfg, accounts=self.app.min_accounts)
        configure = getattr(self.app, "configure", None)  # an app's own settings (Finsit: how many companies)
        if configure is not None:
            configure(cfg)
        self._stores: list[Store] = []
        try:
            for acc in cfg.account_list():
                self._stores.append(Store(cfg.db_path_for(acc.number), self.app.seeder(acc.seed, cfg.contacts)))
        except BaseException:
            for store in self._stores:
                store.close()
            raise
        self._store = self._stores[0]
        self._runtime = Runtime(cfg, self._store, self._stores[1:], app=self.app)
        try:
            self._httpd = _HTTPServer((cfg.host, cfg.port), self._runtime)
        except OSError as exc:
            for store in self._stores:
                store.close()
            why = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
            raise UsageError(
                f"The sandbox cannot listen on {cfg.host}:{cfg.port}: {why}. "
                "Choose another --port (0 picks a free one)."
            ) from None
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def app_id(self) -> str:
        return self.config.app_id

    @property
    def app_secret(self) -> str:
        return self.config.app_secret

    def credentials(self, account: int = 1) -> tuple[str, str]:
        """(app id, app secret) of account ``account``: each account sees only its own data."""
        accounts = self.config.account_list()
        if not 1 <= account <= len(accounts):
            raise ValueError(f"no account {account}; this sandbox has accounts 1 to {len(accounts)}")
        acc = accounts[account - 1]
        return acc.app_id, acc.app_secret

    def start(self) -> SandboxServer:
        """Serve in a daemon thread and return at once."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted (Ctrl-C propagates after a clean shutdown)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._httpd.server_close()
            self._httpd.close_connections()
            for store in self._stores:
                with store.lock:
                    store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- controls ----------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Counts of API requests (not token requests or /_sandbox calls) and of 429 answers."""
        return self._runtime.stats()

    def request_log(self) -> list[tuple[str, str, int]]:
        """(method, path with query, status) per API request in arrival order; status 0 while in flight.

        A write dropped after commit is logged with the status it would have had.
        """
        return self._runtime.request_log()

    def bodies(self) -> dict[str, Any]:
        """Request bodies the app checked against its spec, with verdicts (Tripletex: every write body)."""
        return self._runtime.bodies()

    def token_requests(self) -> int:
        """How many token requests arrived (they are not in ``stats``)."""
        return self._runtime.token_requests

    def reset_stats(self) -> None:
        self._runtime.reset_stats()

    def edit(self, resource: str, rid: int, changes: dict[str, Any], *, account: int = 1) -> dict[str, Any]:
        """Change a record as another user would (stamped on the server's clock); returns its new detail shape."""
        with server_clock(self._runtime.clock_offset):
            return self.app.edit(self._runtime.account_store(account), resource, rid, changes)

    def delete(self, resource: str, rid: int, *, account: int = 1) -> dict[str, Any]:
        """Delete a record as another user would; returns its last detail shape."""
        return self.app.delete(self._runtime.account_store(account), resource, rid)

    def records(self, resource: str, *, account: int = 1) -> list[dict[str, Any]]:
        """Current records in their detail shape (list shape where the API has no detail)."""
        return self.app.records(self._runtime.account_store(account), resource)

    def set_faults(
        self,
        *,
        fail_rate: float | None = None,
        drop_after_commit: float | None = None,
        burst_429: float | None = None,
        latency: float | None = None,
    ) -> dict[str, float]:
        changes = {
            k: v
            for k, v in {
                "fail_rate": fail_rate,
                "drop_after_commit": drop_after_commit,
                "burst_429": burst_429,
                "latency": latency,
            }.items()
            if v is not None
        }
        return self._runtime.set_faults(**changes)

    def banner(self) -> str:
        url, cfg = self.url, self.config
        faults = self._runtime.fault_settings()
        where = (
            str(self._store.path)
            if self._store.path
            else "in memory (gone when stopped; use --db to keep it)"
        )
        return "\n".join(
            [
                f"{self.app.title} API sandbox listening on {url}",
                f"  data:       {where}",
                *self._credential_lines(),
                f"  clock:      {_clock_text(cfg.clock_offset_seconds)}",
                *self._limit_lines(),
                f"  faults:     fail {faults['fail_rate']:.0%}, "
                f"drop after commit {faults['drop_after_commit']:.0%}, "
                f"extra 429 {faults['burst_429']:.0%}, latency {faults['latency'] * 1000:.0f} ms",
                "",
                *self.app.banner_lines(url, cfg),
                *(["  (add ?account=2 to edit account 2's data; /_sandbox/records/<resource>?account=2 too)"]
                  if cfg.accounts > 1 and not self.app.describes_accounts else []),
                "Other controls (no auth, not counted in the stats):",
                f"  GET  {url}/_sandbox/stats        POST {url}/_sandbox/reset-stats",
                f"  POST {url}/_sandbox/delete/{getattr(self.app, 'delete_example', self.app.resources[0] + '/12')}"
                "   (delete a record as another user would)",
                f'  POST {url}/_sandbox/faults -d \'{{"fail_rate": 0.1, "latency": 0.2}}\'',
                f"  GET  {url}/_sandbox/             (help)",
            ]
        )

    def set_clock_offset(self, seconds: float) -> None:
        """Move the server's clock (stamps, token and session expiry, the Date header) from now on."""
        self._runtime.clock_offset = float(seconds)

    def _limit_lines(self) -> list[str]:
        rt, cfg = self._runtime, self.config
        if rt.rate_window == "fixed":
            return [f"  limits:     {rt.rate_limit} requests per {rt.rate_period:g} s period per caller "
                    "(announced in X-Rate-Limit-* headers)"]
        per = "second" if rt.rate_period == 1 else f"{rt.rate_period:g} s"
        if getattr(self.app, "rate_per", "token") != "token":  # e.g. Finsit: per user, no tokens to expire
            return [f"  limits:     {rt.rate_limit} requests/{per} per {self.app.rate_per}"]  # type: ignore[attr-defined]
        return [f"  limits:     {rt.rate_limit} requests/{per} per token; tokens live {cfg.token_ttl:g} s"]

    def _credential_lines(self) -> list[str]:
        cfg = self.config
        first, second = self.app.credential_names
        if self.app.describes_accounts:  # the app's banner lines name every account (Tripletex's companies)
            return []
        return [f"  {first + ':':<11} {cfg.app_id}", f"  {second + ':':<11} {cfg.app_secret}", *self._account_lines()]

    def _account_lines(self) -> list[str]:
        """Accounts past the first: same host, own app id and secret, own data with the same ids."""
        lines = []
        for acc in self.config.account_list()[1:]:
            path = self._stores[acc.number - 1].path
            where = f", data in {path}" if path else ""
            lines.append(f"  account {acc.number}:  app id {acc.app_id}, app secret {acc.app_secret} "
                         f"(its own data: same ids, other values{where})")
        return lines


def _clock_text(offset: float) -> str:
    if not offset:
        return "real time"
    side = "ahead of" if offset > 0 else "behind"
    return f"{abs(offset):g} s {side} real time (stamps, token expiry and the Date header)"
