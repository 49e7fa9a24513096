"""Staff take one application from submission to publication while the applicant watches /status/."""

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
from tests.reviews.factories import RubricCriterionFactory

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
