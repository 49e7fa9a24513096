"""Round 3 in the admin: the queue, the score page, the ranking, decisions, publication, export, rubric."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application
from notifications.models import Notification
from recruitment.timeutils import beijing
from reviews import final, publication
from reviews.enums import CallOutcome
from reviews.models import CommitteeMember, RiskAssessment, RubricCriterion, ScoreSheet
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CooperationCaseFactory
from tests.reviews.factories import (
    CallAttemptFactory,
    FilingFactory,
    FinalReviewApplicationFactory,
    PhoneTaskFactory,
    ScoreSheetFactory,
    judge_of,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
QUEUE = "admin:reviews_finalreviewqueue_changelist"
RANKING = "admin:reviews_ranking"
DECIDE = "admin:reviews_ranking_decide"
PUBLISH = "admin:reviews_ranking_publish"
EXPORT = "admin:reviews_ranking_export"
CAMPAIGN_FILE_NAME = "淘宝联盟拓客型招商团长招募·纳新2.0（2024）"  # the 2024 campaign's name as a file name
OTHER_ROLES = [ROUND1_REVIEWER, RISK_OFFICER, OPERATIONS]


def score_url(application):
    return reverse("admin:reviews_finalreviewqueue_score", args=[application.pk])


def login(client, role, **kwargs):
    """A staff user of ``role`` logged in; a final committee member sits on the 2024 campaign's committee."""
    user = judge_of(CampaignFactory(), **kwargs) if role == FINAL_COMMITTEE else staff_with_role(role, **kwargs)
    client.force_login(user)
    return user


@pytest.fixture
def rubric(campaign):
    return final.rubric_of(campaign)


@pytest.fixture
def finalist(campaign):
    application = FinalReviewApplicationFactory(
        campaign=campaign,
        company_name="杭州终审一号科技有限公司",
        alliance_account="mm_final_1",
        new_merchant_examples="义乌袜业源头工厂 12 家",
    )
    CooperationCaseFactory(application=application, merchant_name="三只松鼠旗舰店")
    AttachmentFactory(application=application, original_name="营业执照.pdf")
    return application


def sheet_form(rubric, values, comment="资源扎实"):
    data = {f"criterion_{c.pk}": str(v) for c, v in zip(rubric, values, strict=True)}
    data["comment"] = comment
    return data


# --- The queue ---------------------------------------------------------------------------------------------


def test_member_sees_the_round_3_queue_without_the_others_scores(client, campaign, finalist):
    login(client, FINAL_COMMITTEE)
    ScoreSheetFactory(application=finalist, weighted_score=Decimal("91.00"))
    ApplicationFactory(campaign=campaign, status=S.RISK_REVIEW)

    response = client.get(reverse(QUEUE))

    assert response.status_code == 200
    cl = response.context["cl"]
    assert list(cl.result_list) == [finalist]
    assert [h["text"] for h in result_headers(cl)] == [
        "公司名称", "淘宝联盟账号", "提交时间", "我的加权得分", "评分页",
    ]
    assertContains(response, "尚未评分")
    assertNotContains(response, "91.00")
    assertNotContains(response, 'id="ranking-link"')


def test_member_sees_their_own_weighted_score_in_the_queue(client, finalist):
    member = login(client, FINAL_COMMITTEE)
    ScoreSheetFactory(application=finalist, reviewer=member, weighted_score=Decimal("73.50"))

    response = client.get(reverse(QUEUE))

    assertContains(response, '<td class="field-my_score_display">73.50</td>', html=True)


def test_campaign_admin_sees_counts_means_and_decisions_in_the_queue(client, campaign, finalist):
    login(client, CAMPAIGN_ADMIN)
    ScoreSheetFactory(application=finalist, weighted_score=Decimal("91.00"))
    ScoreSheetFactory(application=finalist, weighted_score=Decimal("80.00"))

    response = client.get(reverse(QUEUE))

    cl = response.context["cl"]
    assert [h["text"] for h in result_headers(cl)][1:] == [
        "公司名称", "淘宝联盟账号", "提交时间", "我的加权得分", "评分表数", "平均分", "待定决定", "评分页",
    ]
    assertContains(response, "85.50")
    assertContains(response, f'<a href="{reverse(RANKING)}" id="ranking-link">终审排名</a>', html=True)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_on_the_queue(client, finalist, role):
    login(client, role)

    assert client.get(reverse(QUEUE)).status_code == 403


def test_the_not_scored_by_me_filter(client, campaign, finalist):
    member = login(client, FINAL_COMMITTEE)
    scored = FinalReviewApplicationFactory(campaign=campaign)
    ScoreSheetFactory(application=scored, reviewer=member)

    mine = client.get(reverse(QUEUE), {"mine": "yes"})
    not_mine = client.get(reverse(QUEUE), {"mine": "no"})

    assert (list(mine.context["cl"].result_list), list(not_mine.context["cl"].result_list)) == ([scored], [finalist])


@pytest.mark.parametrize(("role", "filters"), [
    (FINAL_COMMITTEE, ["活动", "我的评分表"]),
    (CAMPAIGN_ADMIN, ["活动", "待定决定"]),
])
def test_queue_filters_are_those_of_the_role(client, finalist, role, filters):
    CampaignFactory(slug="2025-nx3", is_current=False)  # two campaigns: the campaign filter has a choice
    login(client, role)

    response = client.get(reverse(QUEUE))

    assert [str(spec.title) for spec in response.context["cl"].filter_specs] == filters


def test_the_campaign_admin_filters_by_pending_decision(client, campaign, finalist):
    selected = FinalReviewApplicationFactory(campaign=campaign, pending_decision=PendingDecision.SELECTED)
    FinalReviewApplicationFactory(campaign=campaign, pending_decision=PendingDecision.NOT_SELECTED)
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(QUEUE), {"pending_decision": "selected"})
    undecided = client.get(reverse(QUEUE), {"pending_decision": ""})

    assert list(response.context["cl"].result_list) == [selected]
    assert list(undecided.context["cl"].result_list) == [finalist]


@pytest.mark.parametrize(("role", "query"), [
    (FINAL_COMMITTEE, {"pending_decision": "selected"}),
    (CAMPAIGN_ADMIN, {"mine": "no"}),
])
def test_a_filter_not_shown_to_the_role_is_refused(client, finalist, role, query):
    login(client, role)

    assert client.get(reverse(QUEUE), query).status_code == 400


def test_the_change_link_leads_to_the_score_page(client, finalist):
    login(client, FINAL_COMMITTEE)

    response = client.get(reverse("admin:reviews_finalreviewqueue_change", args=[finalist.pk]))

    assert (response.status_code, response["Location"]) == (302, score_url(finalist))


# --- The score page ------------------------------------------------------------------------------------------


def test_score_page_shows_answers_cases_files_and_the_rubric_form(client, finalist, rubric):
    login(client, FINAL_COMMITTEE)

    response = client.get(score_url(finalist))

    assert response.status_code == 200
    assertContains(response, "杭州终审一号科技有限公司")
    assertContains(response, "义乌袜业源头工厂 12 家")
    assertContains(response, "三只松鼠旗舰店")
    attachment = finalist.attachments.get()
    assertContains(response, f'<a href="{reverse("applications:attachment", args=[attachment.pk])}">营业执照.pdf</a>')
    for criterion in rubric:
        assertContains(response, f'name="criterion_{criterion.pk}"', count=1)
    assertContains(response, 'name="comment"', count=1)
    assertContains(response, "您提交自己的评分表后，才会显示其他委员的评分。")
    assert ScoreSheet.objects.count() == 0


def test_member_submits_a_sheet_and_then_sees_every_sheet(client, finalist, rubric):
    member = login(client, FINAL_COMMITTEE, username="member-a")
    ScoreSheetFactory(application=finalist, comment="另一位委员的评语", weighted_score=Decimal("90.00"))
    before = client.get(score_url(finalist))

    response = client.post(score_url(finalist), sheet_form(rubric, [8, 6, 9, 7, 5]))

    assert (response.status_code, response["Location"]) == (302, score_url(finalist))
    sheet = ScoreSheet.objects.get(reviewer=member)
    assert (sheet.weighted_score, sheet.comment) == (Decimal("73.00"), "资源扎实")
    after = client.get(score_url(finalist))
    assertNotContains(before, "另一位委员的评语")
    assertContains(after, "另一位委员的评语")
    assertContains(after, '<td class="num" id="mean-score">81.50</td>', html=True)
    assertNotContains(after, 'name="comment"')


def test_an_invalid_sheet_is_shown_again_and_nothing_is_written(client, finalist, rubric):
    login(client, FINAL_COMMITTEE)

    missing_comment = client.post(score_url(finalist), sheet_form(rubric, [8, 6, 9, 7, 5], comment=""))
    out_of_range = client.post(score_url(finalist), sheet_form(rubric, [8, 6, 11, 7, 5]))

    assert (missing_comment.status_code, out_of_range.status_code) == (200, 200)
    assert missing_comment.context["form"].errors["comment"] == ["这个字段是必填项。"]
    assert list(out_of_range.context["form"].errors) == [f"criterion_{rubric[2].pk}"]
    assert ScoreSheet.objects.count() == 0


def test_a_second_post_by_the_same_member_changes_nothing(client, finalist, rubric):
    member = login(client, FINAL_COMMITTEE)
    client.post(score_url(finalist), sheet_form(rubric, [8, 6, 9, 7, 5]))

    client.post(score_url(finalist), sheet_form(rubric, [1, 1, 1, 1, 1], comment="改分"))

    assert list(ScoreSheet.objects.values_list("reviewer", "weighted_score")) == [(member.pk, Decimal("73.00"))]


def test_campaign_admin_sees_every_sheet_but_cannot_score(client, finalist, rubric):
    login(client, CAMPAIGN_ADMIN)
    ScoreSheetFactory(application=finalist, comment="委员评语")

    page = client.get(score_url(finalist))
    post = client.post(score_url(finalist), sheet_form(rubric, [8, 6, 9, 7, 5]))

    assertContains(page, "委员评语")
    assertNotContains(page, 'name="comment"')
    assert post.status_code == 403
    assert ScoreSheet.objects.count() == 1


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_open_or_post_the_score_page(client, finalist, rubric, role):
    login(client, role)

    get = client.get(score_url(finalist))
    post = client.post(score_url(finalist), sheet_form(rubric, [8, 6, 9, 7, 5]))

    assert (get.status_code, post.status_code) == (403, 403)
    assert ScoreSheet.objects.count() == 0


def test_score_page_of_an_application_not_in_round_3_is_404(client, campaign):
    login(client, FINAL_COMMITTEE)

    response = client.get(score_url(ApplicationFactory(campaign=campaign, status=S.RISK_REVIEW)))

    assert response.status_code == 404


# --- Ranking, decisions --------------------------------------------------------------------------------------


@pytest.fixture
def ranked(campaign):
    """Two applications scored by the whole committee (one judge), one not scored."""
    judge = judge_of(campaign, username="judge-ranked")
    top = FinalReviewApplicationFactory(campaign=campaign, company_name="第一名公司")
    ScoreSheetFactory(application=top, reviewer=judge, weighted_score=Decimal("92.50"))
    second = FinalReviewApplicationFactory(campaign=campaign, company_name="第二名公司")
    ScoreSheetFactory(application=second, reviewer=judge, weighted_score=Decimal("80.00"))
    unscored = FinalReviewApplicationFactory(campaign=campaign, company_name="未评分公司")
    return top, second, unscored


def test_campaign_admin_sees_the_ranking_with_decision_buttons(client, campaign, ranked):
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(RANKING))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.application.company_name, e.rank, e.mean) for e in entries] == [
        ("第一名公司", 1, Decimal("92.50")), ("第二名公司", 2, Decimal("80.00")), ("未评分公司", None, None),
    ]
    assertContains(response, "名额：50，剩余名额：50。")
    assertContains(response, 'value="select"', count=3)
    assertContains(response, "公示结果")


@pytest.mark.parametrize("role", [FINAL_COMMITTEE, *OTHER_ROLES])
def test_other_roles_get_403_on_the_ranking_decisions_publication_and_export(client, ranked, role):
    login(client, role)
    top = ranked[0]

    responses = [
        client.get(reverse(RANKING)),
        client.post(reverse(DECIDE), {"application": top.pk, "decision": "select"}),
        client.get(reverse(PUBLISH)),
        client.post(reverse(PUBLISH), {"confirm": "yes"}),
        client.get(reverse(EXPORT)),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    top.refresh_from_db()
    assert top.pending_decision == ""


def test_select_not_select_and_clear_from_the_ranking(client, ranked):
    admin_user = login(client, CAMPAIGN_ADMIN)
    top, second, _unscored = ranked

    select = client.post(reverse(DECIDE), {"application": top.pk, "decision": "select"})
    client.post(reverse(DECIDE), {"application": second.pk, "decision": "not_select"})
    top.refresh_from_db()
    second.refresh_from_db()
    assert (top.pending_decision, top.decided_by, second.pending_decision) == ("selected", admin_user, "not_selected")
    assert select.status_code == 302

    client.post(reverse(DECIDE), {"application": top.pk, "decision": "clear"})

    top.refresh_from_db()
    assert top.pending_decision == ""


def test_selecting_beyond_the_seats_from_the_ranking_is_refused(client, campaign, ranked):
    login(client, CAMPAIGN_ADMIN)
    campaign.seats = 1
    campaign.save()
    top, second, _unscored = ranked
    client.post(reverse(DECIDE), {"application": top.pk, "decision": "select"})

    response = client.post(reverse(DECIDE), {"application": second.pk, "decision": "select"}, follow=True)

    second.refresh_from_db()
    assert second.pending_decision == ""
    assertContains(response, "1 个名额已满：请先清除其他入选决定。")


def test_a_get_on_decide_changes_nothing(client, ranked):
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(DECIDE), {"application": ranked[0].pk, "decision": "select"})

    assert response.status_code == 405
    assert Application.objects.exclude(pending_decision="").count() == 0


def test_queue_actions_record_decisions_for_the_campaign_admin_only(client, ranked):
    top, second, _unscored = ranked
    client.force_login(staff_with_role(FINAL_COMMITTEE))
    refused = client.post(reverse(QUEUE), {"action": "select_applications", "_selected_action": [top.pk]})
    assert Application.objects.exclude(pending_decision="").count() == 0
    assert refused.status_code == 200  # the action is not offered: "no action selected"

    login(client, CAMPAIGN_ADMIN)
    client.post(reverse(QUEUE), {"action": "select_applications", "_selected_action": [top.pk, second.pk]})

    assert sorted(Application.objects.filter(pending_decision="selected").values_list("pk", flat=True)) == sorted(
        [top.pk, second.pk]
    )


# --- Publication ---------------------------------------------------------------------------------------------


@pytest.fixture
def decided(ranked, campaign):
    admin_user = staff_with_role(CAMPAIGN_ADMIN)
    top, second, unscored = ranked
    publication.record_decision(top, actor=admin_user, decision=PendingDecision.SELECTED)
    publication.record_decision(second, actor=admin_user, decision=PendingDecision.NOT_SELECTED)
    publication.record_decision(unscored, actor=admin_user, decision=PendingDecision.NOT_SELECTED)
    return ranked


def test_publish_asks_for_confirmation_then_publishes(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)

    with time_machine.travel(beijing(2024, 5, 6, 10), tick=False):
        confirm = client.get(reverse(PUBLISH))
        unconfirmed = client.post(reverse(PUBLISH), {"campaign": campaign.pk})
        campaign.refresh_from_db()
        assert campaign.published_at is None
        done = client.post(reverse(PUBLISH), {"campaign": campaign.pk, "confirm": "yes"}, follow=True)

    assertContains(confirm, "1 个申请将入选，其账号获得试用期团长权限；")
    assert unconfirmed.status_code == 302
    campaign.refresh_from_db()
    assert campaign.published_at == beijing(2024, 5, 6, 10)
    assert [e.application.status for e in done.context["entries"]] == [S.SELECTED, S.NOT_SELECTED, S.NOT_SELECTED]
    assertContains(done, "结果已公示。")
    assert Notification.objects.values("application").distinct().count() == 3


def test_publish_before_the_results_date_shows_why_and_changes_nothing(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)

    with time_machine.travel(beijing(2024, 5, 5, 23, 59, 59), tick=False):
        confirm = client.get(reverse(PUBLISH))
        post = client.post(reverse(PUBLISH), {"campaign": campaign.pk, "confirm": "yes"}, follow=True)

    assertContains(confirm, "结果公示时间 2024-05-06 00:00:00（北京时间）之前不能公示结果。")
    assertNotContains(confirm, 'name="confirm"')
    assertContains(post, "结果公示时间 2024-05-06 00:00:00（北京时间）之前不能公示结果。")
    campaign.refresh_from_db()
    assert campaign.published_at is None
    assert Notification.objects.count() == 0


# --- Export ---------------------------------------------------------------------------------------------------


def test_export_csv_of_the_ranking_has_chinese_headers_scores_and_decisions(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)

    with time_machine.travel(beijing(2026, 11, 30, 9), tick=False):
        response = client.get(reverse(EXPORT), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="ranking-2024-nx2-2026-11-30.csv"; '
        f"filename*=UTF-8''{quote(f'终审排名-{CAMPAIGN_FILE_NAME}-2026-11-30.csv')}"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "排名", "公司名称", "淘宝联盟账号", "统一社会信用代码", "状态", "平均分", "评分表数",
        "评分明细（评分人：加权得分）", "待定决定", "决定人", "决定时间",
        "未评分的终审委员", "未收齐评分表即择优通过的理由",
    ]
    top = decided[0]
    assert rows[1][:7] == ["1", "第一名公司", top.alliance_account, top.credit_code, "终审中", "92.50", "1"]
    assert rows[1][8] == "拟入选"
    assert [row[0] for row in rows[1:]] == ["1", "2", ""]


def test_export_xlsx_has_the_same_header_and_writes_nothing(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)
    before = list(Application.objects.order_by("pk").values_list("status", "pending_decision"))

    response = client.get(reverse(EXPORT), {"format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["排名", "公司名称", "淘宝联盟账号"]
    assert sheet.max_row == 4
    assert list(Application.objects.order_by("pk").values_list("status", "pending_decision")) == before


def test_export_xlsx_types_ranks_scores_and_the_decision_time(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)
    top = decided[0]
    Application.objects.filter(pk=top.pk).update(decided_at=beijing(2024, 4, 29, 23, 59, 59))

    with time_machine.travel(beijing(2026, 11, 30, 9), tick=False):
        response = client.get(reverse(EXPORT), {"format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = sheet[2]
    assert [(c.value, c.data_type, c.number_format) for c in (row[0], row[5], row[6], row[10])] == [
        (1, "n", "0"),
        (92.5, "n", "0.00"),
        (1, "n", "0"),
        (datetime(2024, 4, 29, 23, 59, 59), "d", "yyyy-mm-dd hh:mm:ss"),
    ]
    assert sheet.title == "终审排名"
    assert response["Content-Disposition"] == (
        'attachment; filename="ranking-2024-nx2-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote(f'终审排名-{CAMPAIGN_FILE_NAME}-2026-11-30.xlsx')}"
    )


def test_export_of_the_ranking_in_english_for_staff_who_chose_english(client, campaign, decided):
    login(client, CAMPAIGN_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with time_machine.travel(beijing(2026, 11, 30, 9), tick=False):
        response = client.get(reverse(EXPORT), {"format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Rank", "Company name", "Taobao Alliance account"]
    assert response["Content-Disposition"].endswith(
        "filename*=UTF-8''" + quote(f"Ranking-{CAMPAIGN_FILE_NAME}-2026-11-30.xlsx")
    )


# --- Rubric ---------------------------------------------------------------------------------------------------


def test_campaign_admin_edits_a_weight_until_scoring_starts(client, campaign, rubric, finalist):
    login(client, CAMPAIGN_ADMIN)
    criterion = rubric[0]
    url = reverse("admin:reviews_rubriccriterion_change", args=[criterion.pk])
    data = {
        "campaign": campaign.pk, "position": 0, "name": criterion.name, "description": criterion.description,
        "weight": 20, "max_score": 10,
    }

    edited = client.post(url, data)
    criterion.refresh_from_db()
    assert (edited.status_code, criterion.weight) == (302, 20)
    ScoreSheetFactory(application=finalist)

    locked = client.post(url, {**data, "weight": 40})

    criterion.refresh_from_db()
    assert (locked.status_code, criterion.weight) == (403, 20)


def test_no_criterion_is_added_once_scoring_started(client, campaign, finalist):
    login(client, CAMPAIGN_ADMIN)
    ScoreSheetFactory(application=finalist)

    response = client.post(
        reverse("admin:reviews_rubriccriterion_add"),
        {"campaign": campaign.pk, "position": 9, "name": "新增项", "description": "", "weight": 5, "max_score": 10},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["campaign"] == ["本活动已开始评分，评分标准不能再修改。"]
    assert not RubricCriterion.objects.filter(name="新增项").exists()


def test_member_reads_the_rubric_but_cannot_change_it(client, rubric):
    login(client, FINAL_COMMITTEE)
    criterion = rubric[0]

    listing = client.get(reverse("admin:reviews_rubriccriterion_changelist"))
    post = client.post(
        reverse("admin:reviews_rubriccriterion_change", args=[criterion.pk]),
        {"campaign": criterion.campaign_id, "position": 0, "name": "改名", "weight": 99, "max_score": 10},
    )

    assert listing.status_code == 200
    assert post.status_code == 403
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight) == ("通用资质", 15)


# --- Constant query counts --------------------------------------------------------------------------------------


def add_finalists(campaign, start, count, reviewer):
    """``count`` round-3 applications in bulk, every other one with a sheet by ``reviewer``."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bulk{n}@example.com", password="!") for n in range(start, start + count)
    )
    apps = Application.objects.bulk_create(
        Application(
            campaign=campaign, applicant=user, alliance_account=f"mm_bulk_{n}", company_name=f"批量{n}号公司",
            status=S.FINAL_REVIEW, submitted_at=beijing(2024, 4, 10), pending_decision="",
        )
        for n, user in enumerate(users, start=start)
    )
    ScoreSheet.objects.bulk_create(
        ScoreSheet(application=app, reviewer=reviewer, comment="批量", weighted_score=Decimal(60 + n % 40))
        for n, app in enumerate(apps)
        if n % 2 == 0
    )


@pytest.mark.parametrize(
    "url_name", ["admin:applications_application_changelist", QUEUE, RANKING], ids=["applications", "queue", "ranking"]
)
def test_admin_pages_run_the_same_number_of_queries_at_10_and_1000_rows(admin_client, campaign, url_name):
    reviewer = staff_with_role(FINAL_COMMITTEE)
    add_finalists(campaign, 0, 10, reviewer)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(reverse(url_name)).status_code == 200
    add_finalists(campaign, 10, 990, reviewer)

    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse(url_name))

    assert response.status_code == 200
    assert Application.objects.filter(status=S.FINAL_REVIEW).count() == 1000
    assert len(many) == len(few)


# --- The application admin: score sheets inline and counts per state -------------------------------------------


def test_application_page_shows_score_sheets_to_who_may_see_them(client, finalist, rubric):
    ScoreSheetFactory(application=finalist, comment="委员甲的评语")
    change = reverse("admin:applications_application_change", args=[finalist.pk])

    login(client, CAMPAIGN_ADMIN)
    campaign_admin = client.get(change)
    member = login(client, FINAL_COMMITTEE)
    before = client.get(change)
    final.submit_scores(finalist, reviewer=member, scores={c.pk: 5 for c in rubric}, comment="委员乙的评语")
    after = client.get(change)
    login(client, OPERATIONS)
    operations = client.get(change)

    assertContains(campaign_admin, "委员甲的评语")
    assertNotContains(before, "委员甲的评语")
    assertContains(after, "委员甲的评语")
    assertContains(after, "通用资质 5；加分项 5；新商家资源 5；历史合作案例 5；招商计划与媒体投入 5")
    assert operations.status_code == 200
    assertNotContains(operations, "委员甲的评语")


def test_application_changelist_counts_applications_per_state(admin_client, campaign):
    ApplicationFactory.create_batch(3, campaign=campaign, status=S.SUBMITTED)
    FinalReviewApplicationFactory.create_batch(2, campaign=campaign)

    response = admin_client.get(reverse("admin:applications_application_changelist"))

    assertContains(response, "已提交 (3)")
    assertContains(response, "终审中 (2)")


# --- The committee: who scores which campaign --------------------------------------------------------------


@pytest.fixture
def two_campaigns(campaign):
    """The 2024 campaign in review and another one, each with a finalist."""
    other = CampaignFactory(slug="2025-nx3", name="纳新 3.0", is_current=False)
    ours = FinalReviewApplicationFactory(campaign=campaign, company_name="二〇二四公司")
    theirs = FinalReviewApplicationFactory(campaign=other, company_name="纳新三公司")
    return other, ours, theirs


def test_a_judge_sees_in_the_queue_only_the_campaigns_of_their_committee(client, two_campaigns):
    _other, ours, _theirs = two_campaigns
    login(client, FINAL_COMMITTEE)

    response = client.get(reverse(QUEUE))

    assert [a.company_name for a in response.context["cl"].result_list] == [ours.company_name]


def test_the_campaign_admin_sees_every_campaign_in_the_queue(client, two_campaigns):
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(QUEUE), {"campaign__id__exact": "all"})  # the list defaults to one campaign

    assert sorted(a.company_name for a in response.context["cl"].result_list) == ["二〇二四公司", "纳新三公司"]


def test_a_judge_of_another_committee_gets_403_on_the_score_page_and_scores_nothing(client, two_campaigns, rubric):
    _other, _ours, theirs = two_campaigns
    login(client, FINAL_COMMITTEE)

    get = client.get(score_url(theirs))
    post = client.post(score_url(theirs), sheet_form(rubric, [8, 6, 9, 7, 5]))

    assert (get.status_code, post.status_code) == (403, 403)
    assert ScoreSheet.objects.count() == 0


def test_a_judge_on_both_committees_scores_both(client, two_campaigns, campaign):
    other, ours, theirs = two_campaigns
    judge = judge_of(campaign, other)
    client.force_login(judge)

    listed = client.get(reverse(QUEUE), {"campaign__id__exact": "all"})  # the list defaults to one campaign

    assert sorted(a.company_name for a in listed.context["cl"].result_list) == ["二〇二四公司", "纳新三公司"]
    assert [client.get(score_url(a)).status_code for a in (ours, theirs)] == [200, 200]


def test_a_superuser_off_the_committee_reads_the_score_page_without_a_score_form(admin_client, finalist):
    page = admin_client.get(score_url(finalist))

    assert page.status_code == 200
    assert page.context["form"] is None
    assertNotContains(page, 'name="comment"')


# --- The score page shows the other rounds' evidence ----------------------------------------------------------


@pytest.fixture
def evidenced(finalist):
    """The finalist's filing, risk assessment and two calls."""
    FilingFactory(application=finalist, legal_representative="王芳",
                  legal_representative_id_number="11010519491231002X",
                  registered_address="浙江省杭州市余杭区文一西路 969 号", business_address="杭州市滨江区网商路 699 号")
    with time_machine.travel(beijing(2024, 4, 24, 10, 0, 5), tick=False):
        RiskAssessment.objects.create(application=finalist, passed=True, results=[
            {"code": "max_associated_accounts", "passed": True, "data": {"associated_accounts": 2, "limit": 3}},
        ])
    task = PhoneTaskFactory(application=finalist, contact_name="李娜", phone="13912345678")
    operator = staff_with_role(OPERATIONS, username="ops-li")
    CallAttemptFactory(task=task, called_at=beijing(2024, 4, 23, 9, 30), called_by=operator,
                       outcome=CallOutcome.NO_ANSWER, note="无人接听")
    CallAttemptFactory(task=task, called_at=beijing(2024, 4, 23, 15, 0, 59), called_by=operator,
                       outcome=CallOutcome.REACHED, note="已告知备案步骤")
    return finalist


def test_the_score_page_shows_the_filing_risk_result_calls_and_files_with_numbers_masked_for_a_judge(
    client, evidenced
):
    login(client, FINAL_COMMITTEE)

    page = client.get(score_url(evidenced))

    html = page.content.decode()
    filing = {row["name"]: row["value"] for row in page.context["filing"]}
    assert filing == {
        "legal_representative": "王芳",
        "legal_representative_id_number": "110105********002X",
        "registered_address": "浙江省杭州市余杭区文一西路 969 号",
        "business_address": "杭州市滨江区网商路 699 号",
        "settlement_account_name": evidenced.company_name,
        "associated_accounts_confirmed": "是",
        "rules_accepted": "是",
        "filed_at": filing["filed_at"],
    }
    assert "11010519491231002X" not in html
    assertContains(page, "全部风险规则通过。")
    assertContains(page, "评估时间：2024-04-24 10:00:05。")
    assertContains(page, '<tr class="risk-pass">')
    assertContains(page, "李娜 · 139****5678")
    assert "13912345678" not in html
    assert [(c["called_at"], c["by"], c["outcome"], c["note"]) for c in page.context["calls"]] == [
        (beijing(2024, 4, 23, 9, 30), "ops-li", "未接通，需再次致电", "无人接听"),
        (beijing(2024, 4, 23, 15, 0, 59), "ops-li", "已接通", "已告知备案步骤"),
    ]
    assert html.index("无人接听") < html.index("已告知备案步骤")
    attachment = evidenced.attachments.get()
    assertContains(page, f'<a href="{reverse("applications:attachment", args=[attachment.pk])}">营业执照.pdf</a>')


def test_the_campaign_admin_sees_the_id_and_phone_numbers_in_full(client, evidenced):
    login(client, CAMPAIGN_ADMIN)

    page = client.get(score_url(evidenced))

    assert {row["name"]: row["value"] for row in page.context["filing"]}["legal_representative_id_number"] == (
        "11010519491231002X"
    )
    assertContains(page, "李娜 · 13912345678")


def test_the_score_page_of_an_application_without_filing_or_calls_says_so(client, finalist):
    login(client, FINAL_COMMITTEE)

    page = client.get(score_url(finalist))

    assertContains(page, "尚未备案。")
    assertContains(page, "尚无风险评估结果。")
    assertContains(page, "无电话通知任务。")


# --- Selection needs every member's sheet, or an override shown on the ranking ---------------------------------


@pytest.fixture
def half_scored(campaign, ranked):
    """The ranking's committee grows to two judges: the scored applications now miss judge-late's sheet."""
    judge_of(campaign, username="judge-late")
    return ranked


def test_the_ranking_shows_sheets_of_the_committee_and_whose_are_missing(client, half_scored):
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(RANKING))

    assert [(e.application.company_name, e.sheet_count, [m.username for m in e.missing_members])
            for e in response.context["entries"]] == [
        ("第一名公司", 1, ["judge-late"]), ("第二名公司", 1, ["judge-late"]),
        ("未评分公司", 0, ["judge-late", "judge-ranked"]),
    ]
    assertContains(response, "终审委员会： judge-late、judge-ranked")
    assertContains(response, "1 / 2", count=2)
    assertContains(response, 'name="override_reason"', count=3)


def test_selecting_from_the_ranking_without_every_sheet_or_a_reason_is_refused(client, half_scored):
    login(client, CAMPAIGN_ADMIN)
    top = half_scored[0]

    response = client.post(reverse(DECIDE), {"application": top.pk, "decision": "select"}, follow=True)

    top.refresh_from_db()
    assert top.pending_decision == ""
    assertContains(response, "择优通过需要每位终审委员的评分表，尚缺：judge-late。")


def test_selecting_from_the_ranking_with_a_reason_shows_the_override_beside_the_application(client, half_scored):
    admin_user = login(client, CAMPAIGN_ADMIN, username="boss")
    top = half_scored[0]

    response = client.post(reverse(DECIDE), {"application": top.pk, "decision": "select",
                                             "override_reason": "judge-late 回避"}, follow=True)

    top.refresh_from_db()
    assert (top.pending_decision, top.decided_by) == ("selected", admin_user)
    assertContains(response, "未收齐评分表即择优通过（决定人 boss；缺少 judge-late 的评分表）。理由： judge-late 回避")


def test_with_every_sheet_the_ranking_offers_the_plain_selection(client, ranked):
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(RANKING))

    assertContains(response, 'name="override_reason"', count=1)  # only the unscored application
    assertContains(response, "1 / 1", count=2)


def test_the_export_names_the_missing_members_and_the_override(client, half_scored):
    admin_user = staff_with_role(CAMPAIGN_ADMIN)
    publication.record_decision(half_scored[0], actor=admin_user, decision=PendingDecision.SELECTED,
                                override_reason="judge-late 回避")
    login(client, CAMPAIGN_ADMIN)

    response = client.get(reverse(EXPORT), {"format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[-2:] for row in rows[1:]] == [
        ["judge-late", "judge-late 回避"], ["judge-late", ""], ["judge-late、judge-ranked", ""],
    ]


# --- Assigning the committees ----------------------------------------------------------------------------------


def committee_form(campaign, *rows):
    """The committee page's POST: the inline's management form and one row per (seat id or "", member id, delete)."""
    data = {
        "committee_members-TOTAL_FORMS": str(len(rows)),
        "committee_members-INITIAL_FORMS": str(sum(1 for seat, _m, _d in rows if seat)),
        "committee_members-MIN_NUM_FORMS": "0",
        "committee_members-MAX_NUM_FORMS": "1000",
    }
    for i, (seat, member, delete) in enumerate(rows):
        data[f"committee_members-{i}-id"] = str(seat or "")
        data[f"committee_members-{i}-campaign"] = str(campaign.pk)
        data[f"committee_members-{i}-member"] = str(member or "")
        if delete:
            data[f"committee_members-{i}-DELETE"] = "on"
    return data


def test_the_campaign_admin_seats_a_judge_on_a_committee(client, campaign):
    judge = staff_with_role(FINAL_COMMITTEE, username="new-judge")
    login(client, CAMPAIGN_ADMIN)
    url = reverse("admin:reviews_committee_change", args=[campaign.pk])

    response = client.post(url, committee_form(campaign, ("", judge.pk, False)))

    assert response.status_code == 302
    assert list(CommitteeMember.objects.filter(campaign=campaign).values_list("member__username", flat=True)) == [
        "new-judge"
    ]
    assert final.awaiting_my_score(judge, campaign) == 0
    listed = client.get(reverse("admin:reviews_committee_changelist"))
    assertContains(listed, "new-judge")


def test_a_user_who_cannot_score_is_not_seated(client, campaign):
    operator = staff_with_role(OPERATIONS, username="ops-x")
    login(client, CAMPAIGN_ADMIN)
    url = reverse("admin:reviews_committee_change", args=[campaign.pk])

    response = client.post(url, committee_form(campaign, ("", operator.pk, False)))

    assert response.status_code == 200
    assert CommitteeMember.objects.count() == 0


def test_the_campaign_admin_takes_a_judge_off_a_committee(client, campaign):
    judge = judge_of(campaign, username="leaving-judge")
    seat = CommitteeMember.objects.get(member=judge)
    login(client, CAMPAIGN_ADMIN)
    url = reverse("admin:reviews_committee_change", args=[campaign.pk])

    response = client.post(url, committee_form(campaign, (seat.pk, judge.pk, True)))

    assert response.status_code == 302
    assert CommitteeMember.objects.count() == 0


def test_the_campaign_itself_does_not_change_on_the_committee_page(client, campaign):
    login(client, CAMPAIGN_ADMIN)
    url = reverse("admin:reviews_committee_change", args=[campaign.pk])

    client.post(url, {**committee_form(campaign), "name": "改名", "seats": "1"})

    campaign.refresh_from_db()
    assert (campaign.name, campaign.seats) == ("淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）", 50)


def test_a_judge_cannot_seat_anyone(client, campaign):
    judge = login(client, FINAL_COMMITTEE)
    url = reverse("admin:reviews_committee_change", args=[campaign.pk])

    response = client.post(url, committee_form(campaign, ("", judge.pk, False)))

    assert response.status_code == 403
    assert list(CommitteeMember.objects.values_list("member", flat=True)) == [judge.pk]
