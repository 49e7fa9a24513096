"""The one formula-safe writer of every spreadsheet the site hands out (CSV and XLSX).

Applicants' text reaches staff exports (a company name, an alliance account copied to the leader row
at publication, a note). A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(…)`` leaks data when clicked), and a leading TAB or CR can hide such a start.
Following OWASP's "CSV injection" rule, every text cell that starts with one of these characters is
written with a leading ``'``; control characters that XLSX cannot hold are dropped. Numbers stay
numbers; XLSX cells are written with an explicit type, a text cell always as a string, never as a
formula (nor as an error value such as ``#N/A``).

Every export goes through here: django-import-export admins through ``audit.exports.AuditedExportMixin``
(``export``), resources used outside the admin through ``FormulaSafeResource``, tablib datasets built by
hand through ``export``. The ``probation_report`` command writes its data contract to stdout verbatim
and does not use this module.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import tablib
from import_export.formats import base_formats

# OWASP: cells starting with these are run as formulas by Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 (so XLSX) cannot hold; TAB, LF and CR are kept.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_TYPES = int | float | Decimal


def safe_text(text):
    """``text`` as a spreadsheet shows it and never runs it: illegal characters dropped, a formula start quoted."""
    text = ILLEGAL_CHARACTERS.sub("", str(text))
    return "'" + text if text.startswith(FORMULA_START) else text


def unquote(text):
    """The text ``safe_text`` quoted, read back from one of our exports (a re-import of the file)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def safe_value(value):
    """A cell value: numbers, booleans, dates and empty cells as they are; anything else as safe text."""
    if value is None or isinstance(value, bool | NUMBER_TYPES | datetime | date | time):
        return value
    return safe_text(value)


def safe_dataset(dataset):
    """A copy of a tablib ``dataset`` with every header and cell made safe (title kept)."""
    safe = tablib.Dataset(title=dataset.title)
    if dataset.headers:
        safe.headers = [safe_value(header) for header in dataset.headers]
    for row in dataset:
        safe.append([safe_value(value) for value in row])
    return safe


def to_csv(dataset):
    """The CSV text of ``dataset`` (tablib's dialect: comma, CRLF), every cell made safe."""
    return safe_dataset(dataset).export("csv")


def to_xlsx(dataset):
    """The XLSX bytes of ``dataset``: bold header, frozen below it; every cell typed explicitly."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(dataset.title)
    rows = []
    if dataset.headers:
        rows.append(dataset.headers)
    rows.extend(dataset)
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            value = safe_value(value)
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones; our instants are Beijing time
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # whatever openpyxl inferred (a formula, an error value)
            else:
                cell.value = value
            if row_number == 1 and dataset.headers:
                cell.font = bold
    if dataset.headers:
        sheet.freeze_panes = "A2"
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _sheet_title(title):
    title = re.sub(r"[\\*?:/\[\]]", "-", str(title or ""))[:31]
    return title or "Sheet1"


def export(dataset, file_format):
    """``dataset`` written in ``file_format`` (a django-import-export format or ``"csv"``/``"xlsx"``)."""
    name = file_format if isinstance(file_format, str) else file_format.get_title()
    if name == "csv":
        return to_csv(dataset)
    if name == "xlsx":
        return to_xlsx(dataset)
    raise ValueError(f"no formula-safe writer for {name}")


class CSV(base_formats.CSV):
    """django-import-export's CSV format, written by ``to_csv``."""

    def export_data(self, dataset, **kwargs):
        return to_csv(dataset)


class XLSX(base_formats.XLSX):
    """django-import-export's XLSX format, written by ``to_xlsx``."""

    def export_data(self, dataset, **kwargs):
        return to_xlsx(dataset)


class FormulaSafeResource:
    """Mixin for django-import-export resources: the dataset ``export()`` returns is already safe.

    For datasets a view writes with another format object (the probation report); admin exports are
    written by ``AuditedExportMixin`` through ``export`` in any case. Making a cell safe twice changes
    nothing (a quoted cell starts with ``'``).
    """

    def export(self, *args, **kwargs):
        return safe_dataset(super().export(*args, **kwargs))
