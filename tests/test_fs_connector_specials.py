"""Finsit's numbers: exact decimals and the bare NaN/Infinity/-Infinity tokens survive every round trip.

Read with the vendor codec, flattened by the key-figure-data template, written to xlsx and CSV (and
re-saved by LibreOffice), read back, compared as the planner compares, and written as the same tokens.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bulktool.plan.normalize import normalizer
from bulktool.schema.loader import get_endpoint
from bulktool.vendors.finsit import codec
from bulktool.workbook import ExportMeta, SheetData, flatten, read_table, write_csv, write_xlsx

EP = get_endpoint("finsit", "key-figure-data")
COLS = list(EP.columns)
DIGITS_28 = "1234567890123456789.012345678"
WIRE = ('[{"id":"a","value":NaN},{"id":"b","value":Infinity},{"id":"c","value":-Infinity},'
        f'{{"id":"d","value":{DIGITS_28}}},{{"id":"e","value":1.5}},{{"id":"f","value":null}},'
        '{"id":"g","value":12}]')
TOKENS = ["NaN", "Infinity", "-Infinity", DIGITS_28, "1.5", "null", "12"]
META = ExportMeta(system="finsit", host="sandbox.example", exported_at="2024-05-01 10:00:00 +00:00",
                  bulktool_version="test")


def rows() -> list[dict[str, Any]]:
    return [flatten(r, COLS) for r in codec.loads(WIRE)]


def tokens(values: list[Any]) -> list[str]:
    return [codec.dumps(v) for v in values]


def test_codec_reads_exact_decimals_and_specials_and_writes_the_same_tokens() -> None:
    got = codec.loads(WIRE)
    values = [r["value"] for r in got]
    assert [type(v) for v in values] == [Decimal] * 5 + [type(None), int]
    assert str(values[3]) == DIGITS_28  # not a float: every digit kept
    assert tokens(values) == TOKENS
    body = {"å": "ö", "n": Decimal("0.000001"), "l": [True, None]}
    assert codec.dumps(body) == '{"å":"ö","n":0.000001,"l":[true,null]}'


def test_flatten_keeps_what_a_float_cannot_hold_as_decimal() -> None:
    values = [r["value"] for r in rows()]
    assert values[:4] == [values[0], Decimal("Infinity"), Decimal("-Infinity"), Decimal(DIGITS_28)]
    assert values[0].is_nan()
    assert values[4:] == [1.5, None, 12.0]  # what a spreadsheet number holds exactly stays a float


def _write(fmt: str, path: Path) -> Path:
    sheet = SheetData("key-figure-data", COLS, iter(rows()), "id")
    if fmt == "xlsx":
        write_xlsx(path, [sheet], META)
    else:
        write_csv(path, sheet, META)
    return path


def _assert_same(path: Path) -> None:
    book = read_table(path, columns=COLS)
    sheet = next(iter(book.sheets.values()))
    assert [r.errors for r in sheet.rows] == [{}] * 7
    got = [r.values["value"] for r in sheet.rows]
    n = normalizer(EP.column("value"))
    assert [n(v) for v in got] == [n(r["value"]) for r in rows()]
    assert [n(v) for v in got][:3] == ["NaN", Decimal("Infinity"), Decimal("-Infinity")]
    assert n(Decimal("NaN")) != n(None)  # NaN is a value, not an empty cell
    assert tokens(got) == ["NaN", "Infinity", "-Infinity", DIGITS_28, "1.5", "null", "12.0"]  # a decimal column


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_specials_survive_an_untouched_round_trip(fmt: str, tmp_path: Path) -> None:
    _assert_same(_write(fmt, tmp_path / f"kfd.{fmt}"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_specials_survive_without_the_export_record(fmt: str, tmp_path: Path) -> None:
    """A foreign file (CSV without its sidecar): the cells alone give the same values."""
    path = _write(fmt, tmp_path / f"kfd.{fmt}")
    if fmt == "csv":
        (tmp_path / "kfd.csv.bulktool.json").unlink()
        text = path.read_text(encoding="utf-8-sig")
        assert "NaN" in text and ",'-Infinity," in text and DIGITS_28 in text
        _assert_same(path)
    else:
        book = read_table(path, columns=COLS)
        sheet = next(iter(book.sheets.values()))
        assert sheet.rows[0].values["value"].is_nan()


def test_specials_survive_a_libreoffice_resave_of_the_xlsx(soffice: str, tmp_path: Path) -> None:
    src = _write("xlsx", tmp_path / "kfd.xlsx")
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=180)
    _assert_same(out / "kfd.xlsx")


def test_typed_specials_and_long_decimals_are_numbers() -> None:
    """The tokens as JSON spells them are numbers; "nan" or "inf" typed by hand stay errors."""
    from bulktool.workbook import CellValueError, clean

    assert clean("decimal", "NaN").is_nan()
    assert clean("decimal", " -Infinity ") == Decimal("-Infinity")
    for typed in ("nan", "inf", "-inf"):
        with pytest.raises(CellValueError, match="expected a number"):
            clean("decimal", typed)
    assert clean("decimal", "12345678901234567890,5") == Decimal("12345678901234567890.5")
    assert clean("decimal", "1,5") == 1.5
    assert json.loads(codec.dumps([clean("decimal", "Infinity")]).replace("Infinity", '"x"')) == ["x"]


def test_specials_survive_a_libreoffice_resave_of_the_csv(soffice: str, tmp_path: Path) -> None:
    """LibreOffice reads the 28-digit text as a number and writes back 15 digits (1.23456789012346E+018):
    the export record still knows the exact value, so the untouched cell reads back as it."""
    (tmp_path / "export").mkdir()
    src = _write("csv", tmp_path / "export" / "kfd.csv")
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv", "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=180)
    resaved = out / "kfd.csv"
    assert "1.23456789012346E+018" in resaved.read_text(encoding="utf-8-sig")  # LibreOffice cut it
    (out / "kfd.csv.bulktool.json").write_bytes((src.parent / "kfd.csv.bulktool.json").read_bytes())
    _assert_same(resaved)


def test_a_special_is_refused_before_sending_to_an_api_whose_json_has_none() -> None:
    """Without a vendor codec (Blikk, Tripletex) a typed NaN is one clear line, not a crash in requests."""
    from bulktool.errors import UsageError
    from bulktool.http.client import HttpClient

    client = HttpClient("http://127.0.0.1:9")
    with pytest.raises(UsageError, match="NaN cannot be sent: this API's JSON has no NaN or Infinity"):
        client.request("PUT", "/x", json_body={"value": Decimal("NaN")})
    assert client.stats.total == 0  # nothing was sent
