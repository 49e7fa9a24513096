"""The questionnaire (问卷): its sections, what each asks, and what a complete answer needs.

A draft may be saved with any answer missing; ``missing_answers`` lists what still blocks submission
(announcement §2 入围评选规则). Forms, the progress bar, the summary before submitting and
``services.submit_application`` all read this one definition.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import AttachmentKind, PreviousPermissionOutcome, QuestionKind
from .models import Application, CustomQuestion

CLOSED_OUTCOMES = {PreviousPermissionOutcome.CLOSED, PreviousPermissionOutcome.CLEARED}


@dataclass(frozen=True)
class Condition:
    """``field`` must be answered when ``applies(application)`` is true."""

    field: str
    applies: Callable[[Application], bool]


@dataclass(frozen=True)
class Check:
    """A requirement that is not one field (e.g. at least one cooperation case)."""

    key: str
    label: str
    passes: Callable[[Application], bool]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str = ""
    kind: str = "form"  # form | custom (a new section of custom questions only) | cases | attachments | declaration
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    checks: tuple[Check, ...] = ()
    bonus: tuple[str, ...] = field(default=())
    questions: tuple[CustomQuestion, ...] = ()  # the campaign's custom questions, after the built-in fields

    @property
    def rules_url(self):
        """The 《淘宝联盟招商服务商管理规范》 the declaration accepts (``settings.MANAGEMENT_RULES_URL``), linked
        where it is accepted; empty for the other sections."""
        return settings.MANAGEMENT_RULES_URL if self.kind == "declaration" else ""

    def is_required(self, name, application=None):
        if name in self.required:
            return True
        return any(c.field == name and (application is None or c.applies(application)) for c in self.conditions)


@dataclass(frozen=True)
class Missing:
    section: Section
    key: str
    label: str

    @property
    def anchor(self):
        return f"field-{self.key}"


SECTIONS = (
    Section(
        slug="identity",
        title=_("Applicant identity"),
        intro=_("The company that applies and the person we contact about the application."),
        fields=(
            "alliance_account", "company_name", "credit_code", "incorporated_on", "registered_capital",
            "contact_name", "mobile", "email", "dingtalk_id",
        ),
        required=(
            "alliance_account", "company_name", "credit_code", "incorporated_on", "registered_capital",
            "contact_name", "mobile", "email", "dingtalk_id",
        ),
    ),
    Section(
        slug="risk",
        title=_("Risk information"),
        intro=_(
            "Every applicant must meet the Taobao Alliance leader management rules "
            "(《淘宝联盟招商服务商管理规范》), including the company requirement and the number of "
            "associated accounts. Applicants who do not are refused."
        ),
        fields=("entity_type", "associated_accounts", "previous_permission", "previous_closed_on"),
        required=("entity_type", "previous_permission"),
        conditions=(Condition("previous_closed_on", lambda a: a.previous_permission in CLOSED_OUTCOMES),),
    ),
    Section(
        slug="qualifications",
        title=_("General qualifications"),
        intro=_(
            "A stable, healthy company with a reasonably staffed team. Off-site promotion work, similar "
            "roles on other platforms and other Taobao Alliance partner identities are bonus items."
        ),
        fields=(
            "years_in_business", "team_total", "team_recruiting", "team_operations",
            "has_offsite_promotion", "offsite_promotion_detail",
            "other_platform_roles", "other_platform_detail", "other_alliance_identities",
        ),
        required=("years_in_business", "team_total", "team_recruiting", "team_operations", "has_offsite_promotion"),
        conditions=(
            Condition("offsite_promotion_detail", lambda a: a.has_offsite_promotion is True),
            Condition("other_platform_detail", lambda a: bool(a.other_platform_roles)),
        ),
        bonus=("has_offsite_promotion", "other_platform_roles", "other_alliance_identities"),
    ),
    Section(
        slug="assessment",
        title=_("Key assessment: new-merchant resources and plan"),
        intro=_(
            "This round mainly admits leaders who can bring merchants new to Taobaoke. Describe your "
            "resources and abilities truthfully and back them with material."
        ),
        fields=(
            "new_merchants_available", "new_merchant_examples", "industries", "channel_resources",
            "has_exclusive_channels", "exclusive_channels_detail", "target_gmv", "target_new_merchants", "media_plan",
        ),
        required=(
            "new_merchants_available", "new_merchant_examples", "channel_resources", "has_exclusive_channels",
            "target_gmv", "target_new_merchants", "media_plan",
        ),
        conditions=(Condition("exclusive_channels_detail", lambda a: a.has_exclusive_channels is True),),
        bonus=("industries", "has_exclusive_channels"),
    ),
    Section(
        slug="cases",
        title=_("Historical cooperation cases"),
        intro=_("Merchants or brands you have recruited or served, on any platform. Add as many as you like."),
        kind="cases",
        checks=(Check("cases", _("At least one cooperation case"), lambda a: a.cases.exists()),),
    ),
    Section(
        slug="attachments",
        title=_("Attachments"),
        intro=_(
            "Business licence, case screenshots, data reports: PDF, PNG, JPEG or Excel files. Larger material "
            "can be uploaded after round 1."
        ),
        kind="attachments",
        checks=(
            Check(
                "attachments",
                _("At least one supporting file"),
                lambda a: a.attachments.filter(kind=AttachmentKind.SUPPORTING).exists(),
            ),
        ),
    ),
    Section(
        slug="declaration",
        title=_("Declaration and submission"),
        kind="declaration",
        fields=("declaration_accepted",),
        required=("declaration_accepted",),
    ),
)

SECTIONS_BY_SLUG = {s.slug: s for s in SECTIONS}


def get_section(slug, campaign=None):
    """The section ``slug`` (of ``campaign``'s questionnaire, with its custom questions, when given)."""
    if campaign is None:
        return SECTIONS_BY_SLUG.get(slug)
    return next((s for s in sections_for(campaign) if s.slug == slug), None)


def next_section(section, campaign=None):
    sections = SECTIONS if campaign is None else sections_for(campaign)
    slugs = [s.slug for s in sections]
    index = slugs.index(section.slug)
    return sections[index + 1] if index + 1 < len(sections) else None


# --- Custom questions (自定义问题) ---------------------------------------------------------------------


def new_section_slug(title):
    """A stable slug for a new section of custom questions (its title may be Chinese)."""
    return "more-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def sections_for(campaign):
    """The questionnaire of ``campaign``: the built-in sections, each with its custom questions, and the new
    sections of custom questions after the key assessment (in the order of their first question)."""
    questions = list(
        CustomQuestion.objects.filter(campaign=campaign).select_related("condition_question").order_by("position", "pk")
    )
    if not questions:
        return SECTIONS
    in_section, new = {}, {}
    for question in questions:
        if question.section:
            in_section.setdefault(question.section, []).append(question)
        else:
            new.setdefault(question.new_section_title.strip(), []).append(question)
    result = []
    for section in SECTIONS:
        if section.slug == "cases":
            result += [
                Section(slug=new_section_slug(title), title=title, kind="custom", questions=tuple(qs))
                for title, qs in new.items()
            ]
        if section.slug in in_section:
            section = replace(section, questions=tuple(in_section[section.slug]))
        result.append(section)
    return tuple(result)


def stored_answer(application, question):
    """The stored answer to ``question`` (its value), ``None`` if there is none or if it was given when the
    question had another type (it is then shown, under the type it was given in, but not reused)."""
    entry = (application.custom_answers or {}).get(str(question.pk))
    return entry.get("value") if entry and entry.get("kind") == question.kind else None


def stored_entry(application, question):
    """The stored answer's record: the question's text and type when answered and the value (or ``{}``)."""
    return (application.custom_answers or {}).get(str(question.pk)) or {}


def question_applies(application, question, _depth=0):
    """Whether ``question`` is asked of ``application``: it has no condition, or the answer to the
    question it depends on (itself asked) has the condition's value."""
    condition = question.condition_question
    if condition is None:
        return True
    if _depth > 10 or not question_applies(application, condition, _depth + 1):
        return False
    value = stored_answer(application, condition)
    if condition.kind == QuestionKind.YES_NO:
        return value is (question.condition_value == "yes")
    if isinstance(value, list):
        return question.condition_value in value
    return value == question.condition_value


def answer_text(kind, value):
    """A stored answer as people read it, or ``None`` when it is not answered."""
    if not is_answered(value):
        return None
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionKind.FILE:
        return value.get("name", "") if isinstance(value, dict) else str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def answer_attachment(entry):
    """The attachment number of a stored file answer (its download link), else ``None``."""
    value = (entry or {}).get("value")
    if entry and entry.get("kind") == QuestionKind.FILE and isinstance(value, dict):
        return value.get("attachment")
    return None


def answer_cell(kind, value):
    """A stored answer as a spreadsheet cell value: numbers as numbers and dates as dates."""
    if not is_answered(value):
        return None
    if kind == QuestionKind.NUMBER:
        return Decimal(str(value))
    if kind == QuestionKind.DATE:
        return date.fromisoformat(value)
    if kind == QuestionKind.YES_NO:
        return bool(value)
    return answer_text(kind, value)


def removed_answers(application, campaign_questions=None):
    """Answers to questions since deleted, with the text they answered (label, value), in answering order."""
    if campaign_questions is None:
        campaign_questions = CustomQuestion.objects.filter(campaign_id=application.campaign_id)
    current = {str(q.pk) for q in campaign_questions}
    return [
        {"name": f"q{key}", "label": entry.get("label", ""), "bonus": False, "required": False,
         "value": answer_text(entry.get("kind"), entry.get("value")), "attachment_id": answer_attachment(entry)}
        for key, entry in (application.custom_answers or {}).items()
        if key not in current and is_answered(entry.get("value"))
    ]


def is_answered(value):
    """``False`` is an answer (a "no"); ``None``, blank text and empty lists are not."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return bool(value)
    return True


def field_label(name):
    return Application._meta.get_field(name).verbose_name


def _section_missing(application, section):
    missing = []
    for name in section.fields:
        if not section.is_required(name, application):
            continue
        value = getattr(application, name)
        if name == "declaration_accepted":
            answered = value is True
        else:
            answered = is_answered(value)
        if not answered:
            missing.append(Missing(section, name, field_label(name)))
    for question in section.questions:
        if question.required and question_applies(application, question) and not is_answered(
            stored_answer(application, question)
        ):
            missing.append(Missing(section, question.field_name, question.label))
    for check in section.checks:
        if not check.passes(application):
            missing.append(Missing(section, check.key, check.label))
    return missing


def missing_answers(application, section=None, sections=None):
    """What still blocks submission, in questionnaire order (all sections, or only ``section``).

    Only a draft is ever checked (on submission, and on the draft's own pages): a required custom question
    added after an application was submitted binds the drafts, never that application.
    """
    if section is not None:
        sections = (section,)
    elif sections is None:
        sections = sections_for(application.campaign)
    return [m for s in sections for m in _section_missing(application, s)]


def section_states(application, current=None, sections=None, missing=None):
    """One row per section for the step list: the section, whether it is complete, and if current."""
    sections = sections or sections_for(application.campaign)
    if missing is None:
        missing = missing_answers(application, sections=sections)
    incomplete = {m.section.slug for m in missing}
    return [
        {"section": s, "done": s.slug not in incomplete, "current": current is not None and s.slug == current.slug}
        for s in sections
    ]


def progress(application, missing=None, sections=None):
    """Percentage of required answers given (conditional ones count only when they apply)."""
    sections = sections or sections_for(application.campaign)
    if missing is None:
        missing = missing_answers(application, sections=sections)
    total = 0
    for s in sections:
        total += sum(1 for name in s.fields if s.is_required(name, application)) + len(s.checks)
        total += sum(1 for q in s.questions if q.required and question_applies(application, q))
    if not total:
        return 100
    return round(100 * (total - len(missing)) / total)


def first_incomplete_section(application):
    missing = missing_answers(application)  # in the campaign's questionnaire
    return missing[0].section if missing else None


def display_value(application, name):
    """An answer as the applicant would read it, or ``None`` when it is not answered."""
    from .enums import OtherPlatform

    value = getattr(application, name)
    if not is_answered(value):
        return None
    model_field = Application._meta.get_field(name)
    if model_field.choices:
        return getattr(application, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "other_platform_roles":
        labels = dict(OtherPlatform.choices)
        return "、".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value


def answers(application, section):
    """The section's answers for read-only pages: label, value (``None`` if blank), bonus flag."""
    return [
        {
            "name": name,
            "label": field_label(name),
            "value": display_value(application, name),
            "bonus": name in section.bonus,
            "required": section.is_required(name, application),
        }
        for name in section.fields
    ] + [
        {
            "name": question.field_name,
            # The text the applicant answered, as answered (the question may have been reworded since).
            "label": stored_entry(application, question).get("label") or question.label,
            "value": answer_text(stored_entry(application, question).get("kind"),
                                 stored_entry(application, question).get("value")),
            "bonus": False,
            "required": question.required and question_applies(application, question),
            "attachment_id": answer_attachment(stored_entry(application, question)),
        }
        for question in section.questions
    ]


def record_custom_answers(application, values, *, stored):
    """Put one section's custom answers (question -> value or ``None``) on ``application``, over the answers
    ``stored`` in the database, each with the question's text and type as the applicant answered it.

    An answer to a question whose condition no longer applies is dropped, like a built-in conditional
    answer; answers to other sections' questions, and to questions since removed, are kept as they are.
    """
    answers = dict(stored or {})
    for question, value in values.items():
        answers[str(question.pk)] = {"label": question.label, "kind": question.kind, "value": value}
    application.custom_answers = answers
    for question in values:
        if answers[str(question.pk)]["value"] is None or not question_applies(application, question):
            answers.pop(str(question.pk), None)
    application.custom_answers = answers


def custom_answer_rows(application):
    """Every custom answer for staff pages: (section title, question text answered, answer or ``None``,
    attachment number of a file answer or ``None``), the campaign's questions in questionnaire order, then
    the answers to questions since removed."""
    sections = sections_for(application.campaign)
    rows = []
    questions = []
    for section in sections:
        for answer in answers(application, section)[len(section.fields):]:
            rows.append((section.title, answer["label"], answer["value"], answer["attachment_id"]))
        questions += section.questions
    removed = removed_answers(application, questions)
    rows += [(_("Questions since removed"), a["label"], a["value"], a["attachment_id"]) for a in removed]
    return rows
