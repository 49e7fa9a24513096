"""Custom questions for staff: the campaign admin edits them; reviewers read the answers; the export has a
column each."""

import csv
import io

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import QuestionKind
from applications.models import CustomQuestion
from applications.resources import ApplicationResource
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import AttachmentFactory, CustomQuestionFactory, UserFactory
from tests.reviews.factories import FinalReviewApplicationFactory, judge_of, staff_with_role

pytestmark = pytest.mark.django_db

QUESTIONS = "admin:applications_customquestion_changelist"
ADD = "admin:applications_customquestion_add"
EXPORT = "admin:applications_application_export"


def answered(application, question, value, label=None):
    application.custom_answers = {
        **application.custom_answers,
        str(question.pk): {"label": label or question.label, "kind": question.kind, "value": value},
    }
    application.save(update_fields=["custom_answers"])
    return application


@pytest.fixture
def live(campaign):
    return CustomQuestionFactory(campaign=campaign, label="是否做直播", kind=QuestionKind.YES_NO, position=1)


@pytest.fixture
def rooms(campaign):
    return CustomQuestionFactory(
        campaign=campaign, section="", new_section_title="2025 年度规划", label="直播间数量",
        kind=QuestionKind.NUMBER, position=2,
    )


# --- The campaign admin edits the questions -----------------------------------------------------------------


def test_campaign_admin_adds_a_question_to_the_campaign_worked_on(client, campaign):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    form = client.get(reverse(ADD))
    response = client.post(reverse(ADD), {
        "campaign": campaign.pk, "section": "qualifications", "new_section_title": "", "position": "5",
        "label": "是否有自有仓储", "help_text": "含第三方代管仓", "kind": "yes_no", "choices": "",
        "required": "on", "condition_question": "", "condition_value": "",
    })

    assert form.context["adminform"].form.initial["campaign"] == campaign.pk
    assert response.status_code == 302
    question = CustomQuestion.objects.get()
    assert (question.campaign, question.section, question.label, question.help_text) == (
        campaign, "qualifications", "是否有自有仓储", "含第三方代管仓"
    )
    assert (question.kind, question.required, question.position) == ("yes_no", True, 5)


def test_admin_form_refuses_an_invalid_condition(client, campaign, live):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    response = client.post(reverse(ADD), {
        "campaign": campaign.pk, "section": "assessment", "position": "2", "label": "直播间数量",
        "kind": "number", "condition_question": live.pk, "condition_value": "也许",
    })

    assert response.status_code == 200
    assertContains(response, "请填写该问题的一个可选回答。")
    assert CustomQuestion.objects.count() == 1


def test_changing_a_question_keeps_the_answers_given(client, campaign, live, submitted):
    answered(submitted, live, True)
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    client.post(reverse("admin:applications_customquestion_change", args=[live.pk]), {
        "campaign": campaign.pk, "section": "assessment", "position": "1", "label": "是否开展直播业务",
        "kind": "yes_no", "required": "on",
    })
    client.post(reverse("admin:applications_customquestion_delete", args=[live.pk]), {"post": "yes"})

    submitted.refresh_from_db()
    assert CustomQuestion.objects.exists() is False
    assert submitted.custom_answers == {str(live.pk): {"label": "是否做直播", "kind": "yes_no", "value": True}}
    assert submitted.status == "submitted"


@pytest.mark.parametrize("role", [ROUND1_REVIEWER, RISK_OFFICER, FINAL_COMMITTEE, OPERATIONS, None])
def test_other_roles_cannot_see_or_edit_the_questions(client, campaign, live, role):
    client.force_login(staff_with_role(role) if role else UserFactory(is_staff=True))

    pages = [
        client.get(reverse(QUESTIONS)).status_code,
        client.get(reverse(ADD)).status_code,
        client.post(reverse("admin:applications_customquestion_change", args=[live.pk]), {"label": "改"}).status_code,
    ]

    assert pages == [403, 403, 403]
    live.refresh_from_db()
    assert live.label == "是否做直播"


def test_question_list_shows_the_campaign_worked_on(client, campaign, live, rooms):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    response = client.get(reverse(QUESTIONS))

    assert [q.label for q in response.context["cl"].result_list] == ["是否做直播", "直播间数量"]
    assertContains(response, "2025 年度规划")


# --- Reviewers read the answers -------------------------------------------------------------------------------


def test_round1_reviewer_reads_the_answers_on_the_application_page(client, campaign, live, rooms, submitted):
    answered(submitted, live, True)
    answered(submitted, rooms, "3")
    client.force_login(staff_with_role(ROUND1_REVIEWER))

    response = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))

    assertContains(response, "<dt>重点考核（拓客资源与计划） · 是否做直播</dt><dd>是</dd>", html=False)
    assertContains(response, "<dt>2025 年度规划 · 直播间数量</dt><dd>3</dd>", html=False)


def test_staff_without_the_view_permission_do_not_read_the_answers(client, live, submitted):
    answered(submitted, live, True)
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))

    assert response.status_code == 403


def test_application_page_of_a_campaign_without_custom_questions_has_no_such_block(admin_client, submitted):
    response = admin_client.get(reverse("admin:applications_application_change", args=[submitted.pk]))

    assertNotContains(response, "custom-answers")


def test_judge_reads_the_answers_on_the_score_page(client, campaign, live, rooms):
    finalist = answered(answered(FinalReviewApplicationFactory(campaign=campaign), live, False), rooms, "2")
    finalist.custom_answers["999"] = {"label": "已删除的旧问题", "kind": "short_text", "value": "旧回答"}
    finalist.save(update_fields=["custom_answers"])
    client.force_login(judge_of(campaign))

    response = client.get(reverse("admin:reviews_finalreviewqueue_score", args=[finalist.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    blocks = [(str(b["section"]["title"] if isinstance(b["section"], dict) else b["section"].title),
               [(a["label"], a["value"]) for a in b["answers"]][-1]) for b in response.context["sections"]]
    assert blocks[3] == ("重点考核（拓客资源与计划）", ("是否做直播", "否"))
    assert blocks[4:] == [("2025 年度规划", ("直播间数量", "2")), ("已删除问题的回答", ("已删除的旧问题", "旧回答"))]
    assert "<dt>直播间数量</dt>" in page


# --- Export ------------------------------------------------------------------------------------------------


def export_form():
    data = {"format": "0", "resource": "0"}
    data.update({f"applicationresource_{name}": "on" for name in ApplicationResource().get_export_order()})
    return data


def test_export_has_one_column_per_question_and_one_per_removed_question(admin_client, live, rooms, submitted):
    answered(submitted, live, True)
    answered(submitted, rooms, "12.5")
    submitted.custom_answers["999"] = {"label": "已删除的旧问题", "kind": "short_text", "value": "=1+1"}
    submitted.save(update_fields=["custom_answers"])

    response = admin_client.post(reverse(EXPORT), export_form())

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["是否做直播", "直播间数量", "已删除的旧问题"]
    assert rows[1][0] == str(submitted.pk)
    assert rows[1][-3:] == ["是", "12.5", "'=1+1"]


def test_export_of_an_application_without_answers_leaves_the_cells_empty(admin_client, live, submitted):
    response = admin_client.post(reverse(EXPORT), export_form())

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0][-1], rows[1][-1]) == ("是否做直播", "")


def test_file_answer_is_a_download_link_for_reviewers_and_its_name_in_the_export(client, campaign, submitted):
    question = CustomQuestionFactory(campaign=campaign, label="仓储证明", kind=QuestionKind.FILE)
    attachment = AttachmentFactory(application=submitted, kind="answer", original_name="仓储证明.pdf")
    answered(submitted, question, {"attachment": attachment.pk, "name": "仓储证明.pdf"})
    reviewer = staff_with_role(ROUND1_REVIEWER)
    client.force_login(reviewer)
    url = reverse("applications:attachment", args=[attachment.pk])

    page = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))
    download = client.get(url)
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))
    rows = list(csv.reader(io.StringIO(client.post(reverse(EXPORT), export_form()).content.decode("utf-8-sig"))))

    link = f'<dt>重点考核（拓客资源与计划） · 仓储证明</dt><dd><a href="{url}">仓储证明.pdf</a></dd>'
    assertContains(page, link, html=False)
    assert download.status_code == 200
    assert (rows[0][-1], rows[1][-1]) == ("仓储证明", "仓储证明.pdf")
