"""Staff take one application from submission to publication while the applicant watches /status/; staff work a
campaign in review and another in probation side by side."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from applications import services
from applications.enums import ApplicationStatus
from probation.models import Leader
from recruitment.models import Campaign
from reviews import roles
from reviews.models import ChecklistItem, CommitteeMember
from reviews.setup import copy_review_setup
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CooperationCaseFactory, UserFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    RubricCriterionFactory,
    ScoreSheetFactory,
    SubmittedApplicationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret-pass-2024"


@pytest.fixture
def campaign(db):
    """Window open now and, for the test's sake, the results date already reached."""
    now = timezone.localtime()
    template = CampaignFactory()  # the 2024 campaign and its review set-up
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(
        slug="browser-review", name="浏览器审核测试", is_current=True,
        application_opens_at=now - timedelta(days=3), application_closes_at=now + timedelta(days=3),
        results_published_at=now - timedelta(minutes=1),
    )
    copy_review_setup(template, campaign)
    if not campaign.rubric.exists():  # a flushed database lost the migration's defaults
        RubricCriterionFactory(campaign=campaign, name="新商家资源", weight=30)
        RubricCriterionFactory(campaign=campaign, name="历史合作案例", weight=25)
        ChecklistItem.objects.create(campaign=campaign, text="问卷各部分填写完整")
    roles.ensure_roles()
    return campaign


def staff(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, url, username):
    page.goto(url)
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click("main form [type=submit]" if "/accounts/" in url else "#login-form [type=submit]")


def test_staff_carry_an_application_to_publication_while_the_applicant_watches(live_server, chromium, campaign):
    applicant = UserFactory(username="watcher@example.com")
    draft = ApplicationFactory(campaign=campaign, applicant=applicant, company_name="杭州围观网络科技有限公司")
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    services.submit_application(draft, actor=applicant)
    reviewer, judge = staff("reviewer", roles.ROUND1_REVIEWER), staff("judge", roles.FINAL_COMMITTEE)
    CommitteeMember.objects.create(campaign=campaign, member=judge)  # the campaign's whole committee
    boss = staff("boss", roles.CAMPAIGN_ADMIN)
    url = live_server.url

    def context():
        return chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")

    watcher = context().new_page()
    log_in(watcher, f"{url}/accounts/login/?next=/status/", applicant.username)
    watcher.wait_for_url("**/status/")
    assert "审核中" in watcher.text_content("#status-text")

    # Round 1: the reviewer passes it from the round-1 queue.
    desk = context().new_page()
    log_in(desk, f"{url}/admin/login/?next=/admin/reviews/round1queue/", reviewer.username)
    desk.wait_for_url("**/admin/reviews/round1queue/")
    desk.check(f"input[name=_selected_action][value='{draft.pk}']")
    desk.select_option("select[name=action]", "pass_round1")
    desk.click("button[name=index]")
    for item in desk.locator("[name=checked_items]").all():  # the whole checklist
        item.check()
    desk.click("#btn-decide")
    desk.wait_for_url("**/admin/reviews/round1queue/")

    # Round 2: the applicant files; the risk rules run and move it to the final review.
    watcher.reload()
    assert "初审已通过" in watcher.text_content("main")
    watcher.fill("[name=legal_representative]", "张伟")
    watcher.fill("[name=legal_representative_id_number]", "11010519491231002X")
    watcher.fill("[name=registered_address]", "浙江省杭州市余杭区文一西路 969 号")
    watcher.fill("[name=business_address]", "浙江省杭州市余杭区文一西路 969 号 3 楼")
    watcher.fill("[name=settlement_account_name]", draft.company_name)
    watcher.check("[name=associated_accounts_confirmed]")
    watcher.check("[name=rules_accepted]")
    watcher.click("#btn-file")
    watcher.wait_for_url("**/status/")
    assert "审核中" in watcher.text_content("#status-text")
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.FINAL_REVIEW

    # Round 3: a committee member scores it.
    bench = context().new_page()
    log_in(bench, f"{url}/admin/login/?next=/admin/reviews/finalreviewqueue/{draft.pk}/score/", judge.username)
    bench.wait_for_url(f"**/admin/reviews/finalreviewqueue/{draft.pk}/score/")
    for field in bench.locator("input[type=number]").all():
        field.fill("8")
    bench.fill("[name=comment]", "新商家资源扎实")
    bench.click("input[type=submit].default")
    bench.wait_for_load_state()

    # Selection and publication by the campaign admin; the applicant still reads "under review" in between.
    office = context().new_page()
    log_in(office, f"{url}/admin/login/?next=/admin/reviews/finalreviewqueue/ranking/", boss.username)
    office.wait_for_url("**/ranking/**")
    office.click("button[name=decision][value=select]")
    office.wait_for_load_state()
    watcher.reload()
    assert "审核中" in watcher.text_content("#status-text")
    office.click("#publish-link")
    office.click("form:has(input[name=confirm]) input[type=submit]")
    office.wait_for_load_state()

    watcher.reload()
    assert "已入选" in watcher.text_content("#status-text")
    assert watcher.locator("#probation").count() == 1
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SELECTED
    assert Leader.objects.get(application=draft).leader_account == draft.alliance_account


# --- Two campaigns at once: one in review, one in probation ----------------------------------------------


@pytest.fixture
def two_campaigns(db):
    """``review``: window closed five days ago, review under way, results in three days; ``probation``: published
    a month ago, probation under way. Each holds its own applications."""
    now = timezone.localtime()
    today = now.date()
    Campaign.objects.update(is_current=False)
    review = CampaignFactory(
        slug="browser-in-review", name="浏览器 · 审核中的活动", is_current=True,
        application_opens_at=now - timedelta(days=20), application_closes_at=now - timedelta(days=5),
        review_starts_on=today - timedelta(days=4), review_ends_on=today + timedelta(days=2),
        results_published_at=now + timedelta(days=3),
    )
    probation = CampaignFactory(
        slug="browser-in-probation", name="浏览器 · 试用期中的活动", is_current=False,
        application_opens_at=now - timedelta(days=80), application_closes_at=now - timedelta(days=60),
        review_starts_on=today - timedelta(days=62), review_ends_on=today - timedelta(days=55),
        results_published_at=now - timedelta(days=30), published_at=now - timedelta(days=30),
        probation_starts_on=today - timedelta(days=25), probation_ends_on=today + timedelta(days=95),
    )
    SubmittedApplicationFactory.create_batch(2, campaign=review)
    finalists = FinalReviewApplicationFactory.create_batch(3, campaign=review)
    SubmittedApplicationFactory.create_batch(3, campaign=probation, status=ApplicationStatus.SELECTED)
    SubmittedApplicationFactory(campaign=probation, status=ApplicationStatus.NOT_SELECTED)
    roles.ensure_roles()
    return {"review": review, "probation": probation, "finalists": finalists}


def dashboard_count(page, table, label):
    """The count of the dashboard row ``label`` in the table ``#dashboard-<table>``."""
    return int(page.text_content(f"#dashboard-{table} tr:has(th:has-text('{label}')) td.count").strip())


def switch_to(page, campaign):
    """Choose ``campaign`` in the header's switch: a POST that redirects back to the page."""
    page.select_option("#workspace-campaign", str(campaign.pk))
    with page.expect_navigation():
        page.click("#workspace-switch-submit")
    assert page.eval_on_selector("#workspace-campaign", "el => el.value") == str(campaign.pk)


def rows(page):
    return page.locator("#result_list tbody tr").count()


def test_staff_work_a_campaign_in_review_and_another_in_probation_side_by_side(live_server, chromium, two_campaigns):
    review, probation = two_campaigns["review"], two_campaigns["probation"]
    judge, ops = staff("judge", roles.FINAL_COMMITTEE), staff("ops", roles.OPERATIONS)
    boss = staff("boss", roles.CAMPAIGN_ADMIN)
    CommitteeMember.objects.create(campaign=review, member=judge)  # the judge sits on the review's committee
    ScoreSheetFactory(application=two_campaigns["finalists"][0], reviewer=judge)
    url = live_server.url
    applications = f"{url}/admin/applications/application/"

    def desk(user):
        page = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        log_in(page, f"{url}/admin/login/?next=/admin/", user.username)
        page.wait_for_selector("#dashboard-campaign")
        return page

    # Each role opens on the campaign of its stage: the judge on the one in review, operations on probation.
    bench, office = desk(judge), desk(ops)
    assert bench.text_content("#dashboard-campaign") == f"工作活动：{review.name}"
    assert dashboard_count(bench, "queues", "终审：我尚未评分") == 2
    assert office.text_content("#dashboard-campaign") == f"工作活动：{probation.name}"
    assert (dashboard_count(office, "funnel", "已入选"), dashboard_count(office, "funnel", "已提交")) == (3, 0)
    office.goto(applications)
    assert rows(office) == 4

    # The campaign admin works on the campaign in review, then switches to the one in probation.
    boss_page = desk(boss)
    assert boss_page.eval_on_selector("#workspace-campaign", "el => el.value") == str(review.pk)
    assert (dashboard_count(boss_page, "funnel", "已提交"), dashboard_count(boss_page, "funnel", "已入选")) == (2, 0)
    switch_to(boss_page, probation)
    assert boss_page.text_content("#dashboard-campaign") == f"工作活动：{probation.name}"
    assert (dashboard_count(boss_page, "funnel", "已提交"), dashboard_count(boss_page, "funnel", "已入选")) == (0, 3)
    boss_page.goto(applications)
    assert rows(boss_page) == 4
    boss_page.goto(f"{applications}?campaign__id__exact={review.pk}")  # a campaign in the URL still wins
    assert rows(boss_page) == 5

    # Switching from a list comes back to the list, showing the campaign just chosen.
    switch_to(boss_page, review)
    assert boss_page.url == applications
    assert rows(boss_page) == 5

    # One member's switch leaves the others where they were.
    switch_to(bench, probation)
    assert dashboard_count(bench, "queues", "终审：我尚未评分") == 0
    office.goto(f"{url}/admin/")
    assert office.text_content("#dashboard-campaign") == f"工作活动：{probation.name}"

    # The choice is remembered per user, in a new session too.
    again = desk(judge)
    assert again.text_content("#dashboard-campaign") == f"工作活动：{probation.name}"
    switch_to(again, review)
    assert dashboard_count(again, "queues", "终审：我尚未评分") == 2
