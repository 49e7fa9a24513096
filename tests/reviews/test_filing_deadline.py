"""The filing deadline (系统备案截止): reminders before it, the close-out after it (未按时备案), reopening the
filing, what the applicant sees, and publication no longer stalled by applicants who never file."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicantStatus, ApplicationStatus, PendingDecision
from applications.models import Application
from applications.services import transition
from applications.visibility import applicant_status, status_timeline
from audit.enums import AuditAction
from audit.models import AuditEvent
from notifications.models import Channel, Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import roles, tasks
from reviews.filing import (
    FilingRefused,
    close_out_non_filer,
    close_out_preview,
    due_reminder_offset,
    filing_figures,
    reopen_filing,
    send_filing_reminders,
    submit_filing,
)
from reviews.publication import publish_results, record_decision
from reviews.round1 import decide_round1
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    SubmittedApplicationFactory,
    scored_by_committee,
    staff_with_role,
)
from tests.reviews.test_filing import filing_data
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
A = ApplicantStatus


def pass_round1(application, *, actor):
    """Round 1 passed with the campaign's whole checklist ticked (what a pass needs)."""
    return decide_round1(application, actor=actor, passed=True,
                         checked_items=list(application.campaign.checklist_items.all()))
DEADLINE = beijing(2024, 4, 27, 23, 59, 59)
AFTER = beijing(2024, 4, 28, 0, 0, 0)  # the first second after the deadline
RANKING = "admin:reviews_ranking"


@pytest.fixture
def waiting(campaign):
    """An application that passed round 1 (reminders and close-out look at ``FILING``)."""
    return SubmittedApplicationFactory(campaign=campaign, status=S.FILING, company_name="杭州未备案网络科技有限公司")


@pytest.fixture
def risk_officer():
    return staff_with_role(roles.RISK_OFFICER)


@pytest.fixture
def campaign_admin():
    return staff_with_role(roles.CAMPAIGN_ADMIN)


def events_of(application):
    return sorted(Notification.objects.filter(application=application).values_list("event", "channel"))


def at(moment):
    return time_machine.travel(moment, tick=False)


# --- Campaign data ---------------------------------------------------------------------------------------


def test_the_2024_campaign_files_until_the_27th_with_reminders_72_and_24_hours_before(campaign):
    campaign.refresh_from_db()

    assert (campaign.filing_deadline, campaign.filing_reminder_hours) == (DEADLINE, "72,24")
    assert campaign.filing_reminder_offsets == [72, 24]
    assert campaign.review_starts_on <= DEADLINE.date() and DEADLINE < campaign.results_published_at


def test_the_deadline_is_inclusive_to_the_second(campaign):
    assert campaign.filing_deadline_passed(DEADLINE.replace(microsecond=999999)) is False
    assert campaign.filing_deadline_passed(AFTER) is True


@pytest.mark.parametrize(("value", "offsets"), [("72,24", [72, 24]), (" 24 , 72 ,24", [72, 24]), ("", []),
                                                ("1", [1]), ("720", [720])])
def test_reminder_offsets_are_read_largest_first(campaign, value, offsets):
    campaign.filing_reminder_hours = value

    campaign.full_clean()
    assert campaign.filing_reminder_offsets == offsets


@pytest.mark.parametrize("value", ["72;24", "72,", "0", "721", "-1", "24h", "1,2,3,4,5,6,7,8,9,10,11"])
def test_unreadable_reminder_offsets_are_refused_with_a_message(campaign, value):
    campaign.filing_reminder_hours = value

    with pytest.raises(ValidationError) as error:
        campaign.full_clean()

    assert error.value.message_dict["filing_reminder_hours"] == [
        "请填写以英文逗号分隔的整数小时数，例如 72,24：最多 10 个，每个在 1 到 720 之间。"
    ]


# --- Reminders before the deadline -----------------------------------------------------------------------------


def test_each_offset_reminds_once_from_its_exact_second(waiting):
    runs = {}
    for moment in [
        beijing(2024, 4, 24, 23, 59, 58),  # 72 h before the deadline, minus one second: nothing yet
        beijing(2024, 4, 24, 23, 59, 59),  # 72 h before: the first reminder
        beijing(2024, 4, 25, 12),  # again: nothing new
        beijing(2024, 4, 26, 23, 59, 58),
        beijing(2024, 4, 26, 23, 59, 59),  # 24 h before: the second
        DEADLINE,
        AFTER,
    ]:
        runs[moment] = send_filing_reminders(now=moment)

    assert list(runs.values()) == [0, 1, 0, 0, 1, 0, 0]
    pk = waiting.pk
    assert events_of(waiting) == [
        (f"filing_reminder:{pk}:24h", Channel.EMAIL), (f"filing_reminder:{pk}:24h", Channel.IN_APP),
        (f"filing_reminder:{pk}:72h", Channel.EMAIL), (f"filing_reminder:{pk}:72h", Channel.IN_APP),
    ]
    email = Notification.objects.get(event=f"filing_reminder:{pk}:72h", channel=Channel.EMAIL)
    assert email.subject == "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）：请完成系统备案"
    assert email.body == (
        "杭州未备案网络科技有限公司：\n\n"
        "您的申请已通过初审，但尚未完成系统备案。"
        "请于 2024-04-27 23:59:59（北京时间）前登录，在“申请进度”页面完成备案。\n\n"
        "逾期未备案的申请将被关闭，无法在本次招募中入选。"
    )
    assert email.address == waiting.applicant.email


def test_an_applicant_passed_late_gets_only_the_most_imminent_reminder(waiting):
    assert send_filing_reminders(now=beijing(2024, 4, 27, 10)) == 1
    assert send_filing_reminders(now=beijing(2024, 4, 27, 11)) == 0

    assert {event for event, _channel in events_of(waiting)} == {f"filing_reminder:{waiting.pk}:24h"}


def test_only_applications_still_to_file_in_an_unpublished_campaign_are_reminded(campaign, waiting):
    others = [SubmittedApplicationFactory(campaign=campaign, status=status)
              for status in (S.SUBMITTED, S.RISK_REVIEW, S.FILING_LAPSED, S.FINAL_REVIEW, S.ROUND1_REJECTED)]
    published = CampaignFactory(slug="2024-published", is_current=False, published_at=beijing(2024, 4, 20))
    in_published = SubmittedApplicationFactory(campaign=published, status=S.FILING)

    assert send_filing_reminders(now=beijing(2024, 4, 26, 23, 59, 59)) == 1

    assert set(Notification.objects.values_list("application", flat=True)) == {waiting.pk}
    assert all(events_of(application) == [] for application in [*others, in_published])


@pytest.mark.parametrize(("hours", "first_reminder"), [
    ("48", beijing(2024, 4, 25, 23, 59, 59)),
    ("100,1", beijing(2024, 4, 23, 19, 59, 59)),
])
def test_the_offsets_are_the_campaigns(campaign, waiting, hours, first_reminder):
    Campaign.objects.filter(pk=campaign.pk).update(filing_reminder_hours=hours)

    before = send_filing_reminders(now=first_reminder - timedelta(seconds=1))
    on_time = send_filing_reminders(now=first_reminder)

    assert (before, on_time) == (0, 1)
    assert {event for event, _c in events_of(waiting)} == {f"filing_reminder:{waiting.pk}:{hours.split(',')[0]}h"}


def test_no_offsets_no_reminders(campaign, waiting):
    Campaign.objects.filter(pk=campaign.pk).update(filing_reminder_hours="")
    campaign.refresh_from_db()

    assert due_reminder_offset(campaign, beijing(2024, 4, 27, 23)) is None
    assert send_filing_reminders(now=beijing(2024, 4, 27, 23)) == 0


def test_the_beat_task_sends_the_reminders_due_now(waiting):
    with at(beijing(2024, 4, 27, 12)):
        first, second = tasks.send_filing_reminders(), tasks.send_filing_reminders()

    assert (first, second) == (1, 0)
    assert settings.CELERY_BEAT_SCHEDULE["reviews-filing-reminders"] == {
        "task": "reviews.send_filing_reminders", "schedule": 300.0}


@pytest.mark.redis
def test_the_reminder_task_runs_on_the_real_worker(celery_worker):  # noqa: F811
    # The worker runs on the real clock: a deadline an hour from now, inside its 24-hour reminder.
    campaign = CampaignFactory(slug="filing-now", is_current=False,
                               filing_deadline=timezone.now() + timedelta(hours=1), filing_reminder_hours="72,24")
    application = SubmittedApplicationFactory(campaign=campaign, status=S.FILING)

    tasks.send_filing_reminders.delay()

    assert wait_until(lambda: Notification.objects.filter(application=application).count() == 2) is True
    assert events_of(application) == [(f"filing_reminder:{application.pk}:24h", Channel.EMAIL),
                                      (f"filing_reminder:{application.pk}:24h", Channel.IN_APP)]


def test_the_round1_pass_notice_names_the_filing_deadline(campaign):
    application = SubmittedApplicationFactory(campaign=campaign)

    pass_round1(application, actor=staff_with_role(roles.ROUND1_REVIEWER))

    body = Notification.objects.get(event=f"round1_passed:{application.pk}", channel=Channel.EMAIL).body
    assert body.endswith("\n\n请于 2024-04-27 23:59:59（北京时间）前完成系统备案，逾期未备案的申请将被关闭。")


# --- The close-out (未按时备案) --------------------------------------------------------------------------------


def test_a_close_out_at_the_deadline_is_refused_and_one_second_later_closes_out(waiting, risk_officer):
    with pytest.raises(FilingRefused) as refused:
        close_out_non_filer(waiting, actor=risk_officer, now=DEADLINE)
    assert str(refused.value) == "备案截止时间（2024-04-27 23:59:59，北京时间）尚未到。"
    assert Application.objects.get(pk=waiting.pk).status == S.FILING

    with at(AFTER):
        close_out_non_filer(waiting, actor=risk_officer)

    assert waiting.status == S.FILING_LAPSED
    change = waiting.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.reason, change.created_at) == (
        S.FILING, S.FILING_LAPSED, risk_officer,
        "未在备案截止时间（2024-04-27 23:59:59，北京时间）前完成系统备案。", AFTER)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.campaign, event.object_id, event.details, event.created_at) == (
        AuditAction.FILING_CLOSE_OUT, risk_officer, waiting.campaign, str(waiting.pk),
        {"filing_deadline": "2024-04-27 23:59:59"}, AFTER)
    assert Notification.objects.count() == 0  # told the outcome at publication, like everyone


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.FINAL_COMMITTEE, roles.OPERATIONS,
                                  roles.CAMPAIGN_ADMIN, None])
def test_only_the_risk_officer_closes_out(waiting, role):
    actor = staff_with_role(role) if role else UserFactory(is_staff=True)

    with pytest.raises(FilingRefused) as refused:
        close_out_non_filer(waiting, actor=actor, now=AFTER)

    assert str(refused.value) == "您无权关闭未按时备案的申请。"
    assert (Application.objects.get(pk=waiting.pk).status, AuditEvent.objects.count()) == (S.FILING, 0)


def test_a_superuser_closes_out_too(waiting):
    close_out_non_filer(waiting, actor=UserFactory(is_staff=True, is_superuser=True), now=AFTER)

    assert waiting.status == S.FILING_LAPSED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.RISK_REVIEW, S.FINAL_REVIEW, S.FILING_LAPSED, S.ROUND1_REJECTED])
def test_only_an_application_waiting_for_its_filing_is_closed_out(campaign, risk_officer, status):
    application = SubmittedApplicationFactory(campaign=campaign, status=status)

    with pytest.raises(FilingRefused) as refused:
        close_out_non_filer(application, actor=risk_officer, now=AFTER)

    assert str(refused.value) == f"该申请并非待备案状态（当前为“{status.label}”）。"
    assert Application.objects.get(pk=application.pk).status == status


def test_no_close_out_once_the_results_are_published(campaign, waiting, risk_officer):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 6))

    with pytest.raises(FilingRefused) as refused:
        close_out_non_filer(waiting, actor=risk_officer, now=beijing(2024, 5, 6, 1))

    assert str(refused.value) == "结果已公示。"
    assert Application.objects.get(pk=waiting.pk).status == S.FILING


def test_a_filing_after_the_deadline_but_before_the_close_out_is_accepted_and_then_cannot_be_closed_out(
    waiting, risk_officer
):
    with at(AFTER):
        submit_filing(waiting, actor=waiting.applicant, data=filing_data())
        with pytest.raises(FilingRefused):
            close_out_non_filer(waiting, actor=risk_officer)

    assert Application.objects.get(pk=waiting.pk).status in (S.RISK_REVIEW, S.FINAL_REVIEW)


def test_a_closed_out_application_cannot_be_filed(waiting, risk_officer):
    close_out_non_filer(waiting, actor=risk_officer, now=AFTER)

    with at(AFTER), pytest.raises(FilingRefused) as refused:
        submit_filing(waiting, actor=waiting.applicant, data=filing_data())

    assert str(refused.value) == "当前无法提交系统备案。"
    assert Application.objects.get(pk=waiting.pk).status == S.FILING_LAPSED


def test_the_preview_lists_who_will_be_closed_out_and_writes_nothing(campaign, waiting, risk_officer):
    reviewer = staff_with_role(roles.ROUND1_REVIEWER)
    passed = SubmittedApplicationFactory(campaign=campaign, company_name="乙")
    with at(beijing(2024, 4, 26, 9, 30)):
        pass_round1(passed, actor=reviewer)
    send_filing_reminders(now=beijing(2024, 4, 26, 23, 59, 59))
    filed = SubmittedApplicationFactory(campaign=campaign, status=S.RISK_REVIEW, company_name="丙")

    rows = close_out_preview(Application.objects.filter(pk__in=[waiting.pk, passed.pk, filed.pk]).order_by("pk"),
                             AFTER)

    assert [(row.application, row.refusal, row.round1_passed_at, row.reminders) for row in rows] == [
        (waiting, "", None, [24]),
        (passed, "", beijing(2024, 4, 26, 9, 30), [24]),
        (filed, f"该申请并非待备案状态（当前为“{S.RISK_REVIEW.label}”）。", None, []),
    ]
    assert list(Application.objects.order_by("pk").values_list("status", flat=True)) == [
        S.FILING, S.FILING, S.RISK_REVIEW]
    assert AuditEvent.objects.count() == 0


def test_the_preview_shows_the_round1_pass_not_a_reopening(campaign, risk_officer, campaign_admin):
    application = SubmittedApplicationFactory(campaign=campaign)
    with at(beijing(2024, 4, 23, 9)):
        pass_round1(application, actor=staff_with_role(roles.ROUND1_REVIEWER))
    close_out_non_filer(application, actor=risk_officer, now=AFTER)
    with at(beijing(2024, 4, 29, 9)):
        reopen_filing(application, actor=campaign_admin, reason="核实后恢复")

    (row,) = close_out_preview([application], beijing(2024, 4, 30, 9))

    assert (row.refusal, row.round1_passed_at) == ("", beijing(2024, 4, 23, 9))


# --- What the applicant sees -------------------------------------------------------------------------------


def test_the_applicant_reads_filing_closed_at_once_and_the_history_shows_it(client, waiting, risk_officer):
    with at(AFTER):
        close_out_non_filer(waiting, actor=risk_officer)
    client.force_login(waiting.applicant)

    with at(beijing(2024, 4, 29, 10)):
        response = client.get(reverse("applications:status"))
        shown = applicant_status(waiting)
        timeline = [(str(e["from_label"]), str(e["to_label"]), e["by"], e["reason"]) for e in status_timeline(waiting)]

    assert shown == A.FILING_CLOSED
    assert timeline == [("初审已通过，待完成系统备案", "备案已截止", "staff", "")]
    assertContains(response, '<span class="badge badge-muted">备案已截止</span>', html=True)
    assertContains(response, "您的申请已通过初审，但未在截止时间 2024-04-27 23:59:59（北京时间）前完成系统备案，"
                             "申请已关闭，不再进入终审。结果将于 2024-05-06 公示，届时我们会通知您。")
    assertNotContains(response, 'id="filing-form"')
    assertNotContains(response, 'action="/status/supplementary/"')


def test_the_applicant_still_to_file_reads_the_deadline_before_and_after_it(client, waiting):
    client.force_login(waiting.applicant)

    with at(beijing(2024, 4, 26, 23, 59, 59)):
        before = client.get(reverse("applications:status"))
    with at(AFTER):
        after = client.get(reverse("applications:status"))

    assertContains(before, '<p id="filing-deadline">请于 2024-04-27 23:59:59（北京时间）前完成系统备案，剩余 1\xa0日。'
                           "逾期未备案的申请将被关闭。</p>", html=True)
    assertContains(after, "备案截止时间为 2024-04-27 23:59:59（北京时间），现已过。您现在仍可提交备案，"
                          "但工作人员可能随时以未按时备案为由关闭您的申请。")
    assertContains(after, 'id="filing-form"')


def test_a_filing_posted_after_the_close_out_is_refused_and_nothing_is_stored(client, waiting, risk_officer):
    close_out_non_filer(waiting, actor=risk_officer, now=AFTER)
    client.force_login(waiting.applicant)

    with at(AFTER):
        response = client.post(reverse("reviews:filing"), {"application": waiting.pk, **filing_data(
            associated_accounts_confirmed="on", rules_accepted="on")})

    assert response.status_code == 403
    assertContains(response, "当前无法提交系统备案。", status_code=403)
    assert (Application.objects.get(pk=waiting.pk).status, hasattr(waiting, "filing")) == (S.FILING_LAPSED, False)


# --- Reopening the filing (恢复备案) --------------------------------------------------------------------------


@pytest.fixture
def lapsed(waiting, risk_officer):
    return close_out_non_filer(waiting, actor=risk_officer, now=AFTER)


def test_the_campaign_admin_reopens_the_filing_with_a_reason_and_the_applicant_is_told(lapsed, campaign_admin):
    with at(beijing(2024, 4, 28, 10)):
        reopen_filing(lapsed, actor=campaign_admin, reason="申请人 4 月 27 日系统故障，经核实后恢复")

    assert lapsed.status == S.FILING
    change = lapsed.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        S.FILING_LAPSED, S.FILING, campaign_admin, "申请人 4 月 27 日系统故障，经核实后恢复")
    event = AuditEvent.objects.get(action=AuditAction.FILING_REOPEN)
    assert (event.actor, event.object_id, event.details) == (
        campaign_admin, str(lapsed.pk), {"reason": "申请人 4 月 27 日系统故障，经核实后恢复"})
    assert events_of(lapsed) == [(f"filing_reopened:{lapsed.pk}:{change.pk}", Channel.EMAIL),
                                 (f"filing_reopened:{lapsed.pk}:{change.pk}", Channel.IN_APP)]
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.subject == "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）：您的系统备案已恢复"
    assert applicant_status(lapsed, beijing(2024, 4, 28, 10)) == A.FILING
    submit_filing(lapsed, actor=lapsed.applicant, data=filing_data())
    assert Application.objects.get(pk=lapsed.pk).status in (S.RISK_REVIEW, S.FINAL_REVIEW)


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.RISK_OFFICER, roles.FINAL_COMMITTEE,
                                  roles.OPERATIONS, None])
def test_only_the_campaign_admin_reopens_the_filing(lapsed, role):
    actor = staff_with_role(role) if role else UserFactory(is_staff=True)

    with pytest.raises(FilingRefused) as refused:
        reopen_filing(lapsed, actor=actor, reason="理由")

    assert str(refused.value) == "您无权为申请恢复备案。"
    assert Application.objects.get(pk=lapsed.pk).status == S.FILING_LAPSED


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(lapsed, campaign_admin, reason):
    with pytest.raises(FilingRefused) as refused:
        reopen_filing(lapsed, actor=campaign_admin, reason=reason)

    assert str(refused.value) == "请填写恢复备案的原因。"
    assert Application.objects.get(pk=lapsed.pk).status == S.FILING_LAPSED


def test_reopening_is_refused_once_published_and_for_an_application_not_closed_out(campaign, lapsed, campaign_admin):
    other = SubmittedApplicationFactory(campaign=campaign, status=S.FILING)
    with pytest.raises(FilingRefused) as not_lapsed:
        reopen_filing(other, actor=campaign_admin, reason="理由")
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 6))
    with pytest.raises(FilingRefused) as published:
        reopen_filing(lapsed, actor=campaign_admin, reason="理由")

    assert str(not_lapsed.value) == "只有因未按时备案而关闭的申请才能恢复备案。"
    assert str(published.value) == "结果已公示。"
    assert Application.objects.get(pk=lapsed.pk).status == S.FILING_LAPSED


# --- Publication ---------------------------------------------------------------------------------------------


def test_publication_no_longer_stalls_on_an_applicant_who_never_files(client, campaign, waiting, risk_officer,
                                                                       campaign_admin):
    finalist = FinalReviewApplicationFactory(campaign=campaign, company_name="甲")
    scored_by_committee(finalist)  # selection needs every committee member's sheet
    record_decision(finalist, actor=campaign_admin, decision=PendingDecision.SELECTED)
    client.force_login(campaign_admin)
    with at(beijing(2024, 5, 6, 10)):
        stalled = client.get(reverse(RANKING))
        with pytest.raises(Exception) as refused:
            publish_results(campaign, actor=campaign_admin)
        close_out_non_filer(waiting, actor=risk_officer)
        ready = client.get(reverse(RANKING))
        confirm = client.get(reverse("admin:reviews_ranking_publish"))
        publish_results(campaign, actor=campaign_admin)

    assertContains(stalled, "还有 1 个申请尚未处理（仍在审核中或尚未决定），暂不能公示。")
    assert "杭州未备案网络科技有限公司（初审通过，待系统备案）" in str(refused.value)
    assertNotContains(ready, "尚未处理")
    assertContains(confirm, "1 个申请将入选，其账号获得试用期团长权限；")
    assertContains(confirm, "1 个申请将不入选；")  # the one closed out for not filing
    waiting.refresh_from_db()
    assert (waiting.status, Application.objects.get(pk=finalist.pk).status) == (S.NOT_SELECTED, S.SELECTED)
    assert list(waiting.status_changes.order_by("pk").values_list("from_status", "to_status")) == [
        (S.FILING, S.FILING_LAPSED), (S.FILING_LAPSED, S.NOT_SELECTED)]
    told = Notification.objects.get(application=waiting, channel=Channel.EMAIL)
    assert (told.event, told.subject) == (
        f"published:{waiting.pk}", "淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）：申请结果通知")
    assert applicant_status(waiting, beijing(2024, 5, 6, 10)) == A.NOT_SELECTED


def test_before_the_results_date_a_published_close_out_still_reads_filing_closed(campaign, lapsed, campaign_admin):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 5, 18))
    transition(lapsed, S.NOT_SELECTED, actor=campaign_admin, reason="结果公示")
    lapsed.campaign.refresh_from_db()

    assert applicant_status(lapsed, beijing(2024, 5, 5, 23, 59, 59)) == A.FILING_CLOSED
    assert applicant_status(lapsed, beijing(2024, 5, 6)) == A.NOT_SELECTED


# --- The figures -----------------------------------------------------------------------------------------------


def test_the_figures_count_who_still_files_and_who_was_closed_out(campaign, waiting, risk_officer):
    SubmittedApplicationFactory(campaign=campaign, status=S.FILING)
    SubmittedApplicationFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False), status=S.FILING)
    close_out_non_filer(waiting, actor=risk_officer, now=AFTER)

    before, after = filing_figures(campaign, DEADLINE), filing_figures(campaign, AFTER)

    assert (before.waiting, before.lapsed, before.deadline, before.deadline_passed) == (1, 1, DEADLINE, False)
    assert after.deadline_passed is True
