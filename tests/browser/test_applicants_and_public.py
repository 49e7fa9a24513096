"""In the browser: operations reset a mobile-only applicant's password (the applicant sets a new one with the
SMS code), and the public finds the results announcement from the home page."""

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import roles
from tests.factories import CampaignFactory, UserFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-2024"  # tests.factories.UserFactory's
NEW_PASSWORD = "Tuoke-new-start-2024"


def test_operations_reset_a_mobile_only_applicant_who_then_sets_a_new_password(live_server, page, sms):
    CampaignFactory()
    staff_with_role(roles.OPERATIONS, username="ops-browser")
    UserFactory(username="13900000001", mobile="13900000001", email="")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("[name=username]", "ops-browser")
    page.fill("[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/accounts/user/?q=13900000001")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "reset_password")
    page.click("button[name=index]")
    assert "13900000001" in page.text_content("#reset-accounts")
    page.click("#btn-reset")
    page.wait_for_selector(".messagelist .success")

    message = page.text_content(".messagelist .success")
    assert "设置新密码的一次性验证码正通过短信发送至 13900000001（账号 13900000001）" in message
    ((number, kind, params),) = sms
    assert (number, kind) == ("13900000001", "password_reset_code")
    assert params["code"] not in page.content()
    row = Notification.objects.get()
    assert (row.requested_by.username, row.body, row.sms_params) == ("ops-browser", "", {})

    applicant = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    applicant.goto(f"{live_server.url}/accounts/login/")
    applicant.click("#link-reset-sms")
    applicant.wait_for_url("**/accounts/password/reset/sms/")
    applicant.click("text=我已有验证码")
    applicant.wait_for_url("**/accounts/password/reset/sms/code/")
    applicant.fill("[name=mobile]", "13900000001")
    applicant.fill("[name=code]", params["code"])
    applicant.fill("[name=new_password1]", NEW_PASSWORD)
    applicant.fill("[name=new_password2]", NEW_PASSWORD)
    applicant.click("#btn-reset")
    applicant.wait_for_url("**/accounts/password/reset/done/")
    assert get_user_model().objects.get(username="13900000001").check_password(NEW_PASSWORD) is True
    applicant.context.close()


def test_the_public_finds_the_selected_companies_from_the_home_page(live_server, page):
    Campaign.objects.update(is_current=False)
    published = CampaignFactory(
        slug="browser-published", name="浏览器公示招募", is_current=True,
        results_published_at=beijing(2024, 5, 6), published_at=beijing(2024, 5, 6),
    )
    LeaderFactory(campaign=published, company_name="杭州公示科技有限公司", leader_account="mm_100001")

    page.goto(f"{live_server.url}/")
    page.click("#results-link")
    page.wait_for_url("**/results/")

    cells = page.locator("#results-table-browser-published tbody td").all_text_contents()
    assert cells == ["1", "杭州公示科技有限公司", "mm*****01"]
