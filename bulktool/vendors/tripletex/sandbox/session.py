"""Session tokens, Basic auth and the companies a caller may act for.

- ``PUT /v2/token/session/:create?consumerToken=&employeeToken=&expirationDate=`` takes no auth header.
  Each sandbox account is one company with its own token pair (account k: ``SandboxConfig.app_id`` /
  ``app_secret`` with ``-k`` from the second on). Wrong tokens: 422/18000 naming ``arg:consumerToken``
  (or ``arg:employeeToken``), not 401.
- A session stops working at midnight Oslo time at the *start* of its ``expirationDate``: one created
  for today (or earlier) is answered 200 but fails at once with 401 "Could not log in". The sandbox's
  clock offset (``SandboxServer.set_clock_offset``, ``POST /_sandbox/clock``) moves "now".
- Basic ``0:<token>`` (or blank user) acts for the token's own company; ``<companyId>:<token>`` for a
  client company of an accounting office (account 1 is one: accounts 3.. are its clients). A
  non-numeric user is 401/3000; a company the token has no access to is 403/9000.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bulktool.sandbox.clock import server_now

from .errors import TxError, forbidden, unauthorized, validation_failed, value_invalid, vmsg

if TYPE_CHECKING:
    from bulktool.sandbox.config import SandboxConfig

OSLO = ZoneInfo("Europe/Oslo")
COMPANY_BASE = 1_200_000
COMPANY_NAMES = ["Fjellregnskap AS", "Havbris Handel AS", "Nordlys Bygg og Anlegg AS", "Østfold Rør og Varme AS",
                 "Bjørkeli Konsult AS", "Sørlandet Elektro AS", "Vestkysten Transport AS", "Trøndelag Tak AS",
                 "Tromsø Maskin AS"]
ACCOUNTANT = 1  # account 1 is an accounting office; accounts 3.. are its clients, account 2 stands alone
FIRST_CLIENT = 3


def company_id(account: int) -> int:
    return COMPANY_BASE + account


def company(account: int) -> dict[str, Any]:
    """The company record of ``account`` (Tripletex's Company/Client shape)."""
    return {
        "id": company_id(account), "version": 0, "name": COMPANY_NAMES[(account - 1) % len(COMPANY_NAMES)],
        "displayName": COMPANY_NAMES[(account - 1) % len(COMPANY_NAMES)],
        "organizationNumber": f"9{account:02d}123456"[:9], "email": f"post@firma{account}.no", "phoneNumber": "",
        "phoneNumberMobile": "", "faxNumber": "", "startDate": "2019-01-01", "endDate": None, "type": "AS",
        "currency": {"id": 1}, "address": None, "accountantOrSimilar": account == ACCOUNTANT,
        "customerCompanyId": company_id(account), "invoiceShowDeliveryDate": False, "companyMigration": "NONE",
    }


def clients(account: int, accounts: int) -> list[int]:
    """The accounts a caller of ``account`` may act for, its own first."""
    if account == ACCOUNTANT:
        return [ACCOUNTANT, *range(FIRST_CLIENT, accounts + 1)]
    return [account]


@dataclass(frozen=True)
class Session:
    token: str
    account: int  # whose tokens created it (the rate limit and the employee are this account's)
    expiration: date
    session_id: int
    employee_id: int

    def live(self) -> bool:
        """Until midnight Oslo time at the start of ``expiration`` (server clock)."""
        now = server_now().replace(tzinfo=ZoneInfo("UTC")).astimezone(OSLO)
        return now.date() < self.expiration


@dataclass(frozen=True)
class Caller:
    """Who a request acts as: the session and the company (account) it reaches."""

    session: Session
    account: int  # whose data
    companies: tuple[int, ...]  # the accounts the session may act for (>withLoginAccess)


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, Session] = {}
        self._next_id = 9000

    def create(self, config: SandboxConfig, query: dict[str, str]) -> dict[str, Any]:
        """The :create answer's value, or TxError (422/18000 for wrong tokens)."""
        consumer, employee = query.get("consumerToken", ""), query.get("employeeToken", "")
        raw_date = query.get("expirationDate", "")
        missing = [vmsg(n, "Kan ikke være null.") for n in ("consumerToken", "employeeToken", "expirationDate")
                   if not query.get(n)]
        if missing:
            raise value_invalid(missing)
        try:
            expiration = date.fromisoformat(raw_date)
        except ValueError:
            raise value_invalid([vmsg("expirationDate", "Ugyldig dato.")]) from None
        account = None
        consumer_ok = False
        for acc in config.account_list():  # every account compared: no early exit to time
            c_ok = hmac.compare_digest(consumer.encode(), acc.app_id.encode())
            e_ok = hmac.compare_digest(employee.encode(), acc.app_secret.encode())
            consumer_ok = consumer_ok or c_ok
            if c_ok and e_ok:
                account = acc.number
        if account is None:
            which = "consumerToken" if not consumer_ok else "employeeToken"
            text = "consumer" if which == "consumerToken" else "employee"
            raise validation_failed([{"field": f"arg:{which}",
                                      "message": f"The {text} token is invalid or does not exist.",
                                      "path": None, "rootId": None}])
        with self._lock:
            self._next_id += 1
            sid = self._next_id
            token = base64.b64encode(json.dumps(
                {"employeeId": employee_id(account), "tokenId": sid, "token": secrets.token_hex(16)},
                separators=(",", ":")).encode()).decode()
            session = Session(token, account, expiration, sid, employee_id(account))
            self._by_token[token] = session
        return {
            "id": sid, "version": 0, "url": f"tripletex.no/v2/token/session/{sid}",
            "consumerToken": {"id": 100 + account, "url": f"tripletex.no/v2/token/consumer/{100 + account}"},
            "employeeToken": {"id": 200 + account, "url": f"tripletex.no/v2/token/employee/{200 + account}"},
            "expirationDate": expiration.isoformat(), "token": token, "encryptionKey": None,
        }

    def caller(self, authorization: str | None, accounts: int) -> Caller:
        """The caller of a request's Basic header, or TxError 401/3000 or 403/9000."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            raise unauthorized("Authorization header missing")
        try:
            user, sep, token = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized("Authorization header is not valid Basic authentication") from None
        if not sep:
            raise unauthorized("Could not log in")
        user = user.strip()
        if user not in ("", "0") and not user.isdigit():
            raise unauthorized(f"Authorization header has invalid username: {user}")
        with self._lock:
            session = self._by_token.get(token)
        if session is None or not session.live():
            raise unauthorized("Could not log in")
        reach = tuple(clients(session.account, accounts))
        if user in ("", "0"):
            return Caller(session, session.account, reach)
        target = {company_id(a): a for a in reach}.get(int(user))
        if target is None:
            raise forbidden()
        return Caller(session, target, reach)


def employee_id(account: int) -> int:
    """The employee whose token an account's session runs as (employee 1 of its seed data)."""
    del account
    return 101


__all__ = ["Caller", "Session", "Sessions", "TxError", "clients", "company", "company_id"]
