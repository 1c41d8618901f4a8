"""The v2 models as the fact sheet lists them (finsit-resources.md §2-§3): fields, types and casing.

Types: ``string``, ``bool``, ``int``, ``decimal``, ``datetime``, ``enum:A|B``, ``list:string``,
``list:role`` (CompanyUser's ``{companyId, typeOfRole}``), ``object:<Model>``; a trailing ``?``
means null is allowed. Wire names are the C# property names as written (Json.NET default settings),
so the sandbox serves exactly that casing and, since the fact sheet never says the server reads
names case-insensitively, accepts only that casing on writes (a ``companyTypeId`` is a 400 that
names ``CompanyTypeId``). Client-computed getters the vendor's client serializes
(``isFortnoxCompany``, ``hasFortnox...Code``, ``IsKeyFigureComment``, SIE ``hasErrors``) are not
server fields: a body that carries one is refused, so a client cannot rely on them being ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Fields = dict[str, str]

CONTACT_INFO: Fields = {"name": "string?", "address": "string?", "postalAddress": "string?", "phone": "string?"}
PERIOD: Fields = {"start": "datetime", "end": "datetime"}
OBJECTS: dict[str, Fields] = {"ContactInfo": CONTACT_INFO, "Period": PERIOD}

KEY_FIGURE_INFO_IDS = (
    "NumberOfEmployees", "TaxRate", "BankOverdraftLimit", "CreditSalesVATIncluded", "SeparableCosts",
    "InvestmentsInPropertyPlantAndEquipmentForTheYear", "CostsForResearchAndDevelopment",
    "InterestBearingLiabilities",
)
PRESET_IDS = ("EquityStructure", "IncomeCostStructure", "MyKeyFigures", "Overview", "ProfitStructure",
              "VisibleKeyFigures")
USER_TYPES = ("AgencyConsultant", "AgencyDirector", "CompanyUser", "PartnerUser")
ROLES = ("Admin", "Import", "Normal", "Limited", "DocumentArchive")

COMPANY: Fields = {
    "id": "string?",
    "typeOfCompany": "enum:Company|FortnoxCompany?",
    "name": "string?",
    "businessIdentityCode": "string",
    "contactInfo": "object:ContactInfo?",
    "fortnoxAuthorizationCode": "string?",
    "fortnoxExtendedAuthorizationCode": "string?",
    "isVirtualFarmerCompany": "bool?",
    "CompanyTypeId": "string?",
}
COMPANY_WRITE_ONLY = ("fortnoxAuthorizationCode", "fortnoxExtendedAuthorizationCode")
FISCAL_YEAR: Fields = {
    "id": "string?",
    "start": "datetime",
    "end": "datetime",
    "chartOfAccountsId": "string?",
    "lastLedgerDate": "datetime",
    "currency": "string?",
    "lastActiveDate": "datetime?",
    "activePeriodLastUpdate": "datetime",
}
KEY_FIGURE_DATA: Fields = {
    "keyFigureInfoId": "enum:" + "|".join(KEY_FIGURE_INFO_IDS),
    "period": "object:Period",
    "value": "decimal?",
    "dimensionId": "string?",
}
COMMENT: Fields = {
    "id": "string",
    "type": "enum:KeyFigureComment",
    "message": "string?",
    "created": "datetime",
    "lastModified": "datetime",
    "author": "string?",
    "period": "object:Period?",
    "keyFigureType": "string?",
}
PRESET: Fields = {
    "id": "enum:" + "|".join(PRESET_IDS),
    "name": "string?",
    "description": "string?",
    "keyFigureTypes": "list:string?",
}
USER_BASE: Fields = {
    "userName": "string",
    "type": "enum:" + "|".join(USER_TYPES),
    "password": "string?",
    "name": "string?",
    "phone": "string?",
    "cellphone": "string?",
    "email": "string?",
    "language": "string?",
}
USER_EXTRA: dict[str, Fields] = {
    "AgencyDirector": {"customers": "list:string?"},
    "AgencyConsultant": {"customers": "list:string?"},
    "CompanyUser": {"companies": "list:role?"},
    "PartnerUser": {"partnerId": "string?"},
}

COMPUTED: dict[str, tuple[str, ...]] = {
    "Company": ("isFortnoxCompany", "hasFortnoxAuthorizationCode", "hasFortnoxExtendedAuthorizationCode"),
    "Comment": ("IsKeyFigureComment",),
}


@dataclass(frozen=True)
class Resource:
    """One resource of the sheet's endpoint summary (§4), as the sandbox serves it."""

    name: str
    fields: Fields
    id_field: str = "id"
    id_origin: str = "client"  # "client" (Comment, User, KeyFigurePreset), "server" (FiscalYear), "derived"
    put_on: str = "item"  # "item" URL or "collection" URL with the id in the body; "" = no PUT
    post_on: str = ""  # "item", "collection" or "" (no POST)
    deletable: bool = True
    write_only: tuple[str, ...] = field(default_factory=tuple)


RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("Company", COMPANY, id_origin="derived", put_on="item", post_on="item",
             write_only=COMPANY_WRITE_ONLY),
    Resource("FiscalYear", FISCAL_YEAR, id_origin="server", put_on="item", post_on=""),
    Resource("Comment", COMMENT, put_on="collection", post_on="collection"),
    Resource("KeyFigurePreset", PRESET, put_on="item", post_on="item"),
    Resource("User", USER_BASE, id_field="userName", put_on="collection", post_on="collection",
             write_only=("password",)),
    Resource("ChartOfAccounts", {}, put_on="", post_on=""),
    Resource("PeriodReport", {}, put_on="", post_on="", deletable=False),
    Resource("KeyFigureValue", {}, put_on="", post_on="", deletable=False),
)}
