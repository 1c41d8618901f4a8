"""Faithful local emulators of the vendors' APIs, over real HTTP, for rehearsing imports safely.

This package is the shared kit (server, store, faults, stats, control endpoints and the request
pipeline); each vendor's API is a sandbox app in its package (``bulktool.vendors.<name>.sandbox``),
chosen by ``SandboxConfig(system=...)``. Users rehearse imports on it, the demo embeds it and every
test runs against it, so the Blikk app keeps the vendor's quirks: token auth, 4 requests/second
per token (429 + ``Retry-After``),
documented 400/401/403/404/500 envelopes, list vs detail shapes, full-replacement PUTs,
non-unique customer numbers and the lowercase/capitalised enum mix.

Python::

    from bulktool.sandbox import SandboxConfig, SandboxServer
    with SandboxServer(SandboxConfig(db_path="rehearsal.sqlite")) as srv:
        print(srv.banner())
        srv.edit("contacts", 12, {"email": "new@example.com", "visitingAddress": {"city": "Luleå"}})

Controls over HTTP (no auth, no rate limit, not counted in the stats):

    GET  /_sandbox/                     help
    GET  /_sandbox/stats                {"GET": n, "POST": n, "PUT": n, "DELETE": n, "429": n, "total": n}
    GET  /_sandbox/log                  [[method, path, status], ...] in arrival order
    GET  /_sandbox/bodies               request bodies an app checked against its spec, with verdicts
                                        (Tripletex: every write body; ?violations=1 for the bad ones)
    GET|POST /_sandbox/clock            {"offset_seconds": n}: move the server's clock (session expiry)
    POST /_sandbox/reset-stats
    POST /_sandbox/edit/<resource>/<id> JSON body of read-name changes; nested objects merge.
                                        Sets lastUpdated = now and lastUpdatedBy = user 2, exactly
                                        what a colleague editing the record in Blikk would cause,
                                        so an import can be rehearsed against a real conflict:
        curl -X POST http://127.0.0.1:8765/_sandbox/edit/contacts/12 \\
             -H 'Content-Type: application/json' -d '{"visitingAddress": {"city": "Luleå"}}'
    GET  /_sandbox/records/<resource>   current records in their detail shape
                                        (edit and records take ?account=2 for account 2's data)
    GET|POST /_sandbox/faults           {"fail_rate", "drop_after_commit", "burst_429", "latency"}

``SandboxConfig(accounts=2)`` runs two customer accounts on the one host (account 2 signs in as
``<app_id>-2`` / ``<app_secret>-2`` and has its own data with the same ids), and
``clock_offset_seconds=-2700`` runs the server's clock 45 minutes behind real time (stamps, token
expiry, the ``Date`` header).

Rate limits: ``SandboxConfig(rate_limit=, rate_period=)`` (None = the app's own: Blikk 4 in any sliding
second, Tripletex 100 per fixed 60 s period announced in X-Rate-Limit-* headers on every answer;
``rate_reset_on_429=False`` drops X-Rate-Limit-Reset from 429s).

Tripletex (``SandboxConfig(system="tripletex")``, ``bulktool.vendors.tripletex.sandbox``) serves /v2 with
session tokens; its accounts are companies (1: an accounting office whose clients are accounts 3 and 4;
2: a company of its own); see its ``app.py``.

Finsit (``SandboxConfig(system="finsit", companies=50)``, ``bulktool.vendors.finsit.sandbox``) serves
/Api/v2 at the host root: one agency with ``companies`` companies, Basic and OAuth 1.0a users, and its
own controls (text ids: /_sandbox/edit/<Resource>/<companyId>/<id>, /_sandbox/puts, /_sandbox/finsit
for the per-company 403 switch and proxy faults); see its ``app.py`` and ``controls.py``.

Blikk resources: contacts, projects, tasks, time-reports, users, contact-tags, articles, activities,
time-codes, countries, absence-projects, internal-projects, company-cars, equipments,
allowances, time-articles, time-additions, task-boards.
"""

from __future__ import annotations

from .config import SandboxConfig
from .server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer"]
