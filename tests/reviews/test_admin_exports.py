"""The applications export as a workbook a reviewer takes offline (``reviews.admin.exports``): the applications,
their cases, the filing, the risk result and the scores, one sheet each keyed by the application number, and
only what the exporting role sees: masked numbers stay masked, a judge sees the scores of an application only
once their own sheet is in, roles without filings, risk results or scores get no such sheet."""

import io
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from applications.enums import ApplicationStatus
from audit.models import AuditEvent
from recruitment.timeutils import BEIJING, beijing
from reviews.roles import CAMPAIGN_ADMIN, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import CooperationCaseFactory
from tests.reviews.factories import (
    FilingFactory,
    FinalReviewApplicationFactory,
    RubricCriterionFactory,
    ScoreFactory,
    ScoreSheetFactory,
    judge_of,
    staff_with_role,
)
from tests.security.test_admin_matrix import export_form_data

pytestmark = pytest.mark.django_db

EXPORT = "admin:applications_application_export"
ID_NUMBER, ID_MASKED = "11010519491231002X", "110105********002X"
MOBILE, MOBILE_MASKED = "13811112222", "138****2222"
CAMPAIGN_NAME = "淘宝联盟拓客型招商团长招募·纳新2.0（2024）"


@pytest.fixture
def world(campaign):
    """Two finalists and one application still in round 2, with cases, filings, a risk result and scores.

    ``judge1`` scored the first finalist, ``judge2`` both, ``judge3`` sits on the committee and scored nothing.
    """
    judge1 = judge_of(campaign, username="judge1")
    judge2 = judge_of(campaign, username="judge2")
    judge3 = judge_of(campaign, username="judge3")
    first = FinalReviewApplicationFactory(campaign=campaign, company_name="杭州一号", mobile=MOBILE)
    second = FinalReviewApplicationFactory(campaign=campaign, company_name="宁波二号")
    in_round2 = FilingFactory(
        application__campaign=campaign, application__company_name="温州三号",
        legal_representative_id_number="110105199001010011",
    ).application
    CooperationCaseFactory(application=first, merchant_name="三只松鼠旗舰店", gmv=Decimal("120.50"))
    CooperationCaseFactory(application=second, merchant_name="义乌袜业工厂", gmv=None)
    with time_machine.travel(beijing(2024, 4, 26, 9, 0, 5), tick=False):
        FilingFactory(application=first, legal_representative_id_number=ID_NUMBER)
    with time_machine.travel(beijing(2024, 4, 26, 9, 1, 7), tick=False):
        first.risk_assessments.create(passed=True, results=[
            {"code": "max_associated_accounts", "parameter": 3, "passed": True,
             "data": {"associated_accounts": 2, "limit": 3}},
        ])
    resources = RubricCriterionFactory(campaign=campaign, name="新商家资源", position=1)
    cases = RubricCriterionFactory(campaign=campaign, name="案例质量", position=2)
    sheets = {}
    for application, judge, score, values, minute in (
        (first, judge1, "86.50", (9, 8), 1),
        (first, judge2, "78.00", (8, 7), 2),
        (second, judge2, "90.00", (10, 8), 3),
    ):
        with time_machine.travel(beijing(2024, 4, 28, 10, minute, 30), tick=False):
            sheet = ScoreSheetFactory(application=application, reviewer=judge, weighted_score=Decimal(score),
                                      comment=f"{judge.username} 的评语")
        ScoreFactory(sheet=sheet, criterion=resources, value=values[0])
        ScoreFactory(sheet=sheet, criterion=cases, value=values[1])
        sheets[(application.pk, judge.username)] = sheet
    return SimpleNamespace(campaign=campaign, first=first, second=second, in_round2=in_round2,
                           judges={"judge1": judge1, "judge2": judge2, "judge3": judge3})


def export(client, admin_client, campaign, *, language=None):
    data = export_form_data(admin_client.get(reverse(EXPORT)).context["form"])
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(beijing(2026, 11, 30, 10), tick=False):
        response = client.post(f"{reverse(EXPORT)}?campaign__id__exact={campaign.pk}", {**data, "format": "1"})
    assert response.status_code == 200
    return response, openpyxl.load_workbook(io.BytesIO(response.content))


def values(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def column(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    return [row[headers.index(header)].value for row in sheet.iter_rows(min_row=2)]


def login(client, user):
    client.force_login(user)
    return user


# --- What each role gets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sheets"),
    [
        (CAMPAIGN_ADMIN, ["申请", "历史合作案例", "系统备案", "风险评估", "评分表"]),
        (RISK_OFFICER, ["申请", "历史合作案例", "系统备案", "风险评估"]),
        (ROUND1_REVIEWER, ["申请", "历史合作案例"]),
        (OPERATIONS, ["申请", "历史合作案例"]),
    ],
)
def test_each_role_gets_the_sheets_it_may_see(client, admin_client, world, role, sheets):
    login(client, staff_with_role(role))

    _response, book = export(client, admin_client, world.campaign)

    assert book.sheetnames == sheets


def test_a_judge_gets_every_sheet_limited_to_the_committee_round3_applications(client, admin_client, world):
    login(client, world.judges["judge1"])

    _response, book = export(client, admin_client, world.campaign)

    assert book.sheetnames == ["申请", "历史合作案例", "系统备案", "风险评估", "评分表"]
    # The filing of an application still in round 2 is not on a judge's score page, so not in the export.
    assert column(book["系统备案"], "申请编号") == [world.first.pk]
    assert column(book["风险评估"], "申请编号") == [world.first.pk]


def test_every_sheet_is_keyed_by_the_application_number_in_its_first_column(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))

    _response, book = export(client, admin_client, world.campaign)

    assert {name: book[name]["A1"].value for name in book.sheetnames} == dict.fromkeys(book.sheetnames, "申请编号")
    assert sorted(column(book["申请"], "申请编号")) == sorted([world.first.pk, world.second.pk, world.in_round2.pk])
    assert column(book["历史合作案例"], "申请编号") == sorted([world.first.pk, world.second.pk])
    assert [cell.data_type for cell in book["申请"]["A"][1:]] == ["n", "n", "n"]


def test_the_application_number_leads_even_when_its_column_is_not_ticked(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))
    data = {"format": "1", "resource": "0", "applicationresource_company_name": "on"}

    response = client.post(f"{reverse(EXPORT)}?campaign__id__exact={world.campaign.pk}", data)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["申请"]
    assert sorted(values(sheet)[1:]) == sorted([[world.first.pk, "杭州一号"], [world.second.pk, "宁波二号"],
                                                [world.in_round2.pk, "温州三号"]])
    assert values(sheet)[0] == ["申请编号", "公司名称"]


# --- Exact cells --------------------------------------------------------------------------------------------


def test_cases_sheet_holds_numbers_as_numbers(client, admin_client, world):
    login(client, staff_with_role(ROUND1_REVIEWER))

    _response, book = export(client, admin_client, world.campaign)

    sheet = book["历史合作案例"]
    assert values(sheet) == [
        ["申请编号", "商家或品牌", "平台", "行业", "合作时间", "成交额（万元）", "合作内容与成果"],
        [world.first.pk, "三只松鼠旗舰店", "抖音", "食品", "2023-06 至 2023-11", 120.5,
         "负责商家招募与直播排期，半年成交 120 万元"],
        [world.second.pk, "义乌袜业工厂", "抖音", "食品", "2023-06 至 2023-11", None,
         "负责商家招募与直播排期，半年成交 120 万元"],
    ]
    assert (sheet["F2"].data_type, sheet["F2"].number_format) == ("n", "0.00")


@pytest.mark.parametrize(("role", "id_number"), [(CAMPAIGN_ADMIN, ID_NUMBER), (RISK_OFFICER, ID_NUMBER),
                                                 ("judge1", ID_MASKED)])
def test_filing_sheet_masks_the_id_number_for_roles_that_see_it_masked(client, admin_client, world, role,
                                                                       id_number):
    login(client, world.judges[role] if role.startswith("judge") else staff_with_role(role))

    _response, book = export(client, admin_client, world.campaign)

    sheet = book["系统备案"]
    first = [row for row in values(sheet)[1:] if row[0] == world.first.pk]
    assert values(sheet)[0] == [
        "申请编号", "法定代表人", "法定代表人身份证号码", "注册地址", "经营地址", "结算账户户名", "已确认关联账号",
        "已同意管理规范", "备案时间",
    ]
    assert first == [[world.first.pk, "王芳", id_number, "浙江省杭州市余杭区文一西路 969 号",
                      "浙江省杭州市余杭区文一西路 969 号 3 楼", "杭州一号", "是", "是", datetime(2024, 4, 26, 9, 0, 5)]]
    assert sheet["I2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_risk_sheet_names_each_rule_its_verdict_and_data(client, admin_client, world):
    login(client, staff_with_role(RISK_OFFICER))

    _response, book = export(client, admin_client, world.campaign)

    assert values(book["风险评估"]) == [
        ["申请编号", "评估时间", "风险评估结论", "规则", "结果", "依据数据"],
        [world.first.pk, datetime(2024, 4, 26, 9, 1, 7), "通过", "关联账号不超过 3 个", "通过",
         "关联账号：2；上限：3"],
    ]


def test_risk_sheet_holds_only_the_latest_assessment_and_a_verdict_without_rules(client, admin_client, world):
    with time_machine.travel(beijing(2024, 4, 26, 9, 30), tick=False):
        world.in_round2.risk_assessments.create(passed=True, results=[
            {"code": "company_entity", "passed": False, "data": {"entity_type": "individual"}},
        ])
    with time_machine.travel(beijing(2024, 4, 26, 10, 0, 59), tick=False):
        world.in_round2.risk_assessments.create(passed=True, results=[])
    login(client, staff_with_role(RISK_OFFICER))

    _response, book = export(client, admin_client, world.campaign)

    rows = [row for row in values(book["风险评估"])[1:] if row[0] == world.in_round2.pk]
    assert rows == [[world.in_round2.pk, datetime(2024, 4, 26, 10, 0, 59), "通过", None, None, None]]


def test_campaign_admin_sees_every_score_sheet(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))

    _response, book = export(client, admin_client, world.campaign)

    sheet = book["评分表"]
    assert values(sheet) == [
        ["申请编号", "审核人", "提交时间", "加权得分", "新商家资源", "案例质量", "评语"],
        [world.first.pk, "judge1", datetime(2024, 4, 28, 10, 1, 30), 86.5, 9, 8, "judge1 的评语"],
        [world.first.pk, "judge2", datetime(2024, 4, 28, 10, 2, 30), 78, 8, 7, "judge2 的评语"],
        [world.second.pk, "judge2", datetime(2024, 4, 28, 10, 3, 30), 90, 10, 8, "judge2 的评语"],
    ]
    assert [(c.data_type, c.number_format) for c in sheet[2]][2:6] == [
        ("d", "yyyy-mm-dd hh:mm:ss"), ("n", "0.00"), ("n", "0"), ("n", "0"),
    ]


@pytest.mark.parametrize(
    ("judge", "seen"),
    [
        ("judge1", [("first", "judge1"), ("first", "judge2")]),  # not the second: judge1 has not scored it
        ("judge2", [("first", "judge1"), ("first", "judge2"), ("second", "judge2")]),
        ("judge3", []),  # on the committee, no sheet of their own: no one else's score
    ],
)
def test_a_judge_sees_the_scores_of_an_application_only_after_their_own(client, admin_client, world, judge, seen):
    login(client, world.judges[judge])

    _response, book = export(client, admin_client, world.campaign)

    numbers = {world.first.pk: "first", world.second.pk: "second"}
    rows = values(book["评分表"])[1:]
    assert [(numbers[row[0]], row[1]) for row in rows] == seen


@pytest.mark.parametrize(("role", "mobile"), [(CAMPAIGN_ADMIN, MOBILE), (OPERATIONS, MOBILE),
                                              (ROUND1_REVIEWER, MOBILE_MASKED), (RISK_OFFICER, MOBILE_MASKED)])
def test_applications_sheet_masks_the_mobile_for_roles_that_see_it_masked(client, admin_client, world, role, mobile):
    login(client, staff_with_role(role))

    _response, book = export(client, admin_client, world.campaign)

    rows = {row[0]: row for row in values(book["申请"])[1:]}
    headers = values(book["申请"])[0]
    assert rows[world.first.pk][headers.index("联系人手机号")] == mobile


def test_applications_sheet_types_numbers_and_times(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))
    world.first.registered_capital = Decimal("500.00")
    world.first.save(update_fields=["registered_capital"])

    _response, book = export(client, admin_client, world.campaign)

    sheet = book["申请"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == world.first.pk)
    capital = row[headers.index("注册资本（万元）")]
    submitted = row[headers.index("提交时间")]
    incorporated = row[headers.index("成立日期")]
    cases = row[headers.index("合作案例数")]
    assert (capital.value, capital.data_type, capital.number_format) == (500, "n", "0.00")
    assert (submitted.value, submitted.data_type, submitted.number_format) == (
        world.first.submitted_at.astimezone(BEIJING).replace(tzinfo=None), "d",
        "yyyy-mm-dd hh:mm:ss",
    )
    assert (incorporated.data_type, incorporated.number_format) == ("d", "yyyy-mm-dd")
    assert (cases.value, cases.data_type, cases.number_format) == (1, "n", "0")


# --- Language, file name, audit -----------------------------------------------------------------------------


def test_the_workbook_is_named_and_headed_in_chinese(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))

    response, _book = export(client, admin_client, world.campaign)

    assert response["Content-Disposition"] == (
        f'attachment; filename="applications-2024-nx2-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote(f'申请-{CAMPAIGN_NAME}-2026-11-30.xlsx')}"
    )


def test_the_workbook_is_named_and_headed_in_english_for_staff_who_chose_english(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))

    response, book = export(client, admin_client, world.campaign, language="en")

    assert book.sheetnames == ["Applications", "Cooperation cases", "Filings", "Risk assessments", "Score sheets"]
    assert [c.value for c in book["Score sheets"][1]] == [
        "Application number", "Reviewer", "Submitted at", "Weighted score", "新商家资源", "案例质量", "Comment",
    ]
    assert values(book["Risk assessments"])[1][2:5] == ["passed", "At most 3 associated accounts", "passed"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="applications-2024-nx2-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote(f'Applications-{CAMPAIGN_NAME}-2026-11-30.xlsx')}"
    )


def test_the_csv_export_is_the_applications_sheet_named_the_same_way(client, admin_client, world):
    login(client, staff_with_role(CAMPAIGN_ADMIN))
    data = export_form_data(admin_client.get(reverse(EXPORT)).context["form"])

    with time_machine.travel(beijing(2026, 11, 30, 23, 59, 59), tick=False):
        response = client.post(f"{reverse(EXPORT)}?campaign__id__exact={world.campaign.pk}", data)

    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("申请编号,活动,状态,提交时间,")
    assert response["Content-Disposition"] == (
        f'attachment; filename="applications-2024-nx2-2026-11-30.csv"; '
        f"filename*=UTF-8''{quote(f'申请-{CAMPAIGN_NAME}-2026-11-30.csv')}"
    )


def test_the_workbook_export_is_audited_once(client, admin_client, world):
    user = login(client, staff_with_role(RISK_OFFICER))

    export(client, admin_client, world.campaign)

    events = list(AuditEvent.objects.filter(action="export_applications").values_list("actor", "details"))
    assert events == [(user.pk, {"model": "applications.Application", "format": "xlsx", "rows": 3,
                                 "filters": {"campaign__id__exact": str(world.campaign.pk)}})]


def test_the_workbook_needs_a_constant_number_of_queries(client, admin_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, staff_with_role(CAMPAIGN_ADMIN))
    with CaptureQueriesContext(connection) as few:
        export(client, admin_client, world.campaign)
    for n in range(4):
        application = FinalReviewApplicationFactory(campaign=world.campaign, status=ApplicationStatus.FINAL_REVIEW)
        CooperationCaseFactory(application=application)
        FilingFactory(application=application)
        application.risk_assessments.create(passed=False, results=[{"code": "company_entity", "passed": n % 2 == 0}])
        ScoreSheetFactory(application=application, reviewer=world.judges["judge1"])

    with CaptureQueriesContext(connection) as many:
        export(client, admin_client, world.campaign)

    export_queries = [q for q in few.captured_queries if "django_session" not in q["sql"]]
    assert len([q for q in many.captured_queries if "django_session" not in q["sql"]]) == len(export_queries)
