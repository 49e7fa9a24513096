"""The questionnaire (问卷): its sections, what each asks, and what a complete answer needs.

A draft may be saved with any answer missing; ``missing_answers`` lists what still blocks submission
(announcement §2 入围评选规则). Forms, the progress bar, the summary before submitting and
``services.submit_application`` all read this one definition.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import AttachmentKind, PreviousPermissionOutcome
from .models import Application

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
    kind: str = "form"  # form | cases | attachments | declaration
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    checks: tuple[Check, ...] = ()
    bonus: tuple[str, ...] = field(default=())

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


def get_section(slug):
    return SECTIONS_BY_SLUG.get(slug)


def next_section(section):
    index = SECTIONS.index(section)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


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
    for check in section.checks:
        if not check.passes(application):
            missing.append(Missing(section, check.key, check.label))
    return missing


def missing_answers(application, section=None):
    """What still blocks submission, in questionnaire order (all sections, or only ``section``)."""
    sections = (section,) if section else SECTIONS
    return [m for s in sections for m in _section_missing(application, s)]


def section_states(application, current=None):
    """One row per section for the step list: the section, whether it is complete, and if current."""
    missing = missing_answers(application)
    incomplete = {m.section.slug for m in missing}
    return [
        {"section": s, "done": s.slug not in incomplete, "current": current is not None and s.slug == current.slug}
        for s in SECTIONS
    ]


def progress(application, missing=None):
    """Percentage of required answers given (conditional ones count only when they apply)."""
    if missing is None:
        missing = missing_answers(application)
    total = 0
    for s in SECTIONS:
        total += sum(1 for name in s.fields if s.is_required(name, application)) + len(s.checks)
    if not total:
        return 100
    return round(100 * (total - len(missing)) / total)


def first_incomplete_section(application):
    missing = missing_answers(application)
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
    ]
