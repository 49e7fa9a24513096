"""Imports of the alliance system's exports (DATA.md "Files"), shared by ``import_data`` and the admin."""

from .kinds import KINDS
from .loader import ImportResult, RowError, UnknownKind, import_file

__all__ = ["KINDS", "ImportResult", "RowError", "UnknownKind", "import_file"]
