"""Custom questions in the applicant's questionnaire: the same pages, saving, errors and read-only views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import questionnaire
from applications.enums import QuestionKind
from tests.factories import AttachmentFactory, CustomQuestionFactory

pytestmark = pytest.mark.django_db

PLAN = "2025 年度规划"


def section_url(slug):
    return reverse("applications:section", args=[slug])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def plan(campaign):
    """A new section of three questions: a yes/no, a number shown only on yes, a multiple choice."""
    streams = CustomQuestionFactory(
        campaign=campaign, section="", new_section_title=PLAN, label="是否做直播", kind=QuestionKind.YES_NO,
        required=True, position=1,
    )
    rooms = CustomQuestionFactory(
        campaign=campaign, section="", new_section_title=PLAN, label="直播间数量", kind=QuestionKind.NUMBER,
        help_text="按自有直播间计算", required=True, position=2, condition_question=streams, condition_value="yes",
    )
    platforms = CustomQuestionFactory(
        campaign=campaign, section="", new_section_title=PLAN, label="计划拓展的平台",
        kind=QuestionKind.MULTIPLE_CHOICE, choices="抖音\n快手\n视频号", position=3,
    )
    return streams, rooms, platforms


def plan_url():
    return section_url(questionnaire.new_section_slug(PLAN))


def test_new_section_is_a_step_with_its_questions(logged_in, draft, plan, inside_window):
    streams, rooms, platforms = plan

    response = logged_in.get(plan_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert [step["section"].title for step in response.context["steps"]][4] == PLAN
    assert f"<h1>{PLAN}</h1>" in page
    assert f'id="row-q{rooms.pk}" data-depends-on="q{streams.pk}" data-depends-value="True"' in page
    assert f'<span class="help" id="id_q{rooms.pk}_helptext">按自有直播间计算</span>' in page
    assert page.count(f'name="q{platforms.pk}"') == 3
    assert response.context["next_section"].slug == "cases"


def test_saving_the_section_stores_each_answer_with_its_question(logged_in, draft, plan, inside_window):
    streams, rooms, platforms = plan

    response = logged_in.post(plan_url(), {
        f"q{streams.pk}": "True", f"q{rooms.pk}": "3", f"q{platforms.pk}": ["抖音", "视频号"], "action": "next",
    })

    assert response["Location"] == section_url("cases")
    draft.refresh_from_db()
    assert draft.custom_answers == {
        str(streams.pk): {"label": "是否做直播", "kind": "yes_no", "value": True},
        str(rooms.pk): {"label": "直播间数量", "kind": "number", "value": "3"},
        str(platforms.pk): {"label": "计划拓展的平台", "kind": "multiple_choice", "value": ["抖音", "视频号"]},
    }
    page = logged_in.get(plan_url()).content.decode()
    assert f'name="q{rooms.pk}" value="3"' in page
    assert f'value="视频号" id="field-q{platforms.pk}_2" checked' in page


def test_section_with_an_invalid_answer_keeps_what_was_typed_and_saves_nothing(logged_in, draft, plan, inside_window):
    streams, rooms, platforms = plan

    response = logged_in.post(plan_url(), {
        f"q{streams.pk}": "True", f"q{rooms.pk}": "三个", f"q{platforms.pk}": ["快手"], "action": "save",
    })

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="q{rooms.pk}" value="三个"' in page
    assert f'value="快手" id="field-q{platforms.pk}_1" checked' in page
    assert page.count('class="form-row field-error') == 1
    assert messages_of(response) == ["部分内容需要修改（已标红），本部分尚未保存。"]
    draft.refresh_from_db()
    assert draft.custom_answers == {}


def test_question_in_a_built_in_section_is_saved_with_that_section(logged_in, draft, campaign, inside_window):
    question = CustomQuestionFactory(campaign=campaign, section="risk", label="近一年是否有违规处罚",
                                     kind=QuestionKind.SINGLE_CHOICE, choices="没有\n有")

    logged_in.post(section_url("risk"), {
        "entity_type": "company", "previous_permission": "never", f"q{question.pk}": "没有", "action": "save",
    })

    draft.refresh_from_db()
    assert (draft.entity_type, draft.previous_permission) == ("company", "never")
    assert draft.custom_answers == {
        str(question.pk): {"label": "近一年是否有违规处罚", "kind": "single_choice", "value": "没有"}
    }


def test_missing_required_answer_shows_in_progress_and_overview(logged_in, complete_draft, plan, inside_window):
    streams, _rooms, _platforms = plan

    response = logged_in.get(reverse("applications:overview"))

    assert [(m.section.title, m.label) for m in response.context["missing"]] == [(PLAN, "是否做直播")]
    assert response.context["progress"] == round(100 * 29 / 30)
    block = next(b for b in response.context["sections"] if b.get("section").title == PLAN)
    assert [(a["label"], a["value"]) for a in block["answers"]] == [
        ("是否做直播", None), ("直播间数量", None), ("计划拓展的平台", None),
    ]


def test_submitted_answers_are_read_only_and_keep_their_text(logged_in, submitted, plan, inside_window):
    streams, rooms, platforms = plan
    submitted.custom_answers = {
        str(streams.pk): {"label": "是否做直播", "kind": "yes_no", "value": True},
        str(rooms.pk): {"label": "直播间数量", "kind": "number", "value": "3"},
        "999": {"label": "已删除的旧问题", "kind": "short_text", "value": "旧回答"},
    }
    submitted.save(update_fields=["custom_answers"])
    rooms.label = "自有直播间数量（个）"
    rooms.save()

    page = logged_in.get(plan_url())
    post = logged_in.post(plan_url(), {f"q{streams.pk}": "False", "action": "save"})
    overview = logged_in.get(reverse("applications:overview")).content.decode()

    assert page.context["form"] is None
    assert f'<dd class="readonly-field" id="answer-q{rooms.pk}">3</dd>' in page.content.decode()
    assert post.status_code == 403
    submitted.refresh_from_db()
    assert submitted.custom_answers[str(streams.pk)]["value"] is True
    assert "<dt>直播间数量</dt>" in overview
    assert "自有直播间数量（个）" not in overview
    assert 'id="overview-removed"' in overview
    assert '<dd class="readonly-field" id="answer-q999">旧回答</dd>' in overview


def test_unknown_new_section_is_404(logged_in, draft, inside_window):
    response = logged_in.get(section_url(questionnaire.new_section_slug("没有的部分")))

    assert response.status_code == 404


def test_get_of_a_section_with_custom_questions_writes_nothing(logged_in, draft, plan, inside_window):
    before = (draft.updated_at, draft.custom_answers)

    logged_in.get(plan_url())

    draft.refresh_from_db()
    assert (draft.updated_at, draft.custom_answers) == before


# --- File answers ---------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def licence(campaign):
    """A file question and a short text in a new section."""
    upload = CustomQuestionFactory(campaign=campaign, section="", new_section_title=PLAN, label="仓储证明",
                                   kind=QuestionKind.FILE, required=True, position=1)
    note = CustomQuestionFactory(campaign=campaign, section="", new_section_title=PLAN, label="仓储说明", position=2)
    return upload, note


def test_file_answer_is_checked_and_stored_as_an_attachment(logged_in, draft, licence, inside_window):
    upload, note = licence

    response = logged_in.post(plan_url(), {
        f"q{upload.pk}": SimpleUploadedFile("仓储证明.pdf", PDF), f"q{note.pk}": "自有仓 2000 平", "action": "save",
    })

    assert response["Location"] == plan_url()
    attachment = draft.attachments.get()
    assert (attachment.kind, attachment.original_name, attachment.description, attachment.content_type) == (
        "answer", "仓储证明.pdf", "仓储证明", "application/pdf"
    )
    draft.refresh_from_db()
    assert draft.custom_answers[str(upload.pk)] == {
        "label": "仓储证明", "kind": "file", "value": {"attachment": attachment.pk, "name": "仓储证明.pdf"},
    }
    page = logged_in.get(plan_url()).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "已上传：仓储证明.pdf。再次上传将替换该文件。" in page
    assert [m.label for m in questionnaire.missing_answers(draft, questionnaire.get_section(
        questionnaire.new_section_slug(PLAN), draft.campaign))] == []


def test_file_answer_of_a_refused_type_is_a_form_error_and_nothing_is_saved(logged_in, draft, licence, inside_window):
    upload, note = licence

    response = logged_in.post(plan_url(), {
        f"q{upload.pk}": SimpleUploadedFile("证明.pdf", b"just text, not a PDF"), f"q{note.pk}": "自有仓",
        "action": "save",
    })

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="row-q{upload.pk}"' in page and page.count('class="form-row field-error') == 1
    assert f'name="q{note.pk}" value="自有仓"' in page
    assert draft.attachments.count() == 0
    draft.refresh_from_db()
    assert draft.custom_answers == {}


def test_saving_without_a_new_file_keeps_it_and_a_new_file_replaces_it(logged_in, draft, licence, inside_window):
    upload, note = licence
    logged_in.post(plan_url(), {f"q{upload.pk}": SimpleUploadedFile("一.pdf", PDF), "action": "save"})
    first = draft.attachments.get()

    logged_in.post(plan_url(), {f"q{note.pk}": "补充说明", "action": "save"})
    draft.refresh_from_db()
    kept = draft.custom_answers[str(upload.pk)]["value"]
    logged_in.post(plan_url(), {f"q{upload.pk}": SimpleUploadedFile("二.pdf", PDF), "action": "save"})
    draft.refresh_from_db()

    assert kept == {"attachment": first.pk, "name": "一.pdf"}
    second = draft.attachments.get()
    assert second.pk != first.pk
    assert draft.custom_answers[str(upload.pk)]["value"] == {"attachment": second.pk, "name": "二.pdf"}


def test_file_answer_is_linked_read_only_and_served_to_its_owner_only(
    logged_in, client, submitted, licence, other_applicant
):
    upload, _note = licence
    attachment = AttachmentFactory(application=submitted, kind="answer", original_name="仓储证明.pdf")
    held = {"attachment": attachment.pk, "name": "仓储证明.pdf"}
    submitted.custom_answers = {str(upload.pk): {"label": "仓储证明", "kind": "file", "value": held}}
    submitted.save(update_fields=["custom_answers"])
    url = reverse("applications:attachment", args=[attachment.pk])

    overview = logged_in.get(reverse("applications:overview")).content.decode()
    mine = logged_in.get(url)
    client.force_login(other_applicant)
    theirs = client.get(url)

    assert f'<dd class="readonly-field" id="answer-q{upload.pk}"><a href="{url}">仓储证明.pdf</a></dd>' in overview
    assert (mine.status_code, theirs.status_code) == (200, 404)
