"""The one formula-safe writer of every spreadsheet the site hands out (CSV and XLSX).

Applicants' text reaches staff exports (a company name, an alliance account copied to the leader row
at publication, a note). A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(…)`` leaks data when clicked), and a leading TAB or CR can hide such a start.
Following OWASP's "CSV injection" rule, every text cell that starts with one of these characters is
written with a leading ``'``; control characters that XLSX cannot hold are dropped. Numbers stay
numbers; XLSX cells are written with an explicit type, a text cell always as a string, never as a
formula (nor as an error value such as ``#N/A``).

Cells are typed for a spreadsheet user: integers and decimals are numeric cells (``0`` and ``0.00``-style
formats, so Excel sums them), instants are Excel date-times in Beijing time (the naive local time in the
cell, ``yyyy-mm-dd hh:mm:ss``: seconds matter for deadlines), dates are dates. A CSV writes the same
instants as Beijing text (``2024-04-25 23:59:59``). One workbook may hold several sheets (``to_xlsx_book``).
Files are named in the staff member's language with the campaign and the date (``export_filename``) and sent
with an RFC 6266 ``Content-Disposition``: an ASCII ``filename`` for old clients and the UTF-8 ``filename*``.

Every export goes through here: django-import-export admins through ``audit.exports.AuditedExportMixin``
(``export``), resources used outside the admin through ``FormulaSafeResource``, tablib datasets built by
hand through ``export``. The ``probation_report`` command writes its data contract to stdout verbatim
and does not use this module.
"""

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import tablib
from django.utils import timezone
from django.utils.http import content_disposition_header
from import_export.formats import base_formats

from .timeutils import BEIJING

# OWASP: cells starting with these are run as formulas by Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 (so XLSX) cannot hold; TAB, LF and CR are kept.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_TYPES = int | float | Decimal
# Excel number formats of typed cells.
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm:ss"
INTEGER_FORMAT = "0"
# How a CSV writes an instant: Beijing time to the second.
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"
# Column widths, in characters (a CJK character counts two): wide enough for a date-time, never a wall.
MIN_WIDTH, MAX_WIDTH = 8, 50


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
    """The CSV text of ``dataset`` (tablib's dialect: comma, CRLF), every cell made safe; an instant as
    Beijing time to the second (``2024-04-25 23:59:59``)."""
    text = tablib.Dataset(title=dataset.title)
    safe = safe_dataset(dataset)
    if safe.headers:
        text.headers = safe.headers
    for row in safe:
        text.append([_csv_value(value) for value in row])
    return text.export("csv")


def _csv_value(value):
    if isinstance(value, datetime):
        return beijing_naive(value).strftime(CSV_DATETIME)
    return value


def beijing_naive(moment):
    """An instant as Beijing wall-clock time without a zone (Excel has none); a naive one is taken as it is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def xlsx_cell(value):
    """``(value, number format or None)`` of a safe cell value as an XLSX cell holds it."""
    value = safe_value(value)
    if isinstance(value, datetime):
        return beijing_naive(value), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, time):
        return value, TIME_FORMAT
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return value, INTEGER_FORMAT
    if isinstance(value, Decimal):
        return value, decimal_format(value)
    return value, None


def decimal_format(value):
    """``0.00`` for a decimal of two places (money, scores), ``0`` for a whole one: the places it was stored with."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * places if places else INTEGER_FORMAT


def to_xlsx(dataset):
    """The XLSX bytes of ``dataset``: one sheet, bold header, frozen below it; every cell typed explicitly."""
    return to_xlsx_book([dataset])


def to_xlsx_book(datasets):
    """The XLSX bytes of a workbook with one sheet per tablib dataset, in order, titled by its title."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = set()
    for dataset in datasets:
        title = _sheet_title(dataset.title)
        suffix = 2
        while title in titles:  # Excel refuses two sheets of one name
            title = f"{_sheet_title(dataset.title)[:28]}-{suffix}"
            suffix += 1
        titles.add(title)
        _write_sheet(workbook.create_sheet(title), dataset)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _write_sheet(sheet, dataset):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = []
    if dataset.headers:
        rows.append(dataset.headers)
    rows.extend(dataset)
    bold = Font(bold=True)
    widths = {}
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            value, number_format = xlsx_cell(value)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # whatever openpyxl inferred (a formula, an error value)
            if number_format:
                cell.number_format = number_format
            if row_number == 1 and dataset.headers:
                cell.font = bold
            widths[column_number] = max(widths.get(column_number, 0), _width(value, number_format))
    for column_number, width in widths.items():
        sheet.column_dimensions[get_column_letter(column_number)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    if dataset.headers:
        sheet.freeze_panes = "A2"


def _width(value, number_format):
    """The characters ``value`` takes in its cell (a wide character counts two)."""
    if number_format in (DATETIME_FORMAT, DATE_FORMAT, TIME_FORMAT):
        return len(number_format)
    text = "" if value is None else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


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


def export_filename(name, extension, *, campaign=None, fallback, today=None):
    """``(file name, ASCII fallback)`` of an export: ``申请-纳新2.0-2026-11-30.xlsx`` and
    ``applications-2024-nx2-2026-11-30.xlsx``. ``name`` is in the staff member's language, ``fallback`` in
    ASCII; the campaign is named by its name and by its code in the fallback; the date is
    today in Beijing time."""
    day = (today or timezone.localdate()).isoformat()
    parts = [_file_part(name)]
    fallback_parts = [_ascii_part(fallback)]
    if campaign is not None:
        parts.append(_file_part(campaign.name))
        fallback_parts.append(_ascii_part(campaign.slug))
    parts.append(day)
    fallback_parts.append(day)
    return (
        "-".join(part for part in parts if part) + f".{extension}",
        "-".join(part for part in fallback_parts if part) + f".{extension}",
    )


def _file_part(text):
    """Text fit for a file name on every system: no path or reserved characters, no space beside a Chinese
    character (``纳新 2.0`` → ``纳新2.0``), at most 60 characters."""
    text = re.sub(r"\s*([^\x00-\x7f])\s*", r"\1", str(text).strip())
    text = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f]", "-", re.sub(r"\s+", " ", text))
    return text.strip(" .-")[:60]


def _ascii_part(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip(".-")[:60]


def attachment_disposition(filename, fallback):
    """The ``Content-Disposition`` of a download (RFC 6266 with RFC 5987's ``filename*``): Django 5.2's
    ``content_disposition_header`` writes either an ASCII ``filename`` or ``filename*`` alone, so the
    ASCII fallback for old clients is written by it and the UTF-8 name added after it."""
    return f"{content_disposition_header(True, fallback)}; filename*=UTF-8''{quote(filename, safe='')}"


def attach(response, filename, fallback):
    """``response`` made a download named ``filename`` (``fallback`` for clients without RFC 5987)."""
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    return response


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
