"""Files the imports cannot read (probation.imports.readers): a clear error with its line, never a traceback,
nothing written; rows of any length read in bounded memory. Through ``import_file``, the ``import_data``
command and the admin's import page; on PostgreSQL the CSV cases also go through the COPY path."""

import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from probation.imports import RowError, import_file
from probation.imports.readers import ROW_LIMIT
from probation.models import Leader, Order
from tests.factories import credit_code
from tests.probation.factories import MerchantFactory, staff_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ORDERS_HEADER = b"order_id,leader_account,merchant_id,item_id,paid_at,paid_amount,status,settled_at\r\n"
LEADERS_HEADER = "leader_account,company_name,credit_code,granted_at"


def order(n):
    return f"O{n},P01,M1,I1,2024-05-25 10:00:00,1.00,paid,\r\n".encode()


def zip_of(**parts):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return stream.getvalue()


def workbook_without_sheets():
    """A real workbook whose workbook.xml lists no sheet (Excel would not save one; a tool might)."""
    book = Workbook()
    book.active.append(LEADERS_HEADER.split(","))
    saved = io.BytesIO()
    book.save(saved)
    source = zipfile.ZipFile(saved)
    return zip_of(**{
        name: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", source.read(name)) if name == "xl/workbook.xml"
        else source.read(name)
        for name in source.namelist()
    })


NO_CONTENT_TYPES = ("the file is a ZIP archive but not an Excel workbook (it has no [Content_Types].xml): "
                    "save it as XLSX or CSV")
HOSTILE = {
    "zip-without-content-types": ("leaders", zip_of(**{"xl/workbook.xml": b"<workbook/>"}),
                                  [RowError(1, "-", NO_CONTENT_TYPES)]),
    "workbook-without-sheets": ("leaders", workbook_without_sheets(),
                                [RowError(1, "-", "the workbook has no sheet")]),
    "damaged-zip": ("leaders", b"PK\x03\x04" + b"\x00" * 40, [RowError(
        1, "-", "the file starts as an XLSX (ZIP) file but the archive is damaged: save it again as XLSX or CSV")]),
    "nul-byte-in-a-line": ("orders", ORDERS_HEADER + order(1) + b"O\x002,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,\r\n"
                           + order(3), [RowError(3, "order_id", "holds a control character (U+0000): O\\x002")]),
    "time-out-of-range": ("orders", ORDERS_HEADER + b"O1,P01,M1,I1,0001-01-01 00:00:00,1.00,paid,\r\n",
                          [RowError(2, "paid_at", "time out of range: 0001-01-01 00:00:00 (expected a time from "
                                                  "2000-01-01 00:00:00 to 2100-12-31 23:59:59, Beijing time)")]),
    "negative-amount": ("orders", ORDERS_HEADER + b"O1,P01,M1,I1,2024-05-25 10:00:00,-5,paid,\r\n",
                        [RowError(2, "paid_amount", "negative amount: -5 (a paid amount is 0 or more yuan)")]),
}


@pytest.fixture
def references(leader):
    MerchantFactory(leader=leader, merchant_id="M1")


@pytest.mark.parametrize("case", list(HOSTILE))
def test_import_file_reports_an_unreadable_or_impossible_file_with_its_line(campaign, references, tmp_path, case):
    kind, data, errors = HOSTILE[case]
    path = tmp_path / "hostile.bin"
    path.write_bytes(data)

    by_path = import_file(kind, path, campaign=campaign)
    by_stream = import_file(kind, io.BytesIO(data), campaign=campaign)

    assert by_path.errors == by_stream.errors == errors
    assert (Leader.objects.count(), Order.objects.count()) == (1, 0)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_import_data_exits_non_zero_with_the_error_lines_and_writes_nothing(campaign, references, tmp_path, case):
    kind, data, errors = HOSTILE[case]
    path = tmp_path / "hostile.bin"
    path.write_bytes(data)
    stderr = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_data", kind, str(path), "--campaign", campaign.slug, stderr=stderr)

    assert (failed.value.returncode, str(failed.value)) == (1, f"{kind}: 1 error(s) in {path}; nothing was imported")
    assert stderr.getvalue().splitlines() == [str(error) for error in errors]
    assert (Leader.objects.count(), Order.objects.count()) == (1, 0)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_admin_import_page_lists_the_error_and_writes_nothing(client, campaign, references, case):
    kind, data, errors = HOSTILE[case]
    client.force_login(staff_with("probation.add_dataimport"))

    response = client.post(reverse("admin:probation_dataimport_changelist"),
                           {"kind": kind, "campaign": campaign.slug, "file": SimpleUploadedFile("data.csv", data)})

    assert response.status_code == 200
    assert [(e.line, e.column) for e in response.context["result"].errors] == [(e.line, e.column) for e in errors]
    assert 'id="import-errors"' in response.text
    assert (Leader.objects.count(), Order.objects.count()) == (1, 0)


def test_a_200_mb_one_line_csv_is_refused_at_line_1_without_reading_the_line(campaign, tmp_path):
    path = tmp_path / "oneline.csv"
    with path.open("wb") as file:
        for _chunk in range(200):
            file.write(b"x" * (1 << 20))

    tracemalloc.start()
    try:
        result = import_file("orders", path, campaign=campaign)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.errors == [RowError(1, "-", "the row is longer than 131,072 characters; the file cannot be read "
                                              "from this line on (is it a CSV export?)")]
    assert peak < 8 * ROW_LIMIT  # a few copies of one row at most, never the 200 MB line


def test_a_row_too_long_is_reported_after_the_bad_rows_before_it_and_reading_stops(campaign, references, tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(
        ORDERS_HEADER + order(1) + b"O2,P09,M1,I1,2024-05-25 10:00:00,1.00,paid,\r\n"
        + b"O3,P01,M1," + b"I" * ROW_LIMIT + b",2024-05-25 10:00:00,1.00,paid,\r\n"
        + b"O4,P01,M1,I1,2024-05-25 10:00:00,-1,paid,\r\n"
    )

    result = import_file("orders", path, campaign=campaign)

    assert result.errors == [
        RowError(3, "leader_account", "unknown leader: P09 (import leaders first)"),
        RowError(4, "-", "the row is longer than 131,072 characters; the file cannot be read from this line on "
                         "(is it a CSV export?)"),
    ]
    assert Order.objects.count() == 0


def test_a_row_of_exactly_the_limit_is_read(campaign, references, tmp_path):
    line = b"O1,P01,M1,I1,2024-05-25 10:00:00,1.00,paid,"
    extra = b"," + b"x" * (ROW_LIMIT - len(line) - 1 - 2)  # an ignored column filling the row with its CRLF
    path = tmp_path / "limit.csv"
    path.write_bytes(ORDERS_HEADER.replace(b"\r\n", b",note\r\n") + line + extra + b"\r\n")

    result = import_file("orders", path, campaign=campaign)

    assert len(line + extra + b"\r\n") == ROW_LIMIT
    assert (result.ok, result.created) == (True, 1)


def test_a_gbk_file_with_bytes_no_encoding_decodes_reports_the_line(campaign, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        f"{LEADERS_HEADER}\r\nP02,杭州二号,{credit_code(2)},2024-05-06 10:00:00\r\n".encode("gbk")
        + b"P03,\xff\xff,x,y\r\n"
    )

    result = import_file("leaders", path, campaign=campaign)

    assert result.errors == [RowError(3, "-", "the row cannot be decoded as gb18030: save the file as CSV in UTF-8 "
                                              "or GBK, or as XLSX")]
    assert Leader.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "controls"),
    [
        (b"a,b\r\n1,2\r\n", False),
        (b"a,b\n1,2\n", False),
        ("杭州,科技\n".encode(), False),
        ("杭州,科技\r\n".encode("gbk"), False),
        (b"a,b\n1\t,2\n", True),
        (b"a\rb\n", True),
        (b"a,b\n1,2\r", True),
        (b"x" * (ROW_LIMIT - 1) + b"\r\n1\n", False),  # a CRLF across two chunks of the scan
        (b"x" * (ROW_LIMIT - 1) + b"\ry\n", True),
        (b"a\x01\n", True),
        (b"a\x7f\n", True),
        ("a\u0085b\n".encode(), True),
        ("杭\u0085州\n".encode("gb18030"), True),
    ],
)
def test_the_scan_tells_whether_a_file_may_hold_a_control_character(data, controls):
    from probation.imports.readers import scan

    assert scan(io.BytesIO(data)).controls is controls


def test_an_undecodable_line_after_a_value_holding_a_carriage_return_is_found_on_its_row(campaign, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        f"{LEADERS_HEADER}\r\nP02,\"杭州\r二号\",{credit_code(2)},2024-05-06 10:00:00\r\n".encode("gbk")
        + f"P03,杭州三号,{credit_code(3)},2024-05-06 10:00:00\r\n".encode("gbk")
        + b"P04,\xff\xff,x,y\r\n"
    )

    result = import_file("leaders", path, campaign=campaign)

    assert result.errors == [
        RowError(2, "company_name", "holds a control character (U+000D): 杭州\\x0d二号"),
        RowError(4, "-", "the row cannot be decoded as gb18030: save the file as CSV in UTF-8 or GBK, or as XLSX"),
    ]


def test_a_workbook_with_more_shared_text_than_the_limit_is_refused_before_it_is_read(campaign, tmp_path):
    from probation.imports.readers import SHARED_STRINGS_LIMIT

    book = Workbook()
    book.active.append(LEADERS_HEADER.split(","))
    saved = io.BytesIO()
    book.save(saved)
    source = zipfile.ZipFile(saved)
    path = tmp_path / "texts.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            if name != "xl/sharedStrings.xml":
                archive.writestr(name, source.read(name))
        with archive.open("xl/sharedStrings.xml", "w") as texts:  # streamed: 1 MB + 1 byte over, compressed
            for _chunk in range(SHARED_STRINGS_LIMIT // (1 << 20)):
                texts.write(b" " * (1 << 20))
            texts.write(b" ")

    tracemalloc.start()
    try:
        result = import_file("leaders", path, campaign=campaign)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.errors == [RowError(1, "-", "the workbook's texts take more than 128 MB: save it as CSV")]
    assert peak < 8 * ROW_LIMIT
