"""The formula-safe spreadsheet writer (recruitment.spreadsheets) every export goes through."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.contrib import admin
from import_export.admin import ExportMixin

from audit.exports import AuditedExportMixin
from recruitment import spreadsheets
from recruitment.timeutils import beijing


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x01=1+1", "'=1+1"),  # a control character XLSX cannot hold is dropped first
        ("P-01", "P-01"),
        ("杭州=科技", "杭州=科技"),
        ("'=already quoted", "'=already quoted"),
        ("", ""),
    ],
)
def test_safe_text_quotes_a_formula_start_and_nothing_else(text, written):
    assert spreadsheets.safe_text(text) == written


def test_safe_value_keeps_numbers_booleans_dates_and_empty_cells():
    values = [3, 2.5, Decimal("500.00"), True, date(2024, 5, 6), beijing(2024, 5, 6, 10), None]

    assert [spreadsheets.safe_value(v) for v in values] == values


def test_safe_text_is_idempotent():
    once = spreadsheets.safe_text("=HYPERLINK(\"x\")")

    assert spreadsheets.safe_text(once) == once


def dataset():
    data = tablib.Dataset(headers=["name", "count", "amount", "at"], title="Leaders: 2024/05")
    data.append(["=HYPERLINK(\"http://evil\")", 3, Decimal("12.50"), beijing(2024, 5, 6, 10, 0, 5)])
    data.append(["#N/A", -1, Decimal("-0.01"), None])
    return data


def test_to_xlsx_writes_text_as_strings_and_numbers_as_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(spreadsheets.to_xlsx(dataset()))).active

    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert cells == [
        [("'=HYPERLINK(\"http://evil\")", "s"), (3, "n"), (12.5, "n"), (datetime(2024, 5, 6, 10, 0, 5), "d")],
        [("#N/A", "s"), (-1, "n"), (-0.01, "n"), (None, "n")],
    ]
    assert [c.value for c in sheet[1]] == ["name", "count", "amount", "at"]
    assert (sheet.title, sheet.freeze_panes, sheet["A1"].font.bold) == ("Leaders- 2024-05", "A2", True)


def test_to_csv_quotes_the_formula_and_keeps_the_rest():
    assert spreadsheets.to_csv(dataset()).splitlines() == [
        "name,count,amount,at",
        "\"'=HYPERLINK(\"\"http://evil\"\")\",3,12.50,2024-05-06 10:00:05+08:00",
        "#N/A,-1,-0.01,",
    ]


def test_export_refuses_a_format_it_has_no_safe_writer_for():
    with pytest.raises(ValueError, match="no formula-safe writer for json"):
        spreadsheets.export(dataset(), "json")


def test_every_admin_export_goes_through_the_formula_safe_writer():
    exporting = [type(a).__name__ for a in admin.site._registry.values() if isinstance(a, ExportMixin)]
    unsafe = [type(a).__name__ for a in admin.site._registry.values()
              if isinstance(a, ExportMixin) and not isinstance(a, AuditedExportMixin)]

    assert sorted(exporting) == ["ApplicationAdmin", "LeaderAdmin", "SanctionRecordAdmin"]
    assert unsafe == []


@pytest.mark.parametrize(("text", "read"), [("'=1+1", "=1+1"), ("'-mm_x", "-mm_x"), ("'quoted", "'quoted"),
                                            ("=1", "=1"), ("", "")])
def test_unquote_reads_back_only_what_safe_text_quoted(text, read):
    assert spreadsheets.unquote(text) == read
