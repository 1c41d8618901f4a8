"""Endpoint templates: the declarative facts export, validation and writes all share."""

from .loader import get_endpoint, load_template_file, load_templates, templates_dir
from .model import COLUMN_TYPES, Column, ColumnType, Endpoint, Operation, Shape, WriteOnlyField

__all__ = [
    "COLUMN_TYPES",
    "Column",
    "ColumnType",
    "Endpoint",
    "Operation",
    "Shape",
    "WriteOnlyField",
    "get_endpoint",
    "load_template_file",
    "load_templates",
    "templates_dir",
]
