"""Lossless workbook I/O: API records <-> xlsx/CSV cells, plus the hidden export record."""

from .cells import CellValueError, clean
from .csv_io import read_csv, read_csv_book, sidecar_path, write_csv
from .flatten import flatten, infer_columns, unflatten
from .meta import RECORD_SHEET, ExportMeta, RecordEntry, SheetMeta, content_hash
from .record_sheet import ExportRecord
from .render import render, render_text
from .table import ReadBook, ReadRow, ReadSheet, SheetData
from .xlsx_reader import read_table, read_xlsx
from .xlsx_writer import write_xlsx

__all__ = [
    "RECORD_SHEET",
    "CellValueError",
    "ExportMeta",
    "ExportRecord",
    "ReadBook",
    "ReadRow",
    "ReadSheet",
    "RecordEntry",
    "SheetData",
    "SheetMeta",
    "clean",
    "content_hash",
    "flatten",
    "infer_columns",
    "read_csv",
    "read_csv_book",
    "read_table",
    "read_xlsx",
    "render",
    "render_text",
    "sidecar_path",
    "unflatten",
    "write_csv",
    "write_xlsx",
]
