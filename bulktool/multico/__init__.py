"""Many companies in one run: one sheet for all of them, each row routed to its own company.

An accounting office (or an agency) signs in once and sees many companies. ``export`` writes a
company-scoped resource of every chosen company to one sheet with a ``companyId`` column (and the
company's name, read-only); ``importer`` routes each row of such a sheet to its company and runs the
usual plan, three-way diff, journal and apply per company, so one company's failure never stops the
others. The connector says which companies there are (``Connector.visible_companies``) and gives a
connector for each (``Connector.for_company``); nothing here knows any vendor.
"""

from __future__ import annotations

from .columns import COMPANY_COLUMN, COMPANY_NAME_COLUMN
from .export import export_chosen, export_companies
from .importer import is_multi_company, run_multi_import

__all__ = [
    "COMPANY_COLUMN", "COMPANY_NAME_COLUMN", "export_chosen", "export_companies", "is_multi_company",
    "run_multi_import",
]
