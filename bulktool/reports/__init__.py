"""Import reports (terminal, xlsx, HTML, JSON), all rendered from one ``ImportResult``."""

from .html_report import render_html, write_html_report
from .json_report import dumps, write_json
from .terminal import render_summary
from .undo import UndoBook, UndoRow, write_undo_workbook
from .xlsx_report import write_xlsx_report

__all__ = [
    "UndoBook",
    "UndoRow",
    "dumps",
    "render_html",
    "render_summary",
    "write_html_report",
    "write_json",
    "write_undo_workbook",
    "write_xlsx_report",
]
