"""The sandbox's agency, users and credentials: fixed values, printed in the banner.

Passwords carry å/ä/ö on purpose: the vendor's client encodes Basic credentials as ISO-8859-1, so a
client that sends UTF-8 is refused (401) exactly as the real server would refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

AGENCY = "testagency"
AGENCY_NAME = "Testbyrån Redovisning AB"


@dataclass(frozen=True)
class Login:
    user_name: str
    password: str
    token: str  # OAuth 1.0a access token and its secret
    token_secret: str


CONSUMER_KEY = "finsit-sandbox-consumer"
CONSUMER_SECRET = "konsument-hemlighet-1"
DIRECTOR = Login("agneta.oberg@testbyran.se", "Hemlig-åäö-1", "director-token", "director-token-secret")
CONSULTANT = Login("bengt.aslund@testbyran.se", "Konsult-öä-2", "consultant-token", "consultant-token-secret")
COMPANY_USER = Login("kalle.strom@kund.se", "Lösenord-å-3", "companyuser-token", "companyuser-token-secret")
LOGINS = (DIRECTOR, CONSULTANT, COMPANY_USER)
CONSULTANT_COMPANIES = 2  # the consultant is attached to the first two companies


def company_id(org_no: str, agency: str = AGENCY) -> str:
    """The documented id of an agency's company: ``a-{agencyId}-{businessIdentityCode}``."""
    return f"a-{agency}-{org_no}"


def org_number(n: int) -> str:
    """Company n's Swedish org. no. (Luhn check digit); company 0 is the overview's 556898-6787."""
    if n == 0:
        return "556898-6787"
    body = f"556{(123456 + n * 7919) % 1000000:06d}"
    return f"{body[:6]}-{body[6:]}{_luhn(body)}"


def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def users(companies: list[str]) -> list[tuple[str, dict[str, object]]]:
    """(password, User) for the agency's seeded users."""
    return [
        (DIRECTOR.password, {"userName": DIRECTOR.user_name, "type": "AgencyDirector", "name": "Agneta Öberg",
                             "phone": "08-123 45 67", "cellphone": "070-123 45 67", "email": DIRECTOR.user_name,
                             "language": "sv-SE", "customers": list(companies)}),
        (CONSULTANT.password, {"userName": CONSULTANT.user_name, "type": "AgencyConsultant", "name": "Bengt Åslund",
                               "phone": "031-70 89 00", "cellphone": "073-555 01 02", "email": CONSULTANT.user_name,
                               "language": "sv-SE", "customers": list(companies[:CONSULTANT_COMPANIES])}),
        (COMPANY_USER.password, {"userName": COMPANY_USER.user_name, "type": "CompanyUser", "name": "Kalle Ström",
                                 "phone": "0771-23 45 67", "cellphone": "076-000 11 22",
                                 "email": COMPANY_USER.user_name, "language": "sv-SE",
                                 "companies": [{"companyId": companies[0], "typeOfRole": "Admin"}]}),
    ]
