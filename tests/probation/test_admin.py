"""The minimal probation admin."""

import csv
import io
from datetime import datetime
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from probation.enums import LeaderStatus
from probation.imports import import_file
from probation.models import Leader, Violation
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, credit_code
from tests.probation.factories import CheckResultFactory, LeaderFactory

pytestmark = pytest.mark.django_db


def test_leader_changelist_lists_leaders_with_status(admin_client, leader):
    response = admin_client.get(reverse("admin:probation_leader_changelist"))

    assert response.status_code == 200
    assert "P01" in response.text
    assert response.context["cl"].result_count == 1


def test_leader_change_page_shows_check_results(admin_client, leader):
    CheckResultFactory(leader=leader, code="special:checkpoint", passed=False)

    response = admin_client.get(reverse("admin:probation_leader_change", args=[leader.pk]))

    assert response.status_code == 200
    assert "special:checkpoint" in response.text


def test_violation_add_page_get_changes_nothing(admin_client, leader):
    response = admin_client.get(reverse("admin:probation_violation_add"))

    leader.refresh_from_db()
    assert response.status_code == 200
    assert Violation.objects.count() == 0
    assert leader.status == LeaderStatus.PROBATION


# --- Export ---------------------------------------------------------------------------------------------------


def export_leaders(client, file_format, *, query=""):
    url = reverse("admin:probation_leader_export")
    form = client.get(url).context["form"]
    data = {"format": {"csv": "0", "xlsx": "1"}[file_format], "resource": "0",
            **{name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}}
    with time_machine.travel(beijing(2026, 11, 30, 8), tick=False):
        return client.post(url + query, data)


@pytest.fixture
def closed_leader(campaign):
    return LeaderFactory(campaign=campaign, leader_account="P09", company_name="杭州九号", credit_code=credit_code(9),
                         status=LeaderStatus.CLOSED, closed_at=beijing(2024, 6, 1), closure_reason="basic:2024-05")


def test_leaders_xlsx_is_headed_in_chinese_with_typed_times_and_words(admin_client, closed_leader, campaign):
    response = export_leaders(admin_client, "xlsx", query=f"?campaign__id__exact={campaign.pk}")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["活动", "团长账号", "公司名称", "统一社会信用代码", "授权时间", "状态", "权限关闭时间", "关闭原因"],
        [campaign.name, "P09", "杭州九号", credit_code(9), datetime(2024, 5, 6, 10), "权限已关闭",
         datetime(2024, 6, 1), "2024-05 基础项考核"],
    ]
    assert {sheet[f"{col}2"].number_format for col in "EG"} == {"yyyy-mm-dd hh:mm:ss"}
    assert response["Content-Disposition"] == (
        'attachment; filename="leaders-2024-nx2-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote('团长-淘宝联盟拓客型招商团长招募·纳新2.0（2024）-2026-11-30.xlsx')}"
    )


def test_leaders_csv_in_english_writes_beijing_time_to_the_second(admin_client, closed_leader):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = export_leaders(admin_client, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Campaign", "Leader account (团长账号)", "Company name", "Unified social credit code",
                       "Permission granted at", "Status", "Permission closed at", "Closure reason"]
    assert rows[1][4:] == ["2024-05-06 10:00:00", "permission closed", "2024-06-01 00:00:00", "basic check of 2024-05"]
    assert response["Content-Disposition"] == (
        'attachment; filename="leaders-2026-11-30.csv"; '
        f"filename*=UTF-8''{quote('Leaders-2026-11-30.csv')}"
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_chinese_leaders_export_imports_back_as_the_roster(admin_client, closed_leader, file_format):
    exported = export_leaders(admin_client, file_format).content
    other = CampaignFactory(slug="2025-nx3", name="纳新 3.0", is_current=False)

    result = import_file("leaders", io.BytesIO(exported), campaign=other, file_name=f"leaders.{file_format}")

    assert result.errors == []
    assert list(Leader.objects.filter(campaign=other).values_list(
        "leader_account", "company_name", "credit_code", "granted_at", "status",
    )) == [("P09", "杭州九号", credit_code(9), beijing(2024, 5, 6, 10), LeaderStatus.PROBATION)]
