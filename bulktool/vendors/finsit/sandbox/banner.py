"""The banner: agency, companies, users with passwords, OAuth keys, and how to point bulktool at it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .seed_people import (
    AGENCY,
    COMPANY_USER,
    CONSULTANT,
    CONSULTANT_COMPANIES,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DIRECTOR,
    company_id,
    org_number,
)

if TYPE_CHECKING:
    from bulktool.sandbox.config import SandboxConfig

    from .app import FinsitSandboxApp


def banner_lines(app: FinsitSandboxApp, url: str, config: SandboxConfig) -> list[str]:
    companies = [company_id(org_number(n)) for n in range(app.companies)]  # as seeded
    shown = companies[:5]
    more = f" ... and {len(companies) - len(shown)} more" if len(companies) > len(shown) else ""
    first = companies[0] if companies else f"a-{AGENCY}-556898-6787"
    return [
        f"Agency: {AGENCY} with {len(companies)} companies: {', '.join(shown)}{more}",
        "Users (HTTP Basic, encoded ISO-8859-1; OAuth 1.0a HMAC-SHA1 or PLAINTEXT with the token):",
        f"  {DIRECTOR.user_name} / {DIRECTOR.password}   AgencyDirector, every company;"
        f" token {DIRECTOR.token} / {DIRECTOR.token_secret}",
        f"  {CONSULTANT.user_name} / {CONSULTANT.password}   AgencyConsultant, the first {CONSULTANT_COMPANIES}"
        f" companies; token {CONSULTANT.token} / {CONSULTANT.token_secret}",
        f"  {COMPANY_USER.user_name} / {COMPANY_USER.password}   CompanyUser of {first} only (403 elsewhere);"
        f" token {COMPANY_USER.token} / {COMPANY_USER.token_secret}",
        f"  OAuth consumer key {CONSUMER_KEY}, consumer secret {CONSUMER_SECRET}",
        "Rules: the oldest fiscal year of each company is locked (412 on PUT/DELETE); KeyFigureData PUT replaces",
        "  the fiscal year's whole list; client-computed flags (isFortnoxCompany...) are refused (400).",
        "",
        "Point bulktool at it:",
        f"  export FINSIT_USER='{DIRECTOR.user_name}' FINSIT_PASSWORD='{DIRECTOR.password}'",
        f"  bulktool --system finsit --base-url {url} export companies -o companies.xlsx",
        "",
        "Change a record as another user would; one company answering 403; proxy HTML errors:",
        f"  curl -X POST {url}/_sandbox/edit/Company/{first} -H 'Content-Type: application/json' \\",
        '       -d \'{"contactInfo": {"phone": "08-555 123 00"}}\'',
        f"  curl -X POST {url}/_sandbox/finsit -d '{{\"forbid\": \"{first}\"}}'   (\"allow\" undoes it)",
        f"  curl -X POST {url}/_sandbox/finsit -d '{{\"proxy_502\": 0.2}}'",
        f"  curl {url}/_sandbox/puts   (every PUT body as sent)",
    ]
