"""A new user signs up, fills every section, uploads a file, submits and sees the status page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from recruitment.models import Campaign
from tests.factories import CampaignFactory
from tests.notifications import sms_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def open_campaign(db):
    now = timezone.localtime()
    Campaign.objects.update(is_current=False)
    return CampaignFactory(
        slug="browser-open",
        name="浏览器测试招募",
        is_current=True,
        application_opens_at=now - timedelta(days=3),
        application_closes_at=(now + timedelta(days=10)).replace(hour=23, minute=59, second=59, microsecond=0),
    )


def save_and_continue(page, section):
    page.click("#btn-next")
    page.wait_for_url(f"**/apply/{section}/")


def test_new_user_applies_end_to_end(live_server, page, open_campaign, tmp_path, sms):
    pdf = tmp_path / "营业执照.pdf"
    pdf.write_bytes(PDF)

    page.goto(f"{live_server.url}/")
    assert "浏览器测试招募" in page.text_content("h1")
    page.click("a.btn-primary[href*='/accounts/signup/']")
    page.wait_for_url("**/accounts/signup/**")
    page.fill("[name=identifier]", "13912345678")
    page.fill("[name=email]", "founder@example.com")
    page.fill("[name=password1]", "Tuoke-2024-secret")
    page.fill("[name=password2]", "Tuoke-2024-secret")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/signup/code/")  # the account waits for the SMS code
    ((number, _kind, params),) = sms_outbox.TEMPLATED
    assert number == "13912345678"
    page.fill("[name=code]", params["code"])
    page.click("#btn-code")
    page.wait_for_url("**/apply/")  # the start page: nothing is created until the button is pressed
    assert not Application.objects.exists()
    page.click("#btn-start-application")
    page.wait_for_url("**/apply/identity/")

    page.fill("[name=alliance_account]", "mm_browser_001")
    page.fill("[name=company_name]", "杭州浏览器网络科技有限公司")
    page.fill("[name=credit_code]", "91330106220000010U")
    page.fill("[name=incorporated_on]", "2019-03-01")
    page.fill("[name=registered_capital]", "500")
    page.fill("[name=contact_name]", "李娜")
    page.fill("[name=mobile]", "13912345678")
    page.fill("[name=email]", "founder@example.com")
    page.fill("[name=dingtalk_id]", "lina_ding")
    save_and_continue(page, "risk")

    page.check("[name=entity_type][value=company]")
    page.fill("[name=associated_accounts]", "mm_browser_002\nmm_browser_003")
    page.check("[name=previous_permission][value=never]")
    save_and_continue(page, "qualifications")

    page.fill("[name=years_in_business]", "5")
    page.fill("[name=team_total]", "30")
    page.fill("[name=team_recruiting]", "12")
    page.fill("[name=team_operations]", "8")
    page.check("[name=has_offsite_promotion][value=True]")
    page.fill("[name=offsite_promotion_detail]", "小红书与微信社群种草")
    page.check("[name=other_platform_roles][value=douyin]")
    page.fill("[name=other_platform_detail]", "抖音精选联盟团长两年")
    save_and_continue(page, "assessment")

    page.fill("[name=new_merchants_available]", "40")
    page.fill("[name=new_merchant_examples]", "义乌小商品源头工厂 15 家")
    page.fill("[name=industries]", "家居日用")
    page.fill("[name=channel_resources]", "产业带商会合作")
    page.check("[name=has_exclusive_channels][value=False]")
    page.fill("[name=target_gmv]", "800")
    page.fill("[name=target_new_merchants]", "20")
    page.fill("[name=media_plan]", "每月投入 10 万元用于站外内容投放")
    save_and_continue(page, "cases")

    page.fill("[name=cases-0-merchant_name]", "合作品牌甲")
    page.fill("[name=cases-0-platform]", "抖音")
    page.fill("[name=cases-0-description]", "负责商家招募与直播排期，半年成交 120 万元")
    save_and_continue(page, "attachments")

    page.set_input_files("input[type=file]", str(pdf))
    page.click("#btn-upload")
    page.wait_for_selector("text=营业执照.pdf")
    page.click("#btn-next")
    page.wait_for_url("**/apply/declaration/")

    page.check("[name=declaration_accepted]")
    page.click("#btn-submit")
    page.wait_for_url("**/status/")

    assert "已提交，审核中" in page.text_content("#status-text")
    application = Application.objects.get(alliance_account="mm_browser_001")
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applicant.username == "13912345678"
    assert application.associated_accounts == ["mm_browser_002", "mm_browser_003"]
    assert list(application.cases.values_list("merchant_name", flat=True)) == ["合作品牌甲"]
    assert list(application.attachments.values_list("original_name", "content_type")) == [
        ("营业执照.pdf", "application/pdf")
    ]
