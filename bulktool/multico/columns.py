"""The two columns a sheet of many companies adds in front of the template's."""

from __future__ import annotations

from ..schema.model import Column

COMPANY_COLUMN = "companyId"  # which company a row belongs to: the import routes the row there
COMPANY_NAME_COLUMN = "companyName"  # for people reading the sheet; read-only, ignored on import

COMPANY_COLUMNS = (
    Column(COMPANY_COLUMN, "string", read_only=False, write=COMPANY_COLUMN,
           description="The company this row belongs to; a new row goes to the company it names."),
    Column(COMPANY_NAME_COLUMN, "string", read_only=True, description="The company's name (read-only)."),
)
EXTRA_NAMES = frozenset(c.name for c in COMPANY_COLUMNS)
