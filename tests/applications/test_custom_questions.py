"""Custom questions (自定义问题): where they go, when they bind, and answers that outlive the question."""

import pytest
from django.core.exceptions import ValidationError

from applications import questionnaire, services
from applications.enums import ApplicationStatus, QuestionKind
from applications.models import CustomQuestion
from recruitment.timeutils import beijing
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CampaignFactory,
    CooperationCaseFactory,
    CustomQuestionFactory,
)

pytestmark = pytest.mark.django_db


def slugs(sections):
    return [s.slug for s in sections]


def answer(application, question, value):
    """Store an answer the way saving the section does."""
    questionnaire.record_custom_answers(application, {question: value}, stored=application.custom_answers)
    application.save(update_fields=["custom_answers"])


# --- The campaign's questionnaire ------------------------------------------------------------------------


def test_sections_without_custom_questions_are_the_built_in_ones(campaign):
    assert questionnaire.sections_for(campaign) is questionnaire.SECTIONS


def test_sections_put_questions_in_their_section_and_new_sections_before_the_cases(campaign):
    later = CustomQuestionFactory(campaign=campaign, section="risk", label="近一年是否有违规记录", position=2)
    first = CustomQuestionFactory(campaign=campaign, section="risk", label="主营类目", position=1)
    plan = CustomQuestionFactory(campaign=campaign, section="", new_section_title="2025 年度规划", label="年度目标")
    other = CampaignFactory(slug="other", is_current=False)
    CustomQuestionFactory(campaign=other, section="identity", label="另一活动的问题")

    sections = questionnaire.sections_for(campaign)

    plan_slug = questionnaire.new_section_slug("2025 年度规划")
    assert slugs(sections) == [
        "identity", "risk", "qualifications", "assessment", plan_slug, "cases", "attachments", "declaration",
    ]
    by_slug = {s.slug: s for s in sections}
    assert by_slug["risk"].questions == (first, later)
    assert by_slug["identity"].questions == ()
    assert (by_slug[plan_slug].title, by_slug[plan_slug].kind, by_slug[plan_slug].questions) == (
        "2025 年度规划", "custom", (plan,)
    )
    assert questionnaire.next_section(by_slug["assessment"], campaign).slug == plan_slug


# --- Required, conditions, progress --------------------------------------------------------------------------


def test_required_question_blocks_the_draft_until_answered(campaign, complete_draft):
    question = CustomQuestionFactory(campaign=campaign, label="团队是否有专职直播人员", required=True)

    before = [(m.section.slug, m.key, m.label) for m in questionnaire.missing_answers(complete_draft)]
    answer(complete_draft, question, "有，3 人")
    after = questionnaire.missing_answers(complete_draft)

    assert before == [("assessment", f"q{question.pk}", "团队是否有专职直播人员")]
    assert after == []
    assert questionnaire.progress(complete_draft) == 100


def test_required_question_stops_a_submission_and_is_listed(campaign, complete_draft, applicant):
    CustomQuestionFactory(campaign=campaign, label="团队是否有专职直播人员", required=True)

    with pytest.raises(services.IncompleteApplication) as refused:
        services.submit_application(complete_draft, actor=applicant, now=beijing(2024, 4, 20, 10))

    complete_draft.refresh_from_db()
    assert [m.label for m in refused.value.missing] == ["团队是否有专职直播人员"]
    assert complete_draft.status == ApplicationStatus.DRAFT


def test_required_question_added_after_submission_binds_drafts_only(campaign, submitted, draft_of_other):
    CustomQuestionFactory(campaign=campaign, label="新增必答题", required=True)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at == beijing(2024, 4, 20, 10)
    assert [m.label for m in questionnaire.missing_answers(draft_of_other)] == ["新增必答题"]


@pytest.fixture
def draft_of_other(campaign, other_applicant):
    application = ApplicationFactory(campaign=campaign, applicant=other_applicant)
    CooperationCaseFactory(application=application)
    AttachmentFactory(application=application)
    return application


@pytest.fixture
def live_streaming(campaign):
    """A yes/no question and a required question shown only when it is answered yes."""
    asks = CustomQuestionFactory(campaign=campaign, label="是否做直播", kind=QuestionKind.YES_NO, position=1)
    detail = CustomQuestionFactory(
        campaign=campaign, label="直播间数量", kind=QuestionKind.NUMBER, required=True, position=2,
        condition_question=asks, condition_value="yes",
    )
    return asks, detail


@pytest.mark.parametrize(("streams", "required"), [(None, False), (False, False), (True, True)])
def test_conditional_question_is_required_only_when_its_condition_holds(
    complete_draft, live_streaming, streams, required
):
    asks, detail = live_streaming
    if streams is not None:
        answer(complete_draft, asks, streams)

    missing = [m.key for m in questionnaire.missing_answers(complete_draft)]

    assert missing == ([f"q{detail.pk}"] if required else [])
    assert questionnaire.question_applies(complete_draft, detail) is required


@pytest.mark.parametrize(("ticked", "applies"), [([], False), (["抖音"], False), (["抖音", "快手"], True)])
def test_condition_on_a_multiple_choice_holds_when_the_value_is_ticked(campaign, draft, ticked, applies):
    platforms = CustomQuestionFactory(
        campaign=campaign, label="在哪些平台开播", kind=QuestionKind.MULTIPLE_CHOICE, choices="抖音\n快手\n视频号"
    )
    kuaishou = CustomQuestionFactory(
        campaign=campaign, label="快手账号", condition_question=platforms, condition_value="快手"
    )
    answer(draft, platforms, ticked or None)

    assert questionnaire.question_applies(draft, kuaishou) is applies


def test_answer_to_a_question_whose_condition_stops_holding_is_dropped_on_save(complete_draft, live_streaming):
    asks, detail = live_streaming
    answer(complete_draft, asks, True)
    answer(complete_draft, detail, "3")

    questionnaire.record_custom_answers(
        complete_draft, {asks: False, detail: "3"}, stored=complete_draft.custom_answers
    )

    assert complete_draft.custom_answers == {str(asks.pk): {"label": "是否做直播", "kind": "yes_no", "value": False}}


def test_progress_counts_required_custom_questions_that_apply(complete_draft, live_streaming):
    asks, _detail = live_streaming
    answer(complete_draft, asks, True)

    # 29 built-in required answers and checks that are given, plus the unanswered 直播间数量.
    assert questionnaire.progress(complete_draft) == round(100 * 29 / 30)


# --- Answers outlive the question ---------------------------------------------------------------------------


def test_answer_keeps_the_question_text_it_answered(campaign, submitted):
    question = CustomQuestionFactory(campaign=campaign, label="主营类目")
    answer(submitted, question, "食品生鲜")

    CustomQuestion.objects.filter(pk=question.pk).update(label="主营类目（请写一级类目）", required=True)
    section = questionnaire.get_section("assessment", campaign)
    shown = questionnaire.answers(submitted, section)[-1]

    assert (shown["name"], shown["label"], shown["value"]) == (f"q{question.pk}", "主营类目", "食品生鲜")
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_answer_to_a_removed_question_is_kept_and_shown_as_removed(campaign, submitted):
    kept = CustomQuestionFactory(campaign=campaign, label="主营类目")
    removed = CustomQuestionFactory(campaign=campaign, label="是否有仓储", kind=QuestionKind.YES_NO)
    answer(submitted, kept, "食品生鲜")
    answer(submitted, removed, True)

    removed.delete()
    submitted.refresh_from_db()

    assert submitted.custom_answers[str(kept.pk)]["value"] == "食品生鲜"
    assert [(a["label"], a["value"]) for a in questionnaire.removed_answers(submitted)] == [("是否有仓储", "是")]
    assert [(str(s), label, str(v)) for s, label, v, _file in questionnaire.custom_answer_rows(submitted)] == [
        ("重点考核（拓客资源与计划）", "主营类目", "食品生鲜"),
        ("已删除的问题", "是否有仓储", "是"),
    ]


def test_answer_given_under_another_type_is_shown_but_not_reused(campaign, draft):
    question = CustomQuestionFactory(campaign=campaign, label="成立年份")
    answer(draft, question, "2019 年")

    CustomQuestion.objects.filter(pk=question.pk).update(kind=QuestionKind.NUMBER)
    question.refresh_from_db()
    shown = questionnaire.answers(draft, questionnaire.get_section("assessment", campaign))[-1]

    assert questionnaire.stored_answer(draft, question) is None
    assert (shown["label"], shown["value"]) == ("成立年份", "2019 年")


# --- The question itself (model validation) ------------------------------------------------------------------


def errors_of(question):
    with pytest.raises(ValidationError) as invalid:
        question.full_clean()
    return {field: [str(m) for m in messages] for field, messages in invalid.value.message_dict.items()}


def test_question_needs_exactly_one_of_a_section_and_a_new_section(campaign):
    both = CustomQuestionFactory.build(campaign=campaign, section="risk", new_section_title="新部分")
    neither = CustomQuestionFactory.build(campaign=campaign, section="", new_section_title=" ")

    message = ["请选择问卷中已有的部分，或填写新部分标题（二者选一）。"]
    assert errors_of(both) == {"new_section_title": message}
    assert errors_of(neither) == {"new_section_title": message}


def test_choice_question_needs_two_choices(campaign):
    question = CustomQuestionFactory.build(campaign=campaign, kind=QuestionKind.SINGLE_CHOICE, choices="只有一项\n \n")

    assert errors_of(question) == {"choices": ["请至少填写两个选项，每行一个。"]}


def test_condition_must_be_a_choice_question_of_the_same_campaign_and_one_of_its_answers(campaign):
    text = CustomQuestionFactory(campaign=campaign)
    elsewhere = CustomQuestionFactory(campaign=CampaignFactory(slug="x", is_current=False), kind=QuestionKind.YES_NO)
    choice = CustomQuestionFactory(campaign=campaign, kind=QuestionKind.SINGLE_CHOICE, choices="A 类\nB 类")

    assert errors_of(CustomQuestionFactory.build(campaign=campaign, condition_question=text, condition_value="x")) == {
        "condition_question": ["只有单选、多选或是/否问题可以作为显示条件。"]
    }
    assert errors_of(
        CustomQuestionFactory.build(campaign=campaign, condition_question=elsewhere, condition_value="是")
    ) == {"condition_question": ["请选择同一活动中的另一个问题。"]}
    assert errors_of(
        CustomQuestionFactory.build(campaign=campaign, condition_question=choice, condition_value="C 类")
    ) == {"condition_value": ["请填写该问题的一个可选回答。"]}
    assert errors_of(CustomQuestionFactory.build(campaign=campaign, condition_value="A 类")) == {
        "condition_value": ["填写了条件值，但未选择条件问题。"]
    }
    valid = CustomQuestionFactory.build(campaign=campaign, condition_question=choice, condition_value="B 类")
    valid.full_clean()
    assert valid.condition_value == "B 类"


@pytest.mark.parametrize(("typed", "stored"), [("是", "yes"), ("Yes", "yes"), ("否", "no"), ("no", "no")])
def test_yes_no_condition_is_stored_as_yes_or_no(campaign, typed, stored):
    asks = CustomQuestionFactory(campaign=campaign, kind=QuestionKind.YES_NO)
    question = CustomQuestionFactory.build(campaign=campaign, condition_question=asks, condition_value=typed)

    question.full_clean()

    assert question.condition_value == stored
