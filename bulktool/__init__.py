"""bulktool: bulk spreadsheet import/export for Nordic business-system REST APIs."""

__version__ = "0.2.0"
