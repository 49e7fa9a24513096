"""The custom questions a campaign copied as the next round takes along (``recruitment.copying``): every
question with its section, wording, type, choices, requirement and position, and each condition pointing at
the copy of the question it pointed at. Answers are applicants' data and are never copied."""

from .models import CustomQuestion

COPIED_FIELDS = ["section", "new_section_title", "label", "help_text", "kind", "choices", "required",
                 "condition_value", "position"]


def copy_custom_questions(source, target, *, months):
    """Copy ``source``'s custom questions into ``target``; returns the count."""
    questions = list(source.custom_questions.order_by("position", "id"))
    copies = CustomQuestion.objects.bulk_create(
        CustomQuestion(campaign=target, **{name: getattr(question, name) for name in COPIED_FIELDS})
        for question in questions
    )
    copy_of = {question.pk: copy for question, copy in zip(questions, copies, strict=True)}
    conditional = []
    for question, copy in zip(questions, copies, strict=True):
        if question.condition_question_id is not None:
            copy.condition_question = copy_of[question.condition_question_id]
            conditional.append(copy)
    CustomQuestion.objects.bulk_update(conditional, ["condition_question"])
    return {"custom_questions": len(copies)}
