"""Issue 14 end to end, "the next round without code": in Chromium, the campaign admin copies the 2024 campaign
as a new round (复制为新一轮), makes it current, adds a custom question and a check item; an applicant answers
the question and submits; a round-1 reviewer reads the answer; once the applicant leads in probation, the
board's data confirmation decides the check item (one leader passes, one is closed); the campaign admin
publishes the rule change (公布规则变更) and the leader reads it on the status page.

The live server runs in this process, so its clock is time_machine's (ticking). The new round is next year's,
so every frozen instant lies in the browser's future: the cookies the server sets (with their expiry) stay
valid for Chromium, which keeps the real clock. The screenshot of the leader's page is written to
``test-artifacts/next-round-leader.png``.
"""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application, CustomQuestion
from notifications.models import Notification
from probation.models import CheckItem, CheckResult, Leader, RuleChange, RuleNotice
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import roles
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_custom_questions import add_question, log_in, new_page
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    BasicCheckMonthFactory,
    CampaignFactory,
    CooperationCaseFactory,
    UserFactory,
)
from tests.probation.factories import ActivityFactory, LeaderFactory
from tests.probation.test_services import relax
from tests.reviews.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = date.today().year + 1  # the new round: next year, so the frozen clock is ahead of the browser's
MONTHS = (YEAR - 2024) * 12
SLUG = f"{YEAR}-nx"
NAME = f"淘宝联盟拓客型招商团长招募（{YEAR}）"
APPLYING = beijing(YEAR, 4, 10, 10)  # the copied application window is 04-01 00:00:00 – 04-25 23:59:59
DECIDING = beijing(YEAR, 8, 6, 10)  # the day after the check item's due time (08-05 12:00:00)
ADDED = (f"新增考核项：extra:july – 七月直播推广活动: 新推广活动个数 ≥ 1, {YEAR}-07-01 00:00:00 – "
         f"{YEAR}-07-31 23:59:59, 考核时点 {YEAR}-08-05 12:00:00")  # what, from (none), to: a row of 规则变更记录
NOTICE = "七月新增考核项“七月直播推广活动”，请按要求完成。"


@pytest.fixture
def source(db):
    """The 2024 campaign with its basic-check months (a flushed database lost the migration's rows), and the
    staff: a campaign admin and a round-1 reviewer."""
    roles.ensure_roles()  # the migrated role groups, which an earlier transactional test's flush removed
    campaign = CampaignFactory()
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=date(2024, month, 1))
    staff_with_role(roles.CAMPAIGN_ADMIN, username="round-admin")
    staff_with_role(roles.ROUND1_REVIEWER, username="round-reader")
    return campaign


def copy_and_set_up(page, url, source):
    """The campaign admin: 复制为新一轮, make the copy current, add a custom question and a check item."""
    page.goto(f"{url}/admin/recruitment/campaign/{source.pk}/change/")
    page.click("#campaign-copy-link")
    page.fill("[name=name]", NAME)
    page.fill("[name=slug]", SLUG)
    page.fill("[name=months]", str(MONTHS))
    page.click("[name=_preview]")
    assert page.input_value("[name=application_opens_at]") == f"{YEAR}-04-01 00:00:00"
    assert page.input_value("[name=application_closes_at]") == f"{YEAR}-04-25 23:59:59"
    assert page.input_value("[name=probation_ends_on]") == f"{YEAR}-08-31"
    page.fill("[name=window_618_starts_at]", f"{YEAR}-05-13 20:00:00")  # the 618 window is set by hand
    page.click("[name=_confirm]")
    new = Campaign.objects.get(slug=SLUG)
    page.wait_for_url(f"{url}/admin/recruitment/campaign/{new.pk}/change/")
    assert (new.name, new.is_current, new.window_618_starts_at) == (NAME, False, beijing(YEAR, 5, 13, 20))

    page.goto(f"{url}/admin/recruitment/campaign/")
    page.check(f"[name=_selected_action][value='{new.pk}']")
    page.select_option("[name=action]", "make_current")
    page.click("[name=index]")
    page.wait_for_selector(".messagelist")
    assert Campaign.objects.current() == new

    add_question(page, url, new, new_section_title="直播能力", label="月均直播场次", kind="number",
                 position=1, required=True)

    page.goto(f"{url}/admin/probation/checkitem/add/")
    page.select_option("#id_campaign", str(new.pk))  # the form's, not the header's campaign switcher
    page.fill("[name=code]", "extra:july")
    page.fill("[name=name]", "七月直播推广活动")
    page.select_option("[name=measure]", "activities")
    for name, day, time in [("starts_at", f"{YEAR}-07-01", "00:00:00"), ("ends_at", f"{YEAR}-07-31", "23:59:59"),
                            ("due_at", f"{YEAR}-08-05", "12:00:00")]:
        page.fill(f"[name={name}_0]", day)
        page.fill(f"[name={name}_1]", time)
    page.fill("[name=threshold]", "1")
    page.click("[name=_save]")
    page.wait_for_url("**/admin/probation/checkitem/")
    return new


def test_a_copied_round_gets_a_question_and_a_check_item_that_decide_and_tell_a_leader(live_server, chromium, source):
    url = live_server.url
    applicant = UserFactory(username="next-round@example.com", email="next-round@example.com")

    with time_machine.travel(APPLYING, tick=True):
        boss = new_page(chromium)
        log_in(boss, f"{url}/admin/login/?next=/admin/", "round-admin")
        boss.wait_for_url("**/admin/")
        new = copy_and_set_up(boss, url, source)
        boss.context.close()

        question = CustomQuestion.objects.get()  # the only one: in the new round, not the source
        assert (question.campaign, question.label, question.kind, question.required) == (
            new, "月均直播场次", "number", True)
        item = CheckItem.objects.get()
        assert (item.campaign, item.code, item.measure, str(item.threshold),
                item.starts_at, item.ends_at, item.due_at) == (
            new, "extra:july", "activities", "1.00", beijing(YEAR, 7, 1), beijing(YEAR, 7, 31, 23, 59, 59),
            beijing(YEAR, 8, 5, 12))
        change = RuleChange.objects.get(campaign=new)
        assert (change.what, change.from_value, change.changed_by.username) == (
            "新增考核项：extra:july", "", "round-admin")
        added = timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M:%S")  # the clock ticks

        # The applicant: a draft complete but for the new section, which is answered in the browser.
        draft = ApplicationFactory(campaign=new, applicant=applicant, company_name="杭州下一轮网络科技有限公司")
        CooperationCaseFactory(application=draft)
        AttachmentFactory(application=draft)
        page = new_page(chromium)
        log_in(page, f"{url}/accounts/login/", applicant.username)
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(f"{url}/apply/overview/")
        page.click("a.q-edit >> nth=4")  # the new section's edit link, after the four built-in form sections
        page.wait_for_selector("h1:has-text('直播能力')")
        page.fill(f"#row-q{question.pk} input", "12")
        page.click("#btn-next")
        page.wait_for_url("**/apply/cases/")
        page.goto(f"{url}/apply/declaration/")
        page.check("[name=declaration_accepted]")
        page.click("#btn-submit")
        page.wait_for_url("**/status/")
        page.context.close()
        draft.refresh_from_db()
        assert draft.status == ApplicationStatus.SUBMITTED
        assert [(entry["label"], entry["value"]) for entry in draft.custom_answers.values()] == [("月均直播场次", "12")]

        reviewer = new_page(chromium)
        log_in(reviewer, f"{url}/admin/login/?next=/admin/", "round-reader")
        reviewer.wait_for_url("**/admin/")
        reviewer.goto(f"{url}/admin/applications/application/{draft.pk}/change/")
        answers = reviewer.locator("dl.custom-answers")
        assert (answers.locator("dt").all_inner_texts(), answers.locator("dd").all_inner_texts()) == (
            ["直播能力 · 月均直播场次"], ["12"])
        reviewer.context.close()

    # Selected and published (tested elsewhere): L1 leads through the application and ran one July activity;
    # L2, imported from the roster, ran none. Thresholds of the built-in checks at zero: only the item decides.
    Application.objects.filter(pk=draft.pk).update(status=ApplicationStatus.SELECTED)
    Campaign.objects.filter(pk=new.pk).update(published_at=beijing(YEAR, 5, 6))
    new.refresh_from_db()
    relax(new)
    granted = beijing(YEAR, 5, 6, 10)
    leader = LeaderFactory(campaign=new, leader_account="L1", application=draft, granted_at=granted)
    LeaderFactory(campaign=new, leader_account="L2", granted_at=granted)
    ActivityFactory(leader=leader, created_at=beijing(YEAR, 7, 10, 15))

    with time_machine.travel(DECIDING, tick=True):
        boss = new_page(chromium)
        log_in(boss, f"{url}/admin/login/?next=/admin/", "round-admin")
        boss.wait_for_url("**/admin/")
        boss.goto(f"{url}/admin/probation/board/data/?campaign={SLUG}&through={YEAR}-08-05")
        boss.click("#pb-mark-confirm button")
        boss.wait_for_url(f"**/admin/probation/board/?campaign={SLUG}")
        assert boss.locator(".messagelist li").first.inner_text() == f"已确认数据完整至 {YEAR}-08-05：关闭 1 个权限。"
        new.refresh_from_db()
        assert new.data_complete_until == beijing(YEAR, 8, 6)
        assert sorted(CheckResult.objects.filter(code="extra:july").values_list(
            "leader__leader_account", "passed", "metrics")) == [
            ("L1", True, {"activities": 1, "min_activities": 1}), ("L2", False, {"activities": 0, "min_activities": 1})]
        assert sorted(Leader.objects.filter(campaign=new).values_list(
            "leader_account", "status", "closed_at", "closure_reason")) == [
            ("L1", "probation", None, ""), ("L2", "closed", beijing(YEAR, 8, 5, 12), "extra:july")]

        boss.goto(f"{url}/admin/probation/rulenotice/add/?campaign={SLUG}")
        assert [" ".join(cells.split()) for cells in boss.locator("#pb-pending-changes tbody tr").all_inner_texts()] \
            == [f"{added} round-admin {ADDED}"]
        boss.fill("#pb-publish-rules [name=text]", NOTICE)
        boss.click("#pb-publish-rules [type=submit]")
        boss.wait_for_url("**/admin/probation/rulenotice/")
        boss.context.close()
        notice = RuleNotice.objects.get(campaign=new)
        assert (notice.text, notice.recipients, notice.published_by.username) == (NOTICE, 1, "round-admin")
        told = Notification.objects.filter(event__startswith="probation_rules:")
        assert sorted(told.values_list("recipient__username", "channel", "event")) == [
            (applicant.username, channel, f"probation_rules:{notice.pk}:{leader.pk}") for channel in ("email", "inapp")]

        page = new_page(chromium)
        log_in(page, f"{url}/accounts/login/", applicant.username)
        page.wait_for_url("**/status/")
        row = " ".join(page.inner_text("#item-extrajuly").split())
        assert row == (f"七月直播推广活动 新推广活动个数 · extra:july {YEAR}-07-01 00:00:00 – {YEAR}-07-31 23:59:59 "
                       f"1 ≥ 1 {YEAR}-08-05 12:00:00 已通过")
        changes = " ".join(page.inner_text("#probation-rule-changes tbody").split())
        assert changes == f"{added} {ADDED}"
        assert NOTICE in page.inner_text("#notifications")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "next-round-leader.png"), full_page=True)
        page.context.close()
