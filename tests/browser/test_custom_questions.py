"""The campaign admin adds custom questions in the admin; an applicant answers them (a conditional one appears
when its condition holds), submits, and a round-1 reviewer reads the answers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import CustomQuestion
from recruitment.models import Campaign
from reviews import roles
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CampaignFactory,
    CooperationCaseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret-pass-2024"


@pytest.fixture
def open_campaign(db):
    roles.ensure_roles()  # the migrated role groups, which an earlier transactional test's flush removed
    now = timezone.localtime()
    Campaign.objects.update(is_current=False)
    return CampaignFactory(
        slug="browser-questions",
        name="浏览器自定义问题测试",
        is_current=True,
        application_opens_at=now - timedelta(days=3),
        application_closes_at=(now + timedelta(days=10)).replace(hour=23, minute=59, second=59, microsecond=0),
    )


def staff(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def new_page(chromium):
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def log_in(page, url, username):
    page.goto(url)
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click("main form [type=submit]" if "/accounts/" in url else "#login-form [type=submit]")


def add_question(page, url, campaign, **fields):
    page.goto(f"{url}/admin/applications/customquestion/add/")
    page.select_option("#id_campaign", str(campaign.pk))  # the form's, not the header's campaign switcher
    if "section" in fields:
        page.select_option("[name=section]", fields["section"])
    page.fill("[name=new_section_title]", fields.get("new_section_title", ""))
    page.fill("[name=label]", fields["label"])
    page.select_option("[name=kind]", fields["kind"])
    page.fill("[name=choices]", fields.get("choices", ""))
    page.fill("[name=position]", str(fields["position"]))
    if fields.get("required"):
        page.check("[name=required]")
    if "condition_question" in fields:
        page.select_option("[name=condition_question]", str(fields["condition_question"].pk))
        page.fill("[name=condition_value]", fields["condition_value"])
    page.click("[name=_save]")
    page.wait_for_url("**/admin/applications/customquestion/")


def test_admin_adds_questions_applicant_answers_reviewer_reads(live_server, chromium, open_campaign):
    url = live_server.url
    applicant = UserFactory(username="asker@example.com")
    draft = ApplicationFactory(campaign=open_campaign, applicant=applicant, company_name="杭州问答网络科技有限公司")
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)

    boss = new_page(chromium)
    log_in(boss, f"{url}/admin/login/?next=/admin/", staff("boss", roles.CAMPAIGN_ADMIN).username)
    boss.wait_for_url("**/admin/")
    add_question(boss, url, open_campaign, new_section_title="直播能力", label="是否做直播", kind="single_choice",
                 choices="做\n不做", position=1, required=True)
    streams = CustomQuestion.objects.get(label="是否做直播")
    add_question(boss, url, open_campaign, new_section_title="直播能力", label="直播间数量", kind="number",
                 position=2, required=True, condition_question=streams, condition_value="做")

    page = new_page(chromium)
    log_in(page, f"{url}/accounts/login/", applicant.username)
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(f"{url}/apply/overview/")
    page.click("a.q-edit >> nth=4")  # the new section's edit link, after the four built-in form sections
    page.wait_for_selector("h1:has-text('直播能力')")
    rooms = page.locator(f"#row-q{CustomQuestion.objects.get(label='直播间数量').pk}")
    assert rooms.is_hidden()
    page.check(f"[name=q{streams.pk}][value=做]")
    assert rooms.is_visible()
    rooms.locator("input").fill("3")
    page.click("#btn-next")
    page.wait_for_url("**/apply/cases/")
    page.goto(f"{url}/apply/declaration/")
    page.check("[name=declaration_accepted]")
    page.click("#btn-submit")
    page.wait_for_url("**/status/")

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert {entry["label"]: entry["value"] for entry in draft.custom_answers.values()} == {
        "是否做直播": "做", "直播间数量": "3",
    }

    reviewer = new_page(chromium)
    log_in(reviewer, f"{url}/admin/login/?next=/admin/", staff("reader", roles.ROUND1_REVIEWER).username)
    reviewer.wait_for_url("**/admin/")
    reviewer.goto(f"{url}/admin/applications/application/{draft.pk}/change/")
    answers = reviewer.text_content("dl.custom-answers")
    assert "直播能力 · 是否做直播做" in answers
    assert "直播能力 · 直播间数量3" in answers
