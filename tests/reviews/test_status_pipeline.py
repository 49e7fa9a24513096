"""The applicant's /status/ page across the whole pipeline: nothing decided shows before publication."""

import re

import pytest
import time_machine
from django.urls import reverse

from applications import services
from applications.enums import ApplicationStatus, EntityType
from notifications.models import Channel, Notification
from recruitment.timeutils import beijing
from reviews import roles
from reviews.filing import submit_filing
from reviews.risk import assess_risk
from reviews.round1 import decide_round1
from tests.factories import UserFactory
from tests.reviews.factories import SubmittedApplicationFactory, resident_id, staff_with_role

S = ApplicationStatus
STATUS_URL = reverse("applications:status")
DECIDED = beijing(2024, 4, 23, 10)
FILED = beijing(2024, 4, 24, 9)
PUBLISHED_RUN = beijing(2024, 5, 5, 18)  # the publication step ran the evening before the results date
RESULTS_AT = beijing(2024, 5, 6)
JUST_BEFORE = beijing(2024, 5, 5, 23, 59, 59)

FILING_DATA = {
    "legal_representative": "王芳",
    "legal_representative_id_number": resident_id(3),
    "registered_address": "杭州市余杭区",
    "business_address": "杭州市余杭区",
    "settlement_account_name": "杭州拓客网络科技有限公司",
    "associated_accounts_confirmed": True,
    "rules_accepted": True,
}


@pytest.fixture
def reviewer(db):
    return staff_with_role(roles.ROUND1_REVIEWER)


@pytest.fixture
def published(campaign):
    campaign.published_at = PUBLISHED_RUN
    campaign.save()
    return campaign


def make(campaign, **kwargs):
    """An application as submitted on 2024-04-20 10:00 (same answers for every applicant)."""
    with time_machine.travel(beijing(2024, 4, 20, 10), tick=False):
        return SubmittedApplicationFactory(
            campaign=campaign, applicant=UserFactory(), company_name="杭州同名网络科技有限公司", **kwargs
        )


def pass_round1(application, reviewer):
    with time_machine.travel(DECIDED, tick=False):
        decide_round1(application, actor=reviewer, passed=True, reason="资料齐全",
                      checked_items=application.campaign.checklist_items.all())


def file(application):
    with time_machine.travel(FILED, tick=False):
        submit_filing(application, actor=application.applicant, data=FILING_DATA)


def assess(application):
    with time_machine.travel(FILED, tick=False):
        assess_risk(application)


def to_final_review(application, reviewer):
    pass_round1(application, reviewer)
    file(application)
    assess(application)
    application.refresh_from_db()
    assert application.status == S.FINAL_REVIEW


def publish(application, status):
    """What publication does to the status (the publication step itself is tested with it)."""
    with time_machine.travel(PUBLISHED_RUN, tick=False):
        services.transition(application, status, actor=None, reason="")


def page_of(client, application, at):
    client.force_login(application.applicant)
    with time_machine.travel(at, tick=False):
        return client.get(STATUS_URL).content.decode()


def section(page, name):
    return page.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]


def status_text(page):
    return page.split('id="status-text">', 1)[1].split("</p>", 1)[0]


def anonymous(html):
    """The page minus what differs between any two applications: the CSRF token and the application's
    own id (in its links and forms)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'name="application" value="\d+"', 'name="application" value="ID"', html)
    return re.sub(r"application=\d+", "application=ID", html)


def visible_parts(page):
    """Everything an applicant could compare: status, timeline, supplementary upload (minus the CSRF token)."""
    parts = [anonymous(section(page, "status")), section(page, "timeline")]
    if 'id="supplementary"' in page:
        parts.append(anonymous(section(page, "supplementary")))
    return parts


# --- Before publication nothing decided leaks -----------------------------------------------------------


@pytest.mark.parametrize("at", [JUST_BEFORE, beijing(2024, 5, 7)])
def test_round1_rejection_reads_exactly_like_pending_before_publication(client, campaign, reviewer, at):
    pending = make(campaign)
    rejected = make(campaign)
    with time_machine.travel(DECIDED, tick=False):
        decide_round1(rejected, actor=reviewer, passed=False, reason="团队配置不合理")
    if at == JUST_BEFORE:  # publication ran, results date not reached; else results date passed, not published
        campaign.published_at = PUBLISHED_RUN
        campaign.save()

    pending_page = page_of(client, pending, at)
    rejected_page = page_of(client, rejected, at)

    assert visible_parts(rejected_page) == visible_parts(pending_page)
    assert status_text(rejected_page) == '<span class="badge badge-ok">已提交，审核中</span>'
    assert "团队配置不合理" not in rejected_page


def test_risk_rejection_reads_exactly_like_risk_review_and_final_review(client, published, reviewer):
    in_risk = make(published)
    pass_round1(in_risk, reviewer)
    file(in_risk)
    rejected = make(published, entity_type=EntityType.INDIVIDUAL)
    pass_round1(rejected, reviewer)
    file(rejected)
    assess(rejected)
    in_final = make(published)
    to_final_review(in_final, reviewer)
    rejected.refresh_from_db()
    assert (in_risk.status, rejected.status) == (S.RISK_REVIEW, S.RISK_REJECTED)

    pages = [page_of(client, a, JUST_BEFORE) for a in (in_risk, rejected, in_final)]

    assert visible_parts(pages[1]) == visible_parts(pages[0])
    assert visible_parts(pages[2]) == visible_parts(pages[0])
    assert status_text(pages[1]) == '<span class="badge badge-ok">已提交，审核中</span>'
    assert "company_entity" not in pages[1]
    assert "风险评估未通过" not in pages[1]


@pytest.mark.parametrize("outcome", [S.SELECTED, S.NOT_SELECTED])
def test_final_outcome_reads_like_final_review_before_the_results_date(client, published, reviewer, outcome):
    in_final = make(published)
    to_final_review(in_final, reviewer)
    decided = make(published)
    to_final_review(decided, reviewer)
    publish(decided, outcome)

    assert visible_parts(page_of(client, decided, JUST_BEFORE)) == visible_parts(
        page_of(client, in_final, JUST_BEFORE)
    )


# --- After publication ------------------------------------------------------------------------------------


def test_selected_after_publication_congratulates(client, published, reviewer):
    application = make(published)
    to_final_review(application, reviewer)
    publish(application, S.SELECTED)

    page = page_of(client, application, RESULTS_AT)

    assert status_text(page) == (
        '<span class="badge badge-ok">已入选</span> 恭喜，您已入选本轮招商团长纳新，进入试用期。'
    )
    assert "试用期为 2024-05-01 至 2024-08-31" in section(page, "status")
    timeline = section(page, "timeline")
    assert "<time>2024-05-06 00:00:00</time>\n        审核中 → <strong>已入选</strong>" in timeline
    assert 'id="supplementary"' not in page


NEUTRAL = '<span class="badge badge-muted">未入选</span> 很遗憾，您未能入选本轮招商团长纳新。'


def test_round1_rejection_after_publication_is_neutral(client, published, reviewer):
    application = make(published)
    with time_machine.travel(DECIDED, tick=False):
        decide_round1(application, actor=reviewer, passed=False, reason="团队配置不合理")

    page = page_of(client, application, RESULTS_AT)

    assert status_text(page) == NEUTRAL
    assert "团队配置不合理" not in page
    assert "初审未通过" not in page
    assert "审核中 → <strong>未入选</strong>" in section(page, "timeline")


def test_risk_rejection_after_publication_is_neutral_without_rule_details(client, published, reviewer):
    application = make(published, entity_type=EntityType.INDIVIDUAL, associated_accounts=["a", "b", "c", "d"])
    pass_round1(application, reviewer)
    file(application)
    assess(application)

    page = page_of(client, application, RESULTS_AT)

    assert status_text(page) == NEUTRAL
    for detail in ("company_entity", "max_associated_accounts", "风险评估未通过", "申请主体为公司", "关联账号不超过"):
        assert detail not in page


def test_not_selected_after_publication_is_neutral(client, published, reviewer):
    application = make(published)
    to_final_review(application, reviewer)
    publish(application, S.NOT_SELECTED)

    page = page_of(client, application, RESULTS_AT)

    assert status_text(page) == NEUTRAL


def test_every_rejection_reads_the_same_after_publication(client, published, reviewer):
    round1 = make(published)
    with time_machine.travel(DECIDED, tick=False):
        decide_round1(round1, actor=reviewer, passed=False, reason="理由")
    risk = make(published, entity_type=EntityType.INDIVIDUAL)
    pass_round1(risk, reviewer)
    file(risk)
    assess(risk)
    final = make(published)
    to_final_review(final, reviewer)
    publish(final, S.NOT_SELECTED)

    sections = {anonymous(section(page_of(client, a, RESULTS_AT), "status")) for a in (round1, risk, final)}

    assert len(sections) == 1


def test_still_pending_application_after_publication_reads_under_review(client, published):
    application = make(published)

    page = page_of(client, application, RESULTS_AT)

    assert status_text(page) == '<span class="badge badge-ok">已提交，审核中</span>'


# --- Round 2 on the page ------------------------------------------------------------------------------------


def test_filing_state_shows_form_upload_and_the_notification(client, campaign, reviewer):
    application = make(campaign)
    pass_round1(application, reviewer)

    page = page_of(client, application, beijing(2024, 4, 26, 9))

    assert status_text(page) == '<span class="badge badge-ok">初审已通过</span> 请完成系统备案。'
    assert 'id="filing-form"' in page
    assert 'id="supplementary-form"' in page
    notices = section(page, "notifications")
    assert notices.count("<article") == 1
    assert "初审已通过" in notices
    timeline = section(page, "timeline")
    assert "已提交 → <strong>初审已通过，待完成系统备案</strong>" in timeline
    assert "资料齐全" not in page  # the reviewer's note stays internal


def test_risk_review_shows_filing_done_and_upload_but_no_form(client, campaign, reviewer):
    application = make(campaign)
    pass_round1(application, reviewer)
    file(application)

    page = page_of(client, application, beijing(2024, 4, 26, 9))

    assert status_text(page) == '<span class="badge badge-ok">已提交，审核中</span>'
    assert "您已于北京时间 2024-04-24 09:00:00 完成系统备案" in section(page, "status")
    assert 'id="filing-form"' not in page
    assert 'id="supplementary-form"' in page
    assert "初审已通过，待完成系统备案 → <strong>已完成系统备案，审核中</strong>" in section(page, "timeline")


def test_notifications_listed_newest_first_and_only_in_app_ones_of_the_user(client, campaign):
    application = make(campaign)
    other = make(campaign)
    for at, subject in ((beijing(2024, 4, 22), "较早的消息"), (beijing(2024, 4, 24), "较新的消息")):
        with time_machine.travel(at, tick=False):
            Notification.objects.create(recipient=application.applicant, event=subject, channel=Channel.IN_APP,
                                        subject=subject, body="正文")
    Notification.objects.create(recipient=application.applicant, event="e", channel=Channel.EMAIL,
                                subject="邮件消息", body="正文")
    Notification.objects.create(recipient=other.applicant, event="x", channel=Channel.IN_APP,
                                subject="别人的消息", body="正文")

    notices = section(page_of(client, application, beijing(2024, 4, 26)), "notifications")

    assert re.findall(r"<strong>(.*?)</strong>", notices) == ["较新的消息", "较早的消息"]


def test_status_page_get_changes_nothing(client, campaign, reviewer):
    application = make(campaign)
    pass_round1(application, reviewer)
    before = (application.status_changes.count(), Notification.objects.count())

    page_of(client, application, beijing(2024, 4, 26))

    application.refresh_from_db()
    assert application.status == S.FILING
    assert (application.status_changes.count(), Notification.objects.count()) == before
