import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from applications import questionnaire, services
from applications.enums import ApplicationStatus
from applications.models import Application, CooperationCase
from notifications.models import Notification
from recruitment.timeutils import beijing
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CampaignFactory,
    CooperationCaseFactory,
    UserFactory,
)

FORM_SECTIONS = ["identity", "risk", "qualifications", "assessment", "declaration"]


def section_url(slug):
    return reverse("applications:section", args=[slug])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def test_apply_first_visit_shows_the_start_page_and_creates_nothing(logged_in, applicant, campaign, inside_window):
    response = logged_in.get(reverse("applications:apply"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{reverse("applications:apply")}" id="start-form">' in page
    assert 'id="btn-start-application">开始填写</button>' in page
    assert 'id="earlier-applications"' not in page
    assert Application.objects.filter(applicant=applicant).exists() is False


def test_apply_start_button_creates_the_draft_and_opens_the_first_section(
    logged_in, applicant, campaign, inside_window
):
    response = logged_in.post(reverse("applications:apply"))

    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == section_url("identity")
    assert (application.campaign, application.status, application.email) == (campaign, "draft", applicant.email)
    again = logged_in.post(reverse("applications:apply"))  # a double click: the same draft
    assert again["Location"] == section_url("identity")
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_apply_start_page_of_an_account_with_an_earlier_application_links_to_the_status(
    logged_in, applicant, campaign, inside_window
):
    earlier = CampaignFactory(slug="2023-nx1", name="纳新 1.0", is_current=False)
    ApplicationFactory(campaign=earlier, applicant=applicant, status=ApplicationStatus.SELECTED)

    page = logged_in.get(reverse("applications:apply")).content.decode()

    assert f'<p id="earlier-applications"><a href="{reverse("applications:status")}">' in page
    assert Application.objects.filter(applicant=applicant, campaign=campaign).exists() is False


def test_apply_start_after_the_deadline_creates_nothing(logged_in, applicant, campaign, after_deadline):
    response = logged_in.post(reverse("applications:apply"))

    assert response.status_code == 200
    assert "本轮纳新已于北京时间 2024-04-25 23:59:59 截止报名。" in response.content.decode()
    assert Application.objects.filter(applicant=applicant).exists() is False


def test_apply_goes_to_the_first_incomplete_section(logged_in, draft, inside_window):
    response = logged_in.get(reverse("applications:apply"))

    assert response["Location"] == section_url("cases")


def test_apply_complete_or_submitted_goes_to_the_overview(logged_in, submitted, inside_window):
    response = logged_in.get(reverse("applications:apply"))

    assert response["Location"] == reverse("applications:overview")


def test_apply_after_the_deadline_without_application_creates_nothing(logged_in, applicant, campaign, after_deadline):
    response = logged_in.get(reverse("applications:apply"))

    assert response.status_code == 200
    assert "本轮纳新已于北京时间 2024-04-25 23:59:59 截止报名。" in response.content.decode()
    assert Application.objects.filter(applicant=applicant).exists() is False


def test_section_save_draft_keeps_the_answers(logged_in, applicant, campaign, inside_window):
    logged_in.post(reverse("applications:apply"))
    data = {"alliance_account": "mm_556677", "company_name": "宁波新拓电子商务有限公司", "mobile": "13912345678",
            "action": "save"}

    response = logged_in.post(section_url("identity"), data)

    assert response["Location"] == section_url("identity")
    application = Application.objects.get(applicant=applicant)
    assert (application.alliance_account, application.company_name, application.mobile) == (
        "mm_556677", "宁波新拓电子商务有限公司", "13912345678")
    assert application.status == ApplicationStatus.DRAFT
    page = logged_in.get(section_url("identity")).content.decode()
    assert 'value="宁波新拓电子商务有限公司"' in page


def test_section_save_and_continue_goes_to_the_next_section(logged_in, draft, inside_window):
    response = logged_in.post(section_url("risk"), {"entity_type": "company", "previous_permission": "cleared",
                                                     "previous_closed_on": "2023-09-30",
                                                     "associated_accounts": "mm_x\nmm_y", "action": "next"})

    assert response["Location"] == section_url("qualifications")
    draft.refresh_from_db()
    assert draft.associated_accounts == ["mm_x", "mm_y"]
    assert str(draft.previous_closed_on) == "2023-09-30"


def test_section_with_errors_keeps_the_typed_values_and_saves_nothing(logged_in, draft, inside_window):
    before = draft.company_name
    response = logged_in.post(section_url("identity"), {
        "alliance_account": draft.alliance_account, "company_name": "温州拓客科技有限公司",
        "credit_code": "91330106ABC", "mobile": "12345", "email": "bad@", "contact_name": "王强",
        "action": "save",
    })

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="温州拓客科技有限公司"' in page
    assert 'value="91330106ABC"' in page
    assert 'value="12345"' in page
    assert 'value="bad@"' in page
    assert 'value="王强"' in page
    assert page.count('class="form-row field-error"') == 3
    assert messages_of(response) == ["部分内容需要修改（已标红），本部分尚未保存。"]
    draft.refresh_from_db()
    assert draft.company_name == before


def test_section_duplicate_alliance_account_is_a_form_error(logged_in, draft, campaign, inside_window):
    ApplicationFactory(campaign=campaign, alliance_account="mm_taken")

    response = logged_in.post(section_url("identity"), {"alliance_account": "mm_taken", "action": "save"})

    assert response.status_code == 200
    assert "该淘宝联盟账号已在本轮纳新中提交过申请。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.alliance_account != "mm_taken"


def test_section_unknown_slug_is_404(logged_in, draft, inside_window):
    assert logged_in.get("/apply/nonsense/").status_code == 404


def test_sections_show_chinese_titles_and_bonus_marks(logged_in, draft, inside_window):
    page = logged_in.get(section_url("qualifications")).content.decode()

    assert "<h1>通用资质</h1>" in page
    assert page.count("加分项</span>") == 3
    for title in ["主体信息", "风险信息", "重点考核（拓客资源与计划）", "历史合作案例", "附件", "声明与提交"]:
        assert title in page
    assert "《淘宝联盟招商服务商管理规范》" in logged_in.get(section_url("risk")).content.decode()


def case_data(prefix="cases", rows=(), initial=0, extra=None):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "30", "action": "save"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    data.update(extra or {})
    return data


def test_cases_section_adds_and_removes_cases(logged_in, draft, inside_window):
    response = logged_in.post(section_url("cases"), case_data(rows=[
        {"merchant_name": "义乌袜业工厂", "platform": "抖音", "gmv": "88", "description": "招募并服务半年"},
        {"merchant_name": "", "description": ""},  # the blank row is ignored
    ]))

    assert response["Location"] == section_url("cases")
    case = CooperationCase.objects.get(application=draft)
    assert (case.merchant_name, case.platform, str(case.gmv)) == ("义乌袜业工厂", "抖音", "88.00")

    logged_in.post(section_url("cases"), case_data(initial=1, rows=[
        {"id": str(case.pk), "merchant_name": case.merchant_name, "description": "x", "DELETE": "on"},
    ]))
    assert CooperationCase.objects.filter(application=draft).exists() is False


def test_cases_section_without_js_renders_a_blank_case_and_the_template(logged_in, draft, inside_window):
    CooperationCaseFactory(application=draft, merchant_name="老客户品牌")

    page = logged_in.get(section_url("cases")).content.decode()

    assert 'value="老客户品牌"' in page
    assert 'name="cases-TOTAL_FORMS" value="2"' in page
    assert 'name="cases-__prefix__-merchant_name"' in page
    assert 'id="add-case" hidden' in page


def test_cases_section_invalid_case_keeps_values(logged_in, draft, inside_window):
    response = logged_in.post(section_url("cases"), case_data(rows=[
        {"merchant_name": "快手服饰店", "gmv": "-3", "description": "直播招商"},
    ]))

    assert response.status_code == 200
    assert 'value="快手服饰店"' in response.content.decode()
    assert CooperationCase.objects.filter(application=draft).exists() is False


def submit(client):
    return client.post(section_url("declaration"), {"declaration_accepted": "on", "action": "submit"})


@pytest.mark.parametrize(
    ("moment", "submitted"),
    [
        (beijing(2024, 3, 31, 23, 59, 59), False),
        (beijing(2024, 4, 1, 0, 0, 0), True),
        (beijing(2024, 4, 25, 23, 59, 59), True),
        (beijing(2024, 4, 26, 0, 0, 0), False),
    ],
)
def test_submit_through_the_view_at_the_window_boundaries(logged_in, complete_draft, moment, submitted):
    complete_draft.declaration_accepted = False
    complete_draft.save()

    with time_machine.travel(moment, tick=False):
        response = submit(logged_in)

    complete_draft.refresh_from_db()
    assert complete_draft.declaration_accepted is True
    if submitted:
        assert response["Location"] == reverse("applications:status")
        assert complete_draft.status == ApplicationStatus.SUBMITTED
        assert complete_draft.submitted_at == moment
    else:
        assert response["Location"] == section_url("declaration")
        assert complete_draft.status == ApplicationStatus.DRAFT
        assert complete_draft.submitted_at is None


def test_submit_after_the_deadline_shows_why(logged_in, complete_draft, after_deadline):
    response = submit(logged_in)

    page = logged_in.get(response["Location"]).content.decode()
    assert "报名已于北京时间 2024-04-25 23:59:59 截止，无法再提交。" in page


def test_submit_incomplete_is_refused_and_lists_what_is_missing(logged_in, draft, inside_window):
    response = submit(logged_in)

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    page = logged_in.get(response["Location"]).content.decode()
    assert "申请信息尚不完整，还缺少：至少一个历史合作案例、至少一份证明材料。" in page
    assert "还有 2 项未完成，补全后才能提交：" in page
    assert f'href="{section_url("cases")}#field-cases"' in page
    assert f'href="{section_url("attachments")}#field-attachments"' in page


def test_submit_through_the_view_sends_the_confirmation_once(
    logged_in, complete_draft, inside_window, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(logged_in)
        submit(logged_in)  # a double click: the second is refused, no second e-mail

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "申请已收到：淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）"


def test_submit_twice_answers_the_second_like_the_first(logged_in, complete_draft, inside_window):
    first = submit(logged_in)
    first_messages = messages_of(logged_in.get(first["Location"]))
    second = submit(logged_in)  # the same form again: a double click, a resent request
    second_messages = messages_of(logged_in.get(second["Location"]))

    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"]) == (
        302, reverse("applications:status"),
    )
    assert first_messages == second_messages == ["申请已提交，确认邮件将随后发出。"]
    assert list(complete_draft.status_changes.values_list("from_status", "to_status")) == [("draft", "submitted")]


def test_submit_of_a_withdrawn_application_shows_the_locked_page(logged_in, submitted, applicant, inside_window):
    services.withdraw_application(submitted, actor=applicant)

    response = submit(logged_in)

    assert response.status_code == 403
    assert "申请已提交，确认邮件将随后发出。" not in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN


def test_submit_by_an_account_without_e_mail_says_a_text_message_is_on_its_way(client, campaign, inside_window):
    account = UserFactory(username="13900001111", email="", mobile="13900001111")
    draft = ApplicationFactory(campaign=campaign, applicant=account, declaration_accepted=False)
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    client.force_login(account)

    response = submit(client)

    assert messages_of(client.get(response["Location"])) == ["申请已提交，确认短信将随后发出。"]
    (row,) = Notification.objects.filter(application=draft)
    assert (row.channel, row.address) == ("sms", "13900001111")


FIELD_NAMES = {
    slug: list(questionnaire.get_section(slug).fields) for slug in FORM_SECTIONS
}


@pytest.mark.parametrize("slug", [s.slug for s in questionnaire.SECTIONS])
def test_submitted_sections_are_read_only(logged_in, submitted, inside_window, slug):
    page = logged_in.get(section_url(slug)).content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]

    assert re.findall(r"<(textarea|select)\b", main) == []
    assert re.findall(r'<input (?![^>]*name="csrfmiddlewaretoken")', main) == []
    assert 'id="btn-save"' not in main
    assert "该申请状态为“已提交”，内容仅供查看，不能修改。" in main


def test_submitted_identity_shows_the_answers(logged_in, submitted, inside_window):
    page = logged_in.get(section_url("identity")).content.decode()

    assert f'<dd class="readonly-field" id="answer-company_name">{submitted.company_name}</dd>' in page


@pytest.mark.parametrize("slug", [s.slug for s in questionnaire.SECTIONS])
def test_submitted_sections_refuse_posts(logged_in, submitted, inside_window, slug):
    before = Application.objects.filter(pk=submitted.pk).values().get()
    cases_before = list(submitted.cases.values())
    files_before = list(submitted.attachments.values())

    response = logged_in.post(section_url(slug), {
        "company_name": "改名公司", "declaration_accepted": "", "action": "submit",
        **case_data(rows=[{"merchant_name": "新案例", "description": "x"}]),
    })

    assert response.status_code == 403
    assert "您的申请已提交，内容和附件不能再修改。" in response.content.decode()
    assert Application.objects.filter(pk=submitted.pk).values().get() == before
    assert list(submitted.cases.values()) == cases_before
    assert list(submitted.attachments.values()) == files_before


def test_overview_shows_every_answer_read_only(logged_in, submitted, inside_window):
    page = logged_in.get(reverse("applications:overview")).content.decode()

    assert "提交时间：北京时间 2024-04-20 10:00:00。" in page
    assert submitted.company_name in page
    assert submitted.cases.get().merchant_name in page
    assert "licence.pdf" in page
    assert "<textarea" not in page
    assert page.count('<span class="badge badge-ok">已完成</span>') == len(questionnaire.SECTIONS)


# --- 《淘宝联盟招商服务商管理规范》 where the applicant accepts it ---------------------------------------------

RULES_URL = "https://rule.alimama.com/#!/product/index?type=detail&id=405&knowledgeId=11002966"
RULES_LINK = (
    '<a href="https://rule.alimama.com/#!/product/index?type=detail&amp;id=405&amp;knowledgeId=11002966" '
    'target="_blank" rel="noopener noreferrer">《淘宝联盟招商服务商管理规范》</a>'
)


def test_the_declaration_links_the_management_rules_it_asks_to_accept(logged_in, draft, inside_window):
    response = logged_in.get(section_url("declaration"))

    content = response.content.decode()
    assert f"请阅读{RULES_LINK}（在新窗口打开淘宝联盟规则中心）。" in content
    assert content.index("field-declaration_accepted") < content.index(RULES_LINK)


def test_the_submitted_declaration_and_the_overview_link_the_rules_too(logged_in, submitted, inside_window):
    declaration = logged_in.get(section_url("declaration"))
    overview = logged_in.get(reverse("applications:overview"))

    assert RULES_LINK in declaration.content.decode()
    assert RULES_LINK in overview.content.decode()


@pytest.mark.parametrize("slug", ["identity", "risk", "qualifications", "assessment"])
def test_sections_that_ask_no_acceptance_carry_no_rules_link(logged_in, draft, inside_window, slug):
    response = logged_in.get(section_url(slug))

    assert "management-rules" not in response.content.decode()


def test_the_rules_link_follows_the_setting(logged_in, draft, inside_window, settings):
    settings.MANAGEMENT_RULES_URL = "https://rule.alimama.com/new-rules"

    response = logged_in.get(section_url("declaration"))

    assert '<a href="https://rule.alimama.com/new-rules" target="_blank"' in response.content.decode()
