import pytest

from applications import questionnaire
from applications.enums import PreviousPermissionOutcome


def missing_keys(application):
    return [(m.section.slug, m.key) for m in questionnaire.missing_answers(application)]


def test_missing_answers_complete_draft_has_none(complete_draft):
    assert missing_keys(complete_draft) == []
    assert questionnaire.progress(complete_draft) == 100
    assert questionnaire.first_incomplete_section(complete_draft) is None


def test_missing_answers_empty_draft_lists_every_required_item(campaign, applicant):
    from applications.models import Application

    application = Application.objects.create(campaign=campaign, applicant=applicant)

    assert missing_keys(application) == [
        ("identity", name) for name in questionnaire.get_section("identity").required
    ] + [
        ("risk", "entity_type"), ("risk", "previous_permission"),
        ("qualifications", "years_in_business"), ("qualifications", "team_total"),
        ("qualifications", "team_recruiting"), ("qualifications", "team_operations"),
        ("qualifications", "has_offsite_promotion"),
        ("assessment", "new_merchants_available"), ("assessment", "new_merchant_examples"),
        ("assessment", "channel_resources"), ("assessment", "has_exclusive_channels"),
        ("assessment", "target_gmv"), ("assessment", "target_new_merchants"), ("assessment", "media_plan"),
        ("cases", "cases"), ("attachments", "attachments"), ("declaration", "declaration_accepted"),
    ]
    assert questionnaire.progress(application) == 0
    assert questionnaire.first_incomplete_section(application).slug == "identity"


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (PreviousPermissionOutcome.NEVER, []),
        (PreviousPermissionOutcome.ACTIVE, []),
        (PreviousPermissionOutcome.ENDED, []),
        (PreviousPermissionOutcome.CLOSED, [("risk", "previous_closed_on")]),
        (PreviousPermissionOutcome.CLEARED, [("risk", "previous_closed_on")]),
    ],
)
def test_missing_answers_closed_date_required_only_when_closed_or_cleared(complete_draft, outcome, expected):
    complete_draft.previous_permission = outcome
    complete_draft.previous_closed_on = None

    assert missing_keys(complete_draft) == expected


@pytest.mark.parametrize(
    ("flag", "detail", "section"),
    [
        ("has_offsite_promotion", "offsite_promotion_detail", "qualifications"),
        ("has_exclusive_channels", "exclusive_channels_detail", "assessment"),
    ],
)
def test_missing_answers_details_required_when_answered_yes(complete_draft, flag, detail, section):
    setattr(complete_draft, detail, "")

    setattr(complete_draft, flag, True)
    assert missing_keys(complete_draft) == [(section, detail)]

    setattr(complete_draft, flag, False)
    assert missing_keys(complete_draft) == []

    setattr(complete_draft, flag, None)
    assert missing_keys(complete_draft) == [(section, flag)]


def test_missing_answers_other_platform_detail_required_when_a_platform_is_ticked(complete_draft):
    complete_draft.other_platform_detail = ""

    complete_draft.other_platform_roles = ["douyin"]
    assert missing_keys(complete_draft) == [("qualifications", "other_platform_detail")]

    complete_draft.other_platform_roles = []
    assert missing_keys(complete_draft) == []


def test_missing_answers_needs_a_case_and_a_supporting_file(draft):
    assert missing_keys(draft) == [("cases", "cases"), ("attachments", "attachments")]


def test_missing_answers_declaration_must_be_accepted(complete_draft):
    complete_draft.declaration_accepted = False

    assert missing_keys(complete_draft) == [("declaration", "declaration_accepted")]


def test_progress_counts_required_answers(draft):
    # 29 required items for this draft (2 conditional details apply); 2 missing: case and attachment.
    assert questionnaire.progress(draft) == 93


def test_only_the_declaration_links_the_management_rules(settings):
    settings.MANAGEMENT_RULES_URL = "https://rule.alimama.com/rules"

    assert {section.slug: section.rules_url for section in questionnaire.SECTIONS} == {
        "identity": "", "risk": "", "qualifications": "", "assessment": "", "cases": "", "attachments": "",
        "declaration": "https://rule.alimama.com/rules",
    }
