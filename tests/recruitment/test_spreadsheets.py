"""The formula-safe spreadsheet writer (recruitment.spreadsheets) every export goes through."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
import tablib
import time_machine
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
        "\"'=HYPERLINK(\"\"http://evil\"\")\",3,12.50,2024-05-06 10:00:05",
        "#N/A,-1,-0.01,",
    ]


def test_to_csv_writes_an_instant_in_beijing_time_to_the_second_whatever_its_zone():
    data = tablib.Dataset(headers=["at"])
    data.append([datetime(2024, 4, 25, 15, 59, 59, tzinfo=UTC)])

    assert spreadsheets.to_csv(data).splitlines() == ["at", "2024-04-25 23:59:59"]


def typed_sheet():
    data = tablib.Dataset(headers=["金额", "个数", "时间", "日期", "比例", "文本"], title="类型")
    data.append([Decimal("500.00"), 12, datetime(2024, 4, 25, 15, 59, 59, tzinfo=UTC), date(2024, 4, 25), 0.5, "=1"])
    data.append([Decimal("3"), 0, beijing(2024, 4, 25, 23, 59, 59), None, 2.25, "500.00"])
    return openpyxl.load_workbook(io.BytesIO(spreadsheets.to_xlsx(data))).active


def test_to_xlsx_writes_numbers_as_numbers_with_a_number_format():
    sheet = typed_sheet()

    assert [(c.value, c.data_type, c.number_format) for c in sheet["A"][1:]] == [
        (500, "n", "0.00"), (3, "n", "0"),
    ]
    assert [(c.value, c.data_type, c.number_format) for c in sheet["B"][1:]] == [(12, "n", "0"), (0, "n", "0")]
    assert [(c.value, c.data_type, c.number_format) for c in sheet["E"][1:]] == [
        (0.5, "n", "General"), (2.25, "n", "General"),
    ]
    # Text that looks like a number stays text (it was text in the database).
    assert [(c.value, c.data_type) for c in sheet["F"][1:]] == [("'=1", "s"), ("500.00", "s")]


def test_to_xlsx_writes_instants_as_beijing_date_times_to_the_second_and_dates_as_dates():
    sheet = typed_sheet()

    # 15:59:59 UTC is 23:59:59 in Beijing: the cell holds Beijing's wall-clock time.
    assert [(c.value, c.data_type, c.number_format) for c in sheet["C"][1:]] == [
        (datetime(2024, 4, 25, 23, 59, 59), "d", "yyyy-mm-dd hh:mm:ss"),
        (datetime(2024, 4, 25, 23, 59, 59), "d", "yyyy-mm-dd hh:mm:ss"),
    ]
    assert (sheet["D2"].value, sheet["D2"].data_type, sheet["D2"].number_format) == (
        datetime(2024, 4, 25), "d", "yyyy-mm-dd",
    )
    assert sheet["D3"].value is None
    # Wide enough that Excel shows the time rather than ####.
    assert sheet.column_dimensions["C"].width >= len("2024-04-25 23:59:59")


def test_to_xlsx_book_writes_one_sheet_per_dataset_in_order():
    first = tablib.Dataset(["1"], headers=["a"], title="申请")
    second = tablib.Dataset([1], headers=["a"], title="申请")
    third = tablib.Dataset(headers=["b"], title="评分表")

    book = openpyxl.load_workbook(io.BytesIO(spreadsheets.to_xlsx_book([first, second, third])))

    assert book.sheetnames == ["申请", "申请-2", "评分表"]
    assert [[c.value for c in row] for row in book["申请-2"].iter_rows()] == [["a"], [1]]
    assert [[c.value for c in row] for row in book["评分表"].iter_rows()] == [["b"]]


class FakeCampaign:
    name = "淘宝联盟 · 纳新 2.0"
    slug = "2024-nx2"


@pytest.mark.parametrize(
    ("name", "campaign", "expected"),
    [
        ("申请", FakeCampaign(), ("申请-淘宝联盟·纳新2.0-2026-11-30.xlsx", "applications-2026-11-30.xlsx")),
        ("Applications", FakeCampaign(), ("Applications-淘宝联盟·纳新2.0-2026-11-30.xlsx",
                                          "applications-2026-11-30.xlsx")),
        ("申请", None, ("申请-2026-11-30.xlsx", "applications-2026-11-30.xlsx")),
    ],
)
def test_export_filename_names_the_campaign_and_the_date(name, campaign, expected):
    filename, fallback = spreadsheets.export_filename(name, "xlsx", campaign=campaign, fallback="applications",
                                                      today=date(2026, 11, 30))

    assert filename == expected[0]
    assert fallback == (expected[1] if campaign is None else "applications-2024-nx2-2026-11-30.xlsx")


def test_export_filename_drops_path_and_reserved_characters():
    class Odd:
        name = '../a/b:c*"d"<e>|'
        slug = "x"

    filename, fallback = spreadsheets.export_filename("清单", "csv", campaign=Odd(), fallback="list",
                                                      today=date(2026, 11, 30))

    assert (filename, fallback) == ("清单-a-b-c--d--e-2026-11-30.csv", "list-x-2026-11-30.csv")


def test_export_filename_is_today_in_beijing():
    with time_machine.travel(datetime(2026, 11, 29, 16, 0, 0, tzinfo=UTC), tick=False):  # 00:00 in Beijing
        assert spreadsheets.export_filename("申请", "csv", fallback="a") == ("申请-2026-11-30.csv", "a-2026-11-30.csv")
    with time_machine.travel(datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC), tick=False):
        assert spreadsheets.export_filename("申请", "csv", fallback="a") == ("申请-2026-11-29.csv", "a-2026-11-29.csv")


def test_attachment_disposition_has_the_ascii_fallback_and_the_utf8_name():
    assert spreadsheets.attachment_disposition("申请-纳新2.0-2026-11-30.xlsx", "applications-2026-11-30.xlsx") == (
        'attachment; filename="applications-2026-11-30.xlsx"; '
        "filename*=UTF-8''%E7%94%B3%E8%AF%B7-%E7%BA%B3%E6%96%B02.0-2026-11-30.xlsx"
    )


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
