"""Helpers for the benchmarks: a big synthetic workbook and a connector serving pre-fetched records."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, ClassVar

from bulktool.connectors.base import Connector, PageNumberPaginator
from bulktool.http.client import HttpClient
from bulktool.schema import get_endpoint
from bulktool.workbook import ExportMeta, SheetData, SheetMeta, flatten, write_xlsx

HOST = "bench.invalid"
FIRST = ["Åsa", "Örjan", "Lotta", "Björn", "Märta", "Nils", "Eva", "Jönsson"]
LAST = ["Öberg", "Larsson", "Ström", "Åkesson", "Lind", "Berg"]


def _record(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "id": i, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", "customerNumber": f"{i:06d}",
        "contactType": rng.choice(["person", "company"]),
        "organizationalOrSocialSecurityNumber": f"5568{i % 100:02d}-{i % 10000:04d}",
        "visitingAddress": {"streetAddress": f"Storgatan {i % 90}", "additionalAddress": None,
                            "postalCode": f"{90000 + i % 9999}", "city": rng.choice(["Umeå", "Piteå", "Luleå"]),
                            "state": None, "countryId": 1, "countryName": "Sverige"},
        "company": None, "parentCompany": None,
        "created": "2024-01-02 03:04:05 +00:00", "lastUpdated": None,
    }


_RECORDS: list[dict[str, Any]] = []


def make_big_workbook(path: Path, n: int, changed: int) -> None:
    """An export of n contacts; the server side (bench_live.json) differs in `changed` rows."""
    rng = random.Random(1)
    ep = get_endpoint("blikk", "contacts")
    cols = [c for c in ep.columns if c.in_list]
    records = [_record(i, rng) for i in range(1, n + 1)]
    meta = ExportMeta(system="blikk", host=HOST, exported_at="2026-01-01 00:00:00 +00:00",
                      bulktool_version="bench", sheets={"contacts": SheetMeta(
                          endpoint="contacts", template_version=ep.version,
                          columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in cols],
                          id_column="id", natural_key=["customerNumber"], detail=False, filters={}, sort=None)})
    write_xlsx(path, [SheetData("contacts", cols, (flatten(r, cols) for r in records), "id")], meta)
    _write_foreign(path.with_name("foreign.xlsx"), cols, records)
    for r in records[:changed]:
        r["name"] = r["name"] + " (server)"
    import json

    (path.parent / "bench_live.json").write_text(json.dumps(records), encoding="utf-8")


class PrefetchedConnector(Connector):
    """Serves list/detail reads from memory: 'given the live records already fetched'."""

    system: ClassVar[str] = "blikk"
    rate_per_second: ClassVar[int] = 4

    def __init__(self, records: list[dict[str, Any]]) -> None:
        super().__init__(HttpClient(f"https://{HOST}"), PageNumberPaginator())
        self._records = records
        self._by_id = {r["id"]: r for r in records}

    @classmethod
    def from_workbook(cls, path: Path) -> PrefetchedConnector:
        import json

        return cls(json.loads((path.parent / "bench_live.json").read_text(encoding="utf-8")))

    @property
    def host(self) -> str:
        return HOST

    def list_all(self, path: str, params: Any = None, **kw: Any) -> list[dict[str, Any]]:
        return self._records

    def get(self, path: str, params: Any = None) -> dict[str, Any]:
        return self._by_id[int(path.rstrip("/").rsplit("/", 1)[1])]


def _write_foreign(path: Path, cols: list[Any], records: list[dict[str, Any]]) -> None:
    """The same rows as a workbook another tool wrote: plain cells, no export record, no styles."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("contacts")
    ws.write_row(0, 0, [c.name for c in cols])
    for r, rec in enumerate(records, start=1):
        for c, value in enumerate(flatten(rec, cols).values()):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
