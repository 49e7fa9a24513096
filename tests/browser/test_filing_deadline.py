"""After the filing deadline, in the browser: the risk officer closes out a non-filer from the round-2 queue
(preview, then confirm), the applicant reads 备案已截止, the campaign admin reopens the filing with a reason,
and the applicant sees the filing form again."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from recruitment.models import Campaign
from reviews import roles
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import SubmittedApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret-pass-2024"
S = ApplicationStatus


@pytest.fixture
def campaign(db):
    """In review: the window closed three days ago, the filing deadline yesterday, results in a week."""
    now = timezone.localtime()
    Campaign.objects.update(is_current=False)
    roles.ensure_roles()
    return CampaignFactory(
        slug="browser-filing", name="浏览器备案截止测试", is_current=True,
        application_opens_at=now - timedelta(days=20), application_closes_at=now - timedelta(days=3),
        filing_deadline=now - timedelta(days=1), results_published_at=now + timedelta(days=7),
    )


def staff(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, url, username):
    page.goto(url)
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click("main form [type=submit]" if "/accounts/" in url else "#login-form [type=submit]")


def test_a_non_filer_is_closed_out_and_its_filing_reopened(live_server, chromium, campaign):
    applicant = UserFactory(username="late@example.com")
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=S.FILING,
                                              company_name="杭州迟到网络科技有限公司")
    risk, boss = staff("risk", roles.RISK_OFFICER), staff("boss", roles.CAMPAIGN_ADMIN)
    url = live_server.url

    def page_of(user, start):
        page = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        log_in(page, start, user.username)
        return page

    desk = page_of(risk, f"{url}/admin/login/?next=/admin/reviews/riskqueue/")
    desk.wait_for_url("**/admin/reviews/riskqueue/")
    assert "初审通过，待系统备案" in desk.text_content("#changelist")
    desk.check(f"input[name=_selected_action][value='{application.pk}']")
    desk.select_option("select[name=action]", "close_out_non_filers")
    desk.click("button[name=index]")
    assert "关闭（未按时备案）" in desk.text_content("#close-out-preview")
    assert Application.objects.get(pk=application.pk).status == S.FILING  # the preview wrote nothing
    desk.click("#btn-close-out")
    desk.wait_for_selector(".messagelist")
    assert "已将 1 个申请关闭为未按时备案。" in desk.text_content(".messagelist")

    watcher = page_of(applicant, f"{url}/accounts/login/?next=/status/")
    watcher.wait_for_url("**/status/")
    assert "备案已截止" in watcher.text_content("#status-text")
    assert watcher.query_selector("#filing-form") is None

    office = page_of(boss, f"{url}/admin/login/?next=/admin/reviews/riskqueue/?status__exact=filing_lapsed")
    office.wait_for_url("**/admin/reviews/riskqueue/**")
    office.check(f"input[name=_selected_action][value='{application.pk}']")
    office.select_option("select[name=action]", "reopen_filing")
    office.click("button[name=index]")
    office.fill("textarea[name=reason]", "申请人截止当天系统故障，经核实恢复")
    office.click("#btn-reopen-filing")
    office.wait_for_selector(".messagelist")
    assert "1 个申请已恢复为待备案，并已通知申请人。" in office.text_content(".messagelist")

    watcher.reload()
    assert "初审已通过" in watcher.text_content("#status-text")
    assert watcher.query_selector("#filing-form") is not None
    assert Application.objects.get(pk=application.pk).status == S.FILING
