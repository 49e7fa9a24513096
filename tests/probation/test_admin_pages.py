"""The probation admin pages: data import, report export, board and the check history; both sides of each
permission."""

import io
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from probation.enums import CheckMeasure, LeaderStatus
from probation.models import CheckItem, Leader, Merchant
from recruitment.timeutils import beijing
from tests.factories import credit_code
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import LeaderFactory, MerchantFactory, staff_with
from tests.probation.test_tasks import _meet_june

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:probation_dataimport_changelist"
BOARD_URL = "admin:probation_board_changelist"


def upload(text, *, encoding="utf-8", name="data.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def importer(client):
    client.force_login(staff_with("probation.add_dataimport"))
    return client


def post_import(client, kind, text, *, campaign="2024-nx2", **kwargs):
    return client.post(reverse(IMPORT_URL), {"kind": kind, "campaign": campaign, "file": upload(text, **kwargs)})


LEADERS = (
    "团长账号,公司名称,统一社会信用代码,授权时间\n"
    f"P01,杭州一号网络科技有限公司,{credit_code(1)},2024-05-06 10:00:00\n"
    f"P02,杭州二号网络科技有限公司,{credit_code(2)},2024-05-06T10:00:00+08:00\n"
)


def test_import_page_get_shows_the_form_and_changes_nothing(importer, campaign):
    response = importer.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    assert response.context["form"].initial == {"campaign": "2024-nx2"}
    assert "导入考核数据" in response.text
    # The Open Platform's names of the order columns are listed beside the contract's.
    assert "<code>paid_at</code> (付款时间, <code>tk_paid_time</code>)" in response.text
    assert Leader.objects.count() == 0


def test_import_page_imports_a_gbk_file_and_reports_created_then_updated(importer, campaign):
    first = post_import(importer, "leaders", LEADERS, encoding="gbk")
    second = post_import(importer, "leaders", LEADERS.replace("杭州一号", "杭州壹号"), encoding="utf-8-sig")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.context["result"].created, first.context["result"].updated) == (2, 0)
    assert (second.context["result"].created, second.context["result"].updated) == (0, 2)
    assert "共 2 行：新增 0 行，更新 2 行。" in second.text
    leaders = Leader.objects.order_by("leader_account")
    assert list(leaders.values_list("leader_account", "company_name", "granted_at")) == [
        ("P01", "杭州壹号网络科技有限公司", beijing(2024, 5, 6, 10)),
        ("P02", "杭州二号网络科技有限公司", beijing(2024, 5, 6, 10)),
    ]


def test_import_page_imports_xlsx(importer, campaign, leader):
    book = openpyxl.Workbook()
    book.active.append(["merchant_id", "merchant_name", "leader_account", "opened_at"])
    book.active.append(["M1", "商家一", "P01", "2024-05-12 09:00:00"])
    stream = io.BytesIO()
    book.save(stream)
    file = SimpleUploadedFile("m.xlsx", stream.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    response = importer.post(reverse(IMPORT_URL), {"kind": "merchants", "campaign": "2024-nx2", "file": file})

    assert response.context["result"].created == 1
    assert list(Merchant.objects.values_list("merchant_id", "leader__leader_account", "opened_at")) == [
        ("M1", "P01", beijing(2024, 5, 12, 9))
    ]


@pytest.mark.parametrize(
    ("kind", "text", "errors"),
    [
        ("leaders", LEADERS + f"P03,杭州三号,{credit_code(3)[:-1]}X,2024-05-06 10:00:00\n",
         [(4, "统一社会信用代码")]),
        ("leaders", "团长账号,公司名称,授权时间\nP01,杭州,2024-05-06 10:00:00\n",
         [(1, "credit_code (统一社会信用代码)")]),
        ("leaders", LEADERS + f"P01,重复,{credit_code(4)},2024-05-06 10:00:00\n", [(4, "团长账号")]),
        ("leaders", LEADERS.replace("2024-05-06 10:00:00", "2024/13/06"), [(2, "授权时间")]),
        ("merchants", "商家ID,商家名称,引入团长账号,淘宝客开通时间\nM1,商家,NOBODY,2024-05-12 09:00:00\n",
         [(2, "引入团长账号")]),
    ],
    ids=["bad-credit-code", "missing-column", "duplicate-key", "bad-time", "unknown-leader"],
)
def test_import_page_rejects_the_whole_file_and_lists_every_bad_row(importer, campaign, kind, text, errors):
    response = post_import(importer, kind, text)

    result = response.context["result"]
    assert response.status_code == 200
    assert [(e.line, e.column) for e in result.errors] == errors
    assert 'id="import-errors"' in response.text
    assert Leader.objects.count() == 0
    assert Merchant.objects.count() == 0


@pytest.mark.parametrize("perms", [(), ("probation.view_leader",), ("probation.add_checkresult",)])
def test_import_page_is_refused_to_staff_without_the_import_permission(client, campaign, perms):
    client.force_login(staff_with(*perms))

    get = client.get(reverse(IMPORT_URL))
    post = post_import(client, "leaders", LEADERS)

    assert (get.status_code, post.status_code) == (403, 403)
    assert Leader.objects.count() == 0


def test_import_page_sends_non_staff_to_the_login(client, campaign, applicant):
    client.force_login(applicant)

    response = post_import(client, "leaders", LEADERS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert Leader.objects.count() == 0


# --- Report export ------------------------------------------------------------------------------------


@pytest.fixture
def viewer(client):
    client.force_login(staff_with("probation.view_leader"))
    return client


@pytest.fixture
def report_data(campaign):
    one = LeaderFactory(campaign=campaign, leader_account="P01", credit_code=credit_code(1))
    two = LeaderFactory(campaign=campaign, leader_account="P02", credit_code=credit_code(1))
    for leader, n in ((one, 3), (two, 4)):
        for _n in range(n):
            make_new_merchant(leader, opened_at=beijing(2024, 5, 12))
    LeaderFactory(campaign=campaign, leader_account="P03")
    call_command("evaluate_probation", "--as-of", "2024-06-01T00:00:00", stdout=io.StringIO())


def test_report_export_csv_is_the_probation_report_command_output(viewer, report_data):
    out = io.StringIO()
    call_command("probation_report", "--campaign", "2024-nx2", stdout=out)

    response = viewer.get(reverse("admin:probation_board_report"), {"campaign": "2024-nx2", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").replace("\r\n", "\n") == out.getvalue()
    assert out.getvalue().splitlines()[1:] == [
        "P01,closed,basic:2024-05,2024-06-01T00:00:00+08:00,3,3,3,no",
        "P02,closed,basic:2024-05,2024-06-01T00:00:00+08:00,4,4,4,no",
        "P03,closed,basic:2024-05;special:checkpoint,2024-06-01T00:00:00+08:00,0,0,0,no",
    ]


def report_xlsx(client):
    response = client.get(reverse("admin:probation_board_report"), {"campaign": "2024-nx2", "format": "xlsx"})
    return response, openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_report_export_xlsx_is_the_report_in_chinese_with_typed_cells(viewer, report_data):
    with time_machine.travel(beijing(2026, 11, 30, 0, 0, 1), tick=False):
        response, sheet = report_xlsx(viewer)

    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["团长账号", "状态", "未通过的考核项", "权限关闭时间", "阶段节点前引入的新商家数", "活动期内引入的新商家数",
         "满足奖励计算条件的商家数", "可获奖励"],
        ["P01", "权限已关闭", "2024-05 基础项考核", datetime(2024, 6, 1), 3, 3, 3, "否"],
        ["P02", "权限已关闭", "2024-05 基础项考核", datetime(2024, 6, 1), 4, 4, 4, "否"],
        ["P03", "权限已关闭", "2024-05 基础项考核；纳新专项考核：阶段节点", datetime(2024, 6, 1), 0, 0, 0, "否"],
    ]
    assert [(c.data_type, c.number_format) for c in sheet[2]][3:5] == [("d", "yyyy-mm-dd hh:mm:ss"), ("n", "0")]
    assert sheet.title == "试用期报告"
    campaign_name = "淘宝联盟拓客型招商团长招募·纳新2.0（2024）"
    assert response["Content-Disposition"] == (
        'attachment; filename="probation-report-2024-nx2-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote(f'试用期报告-{campaign_name}-2026-11-30.xlsx')}"
    )


def test_report_export_xlsx_in_english_for_staff_who_chose_english(viewer, report_data):
    viewer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with time_machine.travel(beijing(2026, 11, 30, 23, 59, 59), tick=False):
        response, sheet = report_xlsx(viewer)

    assert [c.value for c in sheet[1]] == [
        "Leader account (团长账号)", "Status", "Failed checks", "Permission closed at",
        "New merchants by the checkpoint", "New merchants over the activity", "Reward-qualifying merchants",
        "Reward eligible",
    ]
    assert [c.value for c in sheet[4]] == [
        "P03", "permission closed", "basic check of 2024-05；new-merchant special check: checkpoint",
        datetime(2024, 6, 1), 0, 0, 0, "No",
    ]
    assert response["Content-Disposition"].endswith("filename*=UTF-8''" + quote(
        "Probation report-淘宝联盟拓客型招商团长招募·纳新2.0（2024）-2026-11-30.xlsx"))


def test_report_export_csv_keeps_the_data_contract_whatever_the_language(viewer, report_data):
    viewer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    out = io.StringIO()
    call_command("probation_report", "--campaign", "2024-nx2", stdout=out)

    with time_machine.travel(beijing(2026, 11, 30, 12), tick=False):
        response = viewer.get(reverse("admin:probation_board_report"), {"campaign": "2024-nx2", "format": "csv"})

    assert response.content.decode("utf-8-sig").replace("\r\n", "\n") == out.getvalue()
    assert response["Content-Disposition"] == (
        'attachment; filename="probation-report-2024-nx2-2026-11-30.csv"; '
        f"filename*=UTF-8''{quote('Probation report-淘宝联盟拓客型招商团长招募·纳新2.0（2024）-2026-11-30.csv')}"
    )


def test_report_export_is_refused_without_the_view_permission(client, report_data):
    client.force_login(staff_with("probation.add_dataimport"))

    response = client.get(reverse("admin:probation_board_report"), {"campaign": "2024-nx2", "format": "csv"})

    assert response.status_code == 403


# --- Board --------------------------------------------------------------------------------------------


@pytest.fixture
def june(campaign):
    """At 2024-06-20 09:00: P01 is 0.01 yuan short of June's GMV, P02 meets June; P03 is closed."""
    short = LeaderFactory(campaign=campaign, leader_account="P01")
    _meet_june(short, gmv="9999.99")
    met = LeaderFactory(campaign=campaign, leader_account="P02")
    _meet_june(met)
    closed = LeaderFactory(campaign=campaign, leader_account="P03", status=LeaderStatus.CLOSED,
                           closed_at=beijing(2024, 6, 1), closure_reason="basic:2024-05")
    return short, met, closed


def test_board_counts_and_at_risk_leaders_at_a_frozen_time(viewer, june):
    with time_machine.travel(beijing(2024, 6, 20, 9), tick=False):
        response = viewer.get(reverse(BOARD_URL))

    context = response.context
    assert response.status_code == 200
    statuses = context["statuses"]
    assert [(s["value"], s["count"], [leader.leader_account for leader in s["leaders"]]) for s in statuses] == [
        ("probation", 2, ["P01", "P02"]), ("closed", 1, ["P03"]), ("retained", 0, []),
    ]
    assert context["month"].code == "basic:2024-06"
    assert [(row.leader.leader_account, row.days_left, [(f.name, f.value, f.threshold) for f in row.short])
            for row in context["basic_at_risk"]] == [("P01", 11, [("gmv", Decimal("9999.99"), Decimal("10000.00"))])]
    assert context["checkpoint_at_risk"] == []
    assert "2024-05 基础项考核" in response.text  # P03's closure reason in words


def test_board_checkpoint_at_risk_inside_the_checkpoint_window_only(viewer, campaign):
    leader = LeaderFactory(campaign=campaign, leader_account="P01")
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 12))
    two = LeaderFactory(campaign=campaign, leader_account="P02")
    MerchantFactory(leader=two, opened_at=beijing(2024, 5, 12))
    MerchantFactory(leader=two, opened_at=beijing(2024, 5, 31, 23, 59, 59))

    with time_machine.travel(beijing(2024, 5, 31, 23, 59, 59), tick=False):
        inside = viewer.get(reverse(BOARD_URL)).context["checkpoint_at_risk"]
    with time_machine.travel(beijing(2024, 6, 1), tick=False):
        after = viewer.get(reverse(BOARD_URL)).context["checkpoint_at_risk"]

    assert [(row.leader.leader_account, row.figures[0].value, row.figures[0].threshold, row.days_left)
            for row in inside] == [("P01", 1, 2, 1)]
    assert after == []


def test_board_lists_who_is_below_a_check_item_while_its_window_runs(viewer, campaign):
    """A 新增考核项 counting new merchants over 2024-07-01 … 07-15 23:59:59 (at least 2): P01 has one, P02 two."""
    CheckItem.objects.create(campaign=campaign, code="X7:2024-07", name="七月拓新", measure=CheckMeasure.NEW_MERCHANTS,
                             starts_at=beijing(2024, 7, 1), ends_at=beijing(2024, 7, 15, 23, 59, 59), threshold=2,
                             due_at=beijing(2024, 7, 20))
    one = LeaderFactory(campaign=campaign, leader_account="P01")
    MerchantFactory(leader=one, opened_at=beijing(2024, 7, 2))
    two = LeaderFactory(campaign=campaign, leader_account="P02")
    MerchantFactory(leader=two, opened_at=beijing(2024, 7, 2))
    MerchantFactory(leader=two, opened_at=beijing(2024, 7, 3))

    with time_machine.travel(beijing(2024, 6, 30, 23, 59, 59), tick=False):
        before = viewer.get(reverse(BOARD_URL)).context["items_at_risk"]
    with time_machine.travel(beijing(2024, 7, 15, 23, 59, 59), tick=False):
        response = viewer.get(reverse(BOARD_URL))
    with time_machine.travel(beijing(2024, 7, 16), tick=False):
        after = viewer.get(reverse(BOARD_URL)).context["items_at_risk"]

    assert before == [] and after == []
    assert [(row.check, row.leader.leader_account, row.figures[0].label, row.figures[0].value,
             row.figures[0].threshold, row.days_left) for row in response.context["items_at_risk"]] == [
        ("七月拓新", "P01", "新商家数", 1, 2, 1)]
    assert "新增考核项未达标" in response.text and "2024-07-15 23:59:59" in response.text


def test_board_at_risk_on_the_last_second_of_the_month_and_none_after(viewer, june):
    with time_machine.travel(beijing(2024, 6, 30, 23, 59, 59), tick=False):
        last_second = viewer.get(reverse(BOARD_URL)).context
    with time_machine.travel(beijing(2024, 7, 1), tick=False):
        next_month = viewer.get(reverse(BOARD_URL)).context

    assert [(row.leader.leader_account, row.days_left) for row in last_second["basic_at_risk"]] == [("P01", 1)]
    assert next_month["month"].code == "basic:2024-07"
    # July has just started: both leaders in probation are below every July threshold.
    assert [row.leader.leader_account for row in next_month["basic_at_risk"]] == ["P01", "P02"]


def test_board_is_refused_to_staff_without_the_view_permission(client, june):
    client.force_login(staff_with("probation.add_dataimport"))

    assert client.get(reverse(BOARD_URL)).status_code == 403


# Deciding (data mark, preview, recheck) and violations: tests/probation/test_admin_decisions.py


def test_leader_change_page_shows_the_figures_of_each_check(viewer, campaign, leader):
    call_command("evaluate_probation", "--as-of", "2024-06-01T00:00:00", stdout=io.StringIO())

    response = viewer.get(reverse("admin:probation_leader_change", args=[leader.pk]))

    assert response.status_code == 200
    # Figures by their names (issue 13: "gmv: 0.00 / ≥ 10000.00" read as code), thresholds after "≥".
    assert "招商效果（GMV，元）：0.00 / ≥ 10000.00" in response.text
    assert "新商家数：0 / ≥ 2" in response.text
    assert "纳新专项考核：阶段节点" in response.text
