"""Writes nordic.xlsx with openpyxl, then LibreOffice converts it to nordic.xls and nordic.ods.

Run once by hand (soffice is not in CI; the outputs are committed):
    python tests/data/i10/read/make_fixtures.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent


def main() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Kunder"
    ws.append(["Kundnr", " Namn ", "Orgnr", "Belopp", "Datum", "Aktiv", "Registrerad", None])
    ws.append([1001, "Åkesson & Öberg AB", "556677-8899", 1234.5, date(2024, 2, 1), True,
               datetime(2024, 2, 1, 8, 30)])
    ws.append([1002, "Fjällbacka Fisk", "5566778800", 99, date(2023, 12, 31), False, None])
    ws.append([None, None, None, None, None, None, None])
    ws.append([1003, "Ærø Øl ApS", None, -0.25, None, True, None])
    contacts = wb.create_sheet("Kontakter")
    contacts["B3"] = "Namn"  # the table starts at B3: rows 1-2 and column A are empty
    contacts["C3"] = "E-post"
    contacts["B4"] = "Åsa Ek"
    contacts["C4"] = "asa@example.se"
    wb.create_sheet("Tom")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "nordic.xlsx"
        wb.save(src)
        for fmt in ("xls", "ods"):
            subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(HERE), str(src)],
                           check=True, capture_output=True)
    print("wrote", *(p.name for p in sorted(HERE.glob("nordic.*"))), file=sys.stderr)


if __name__ == "__main__":
    main()
