from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from applications import questionnaire
from applications.models import Application, Attachment, CooperationCase, StatusChange
from recruitment import calendar_rules
from recruitment.models import Campaign
from recruitment.timeutils import beijing

pytestmark = pytest.mark.django_db

SEEDED_AT = beijing(2025, 3, 10, 9, 30)

EXPECTED_OUTPUT = """\
Current campaign: 演示活动 · 拓客型招商团长招募（日程按今天平移） [demo]
Application window: 2025-02-28 00:00:00 - 2025-03-24 23:59:59 (Beijing time)
Logins (applicants at /accounts/login/, staff at /admin/):
  staff superuser (admin site /admin/)                                admin                               demo-admin-2024
  applicant: no application yet                                       13900000001                         demo-pass-2024
  applicant: half-filled draft                                        half-draft@example.com              demo-pass-2024
  applicant: complete draft, ready to submit                          13900000003                         demo-pass-2024
  applicant: submitted                                                submitted-1@example.com             demo-pass-2024
  applicant: submitted                                                13900000005                         demo-pass-2024
  applicant: withdrawn                                                withdrawn@example.com               demo-pass-2024
  staff: 初审员 (round-1 reviewer)                                       reviewer                            demo-staff-2024
  staff: 风控专员 (risk officer)                                          risk                                demo-staff-2024
  staff: 终审委员 (final committee)                                       judge1                              demo-staff-2024
  staff: 终审委员 (final committee)                                       judge2                              demo-staff-2024
  staff: 运营 (operations)                                              ops                                 demo-staff-2024
  staff: 活动管理员 (campaign admin)                                       campaign-admin                      demo-staff-2024
  applicant (demo-review): awaiting round 1                           review-submitted-1@example.com      demo-pass-2024
  applicant (demo-review): awaiting round 1                           review-submitted-2@example.com      demo-pass-2024
  applicant (demo-review): round 1 passed, to file on /status/        review-filing@example.com           demo-pass-2024
  applicant (demo-review): rejected in round 1 (unpublished)          review-round1-rejected@example.com  demo-pass-2024
  applicant (demo-review): rejected by the risk rules (unpublished)   review-risk-rejected@example.com    demo-pass-2024
  applicant (demo-review): final review, scored by judge1 and judge2  review-final-1@example.com          demo-pass-2024
  applicant (demo-review): final review, scored by judge1             review-final-2@example.com          demo-pass-2024
  applicant (demo-review): final review, not scored yet               review-final-3@example.com          demo-pass-2024
  leader (demo-probation): probation under way                        leader@example.com                  demo-pass-2024
"""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo():
    out = StringIO()
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        "users": get_user_model().objects.count(),
        "campaigns": Campaign.objects.count(),
        "applications": Application.objects.count(),
        "cases": CooperationCase.objects.count(),
        "attachments": Attachment.objects.count(),
        "status_changes": StatusChange.objects.count(),
    }


def test_seed_demo_prints_the_logins():
    assert seed_demo() == EXPECTED_OUTPUT


def test_seed_demo_twice_creates_nothing_new_and_prints_the_same_logins():
    first_output = seed_demo()
    after_first = counts()

    second_output = seed_demo()

    assert after_first == {
        "users": 22,  # admin, 6 demo applicants, 6 staff, 8 review-stage applicants, 1 leader
        "campaigns": 5,  # 2024, demo, demo-review, demo-probation, demo-finished
        "applications": 14,
        "cases": 14,
        "attachments": 14,
        "status_changes": 31,
    }
    assert counts() == after_first
    assert second_output == first_output


def test_seed_demo_campaign_is_open_at_seeding_and_replaces_2024_as_current():
    seed_demo()

    demo = Campaign.objects.get(slug="demo")
    assert list(Campaign.objects.filter(is_current=True)) == [demo]
    assert Campaign.objects.get(slug="2024-nx2").is_current is False
    assert demo.accepts_applications(SEEDED_AT) is True
    assert demo.window_state(SEEDED_AT) == "open"


def test_seed_demo_campaign_shifts_the_2024_calendar_by_whole_days():
    seed_demo()

    demo = Campaign.objects.get(slug="demo")
    # 2024-04-25 + 333 days = 2025-03-24, two weeks after the seeding day.
    assert (demo.application_opens_at, demo.application_closes_at) == (
        beijing(2025, 2, 28),
        beijing(2025, 3, 24, 23, 59, 59),
    )
    assert (demo.review_starts_on, demo.review_ends_on) == (date(2025, 3, 21), date(2025, 3, 28))
    assert demo.results_published_at == beijing(2025, 4, 4)
    assert (demo.probation_starts_on, demo.probation_ends_on) == (date(2025, 3, 30), date(2025, 7, 30))
    assert (demo.activity_starts_at, demo.activity_ends_at) == (beijing(2025, 4, 8), beijing(2025, 5, 19, 23, 59, 59))
    assert demo.checkpoint_ends_at == beijing(2025, 4, 29, 23, 59, 59)
    assert demo.final_result_at == beijing(2025, 7, 31)
    assert (demo.window_618_starts_at, demo.window_618_ends_at) == (
        beijing(2025, 4, 18, 20),
        beijing(2025, 5, 19, 23, 59, 59),
    )


def test_seed_demo_campaign_copies_the_2024_rules():
    seed_demo()

    demo = Campaign.objects.get(slug="demo")
    rules = [
        "seats",
        "checkpoint_min_new_merchants",
        "total_min_new_merchants",
        "qualifying_min_merchants",
        "best_item_min_orders",
        "settlement_rate_min_percent",
        "attachment_max_mb",
        "supplement_max_mb",
    ]
    assert [getattr(demo, name) for name in rules] == [50, 2, 5, 3, 10, Decimal("60.00"), 10, 50]
    months = [(m.code, m.min_activities, m.min_merchants, m.min_items, m.min_gmv) for m in demo.basic_months.all()]
    # Whole natural months inside the demo probation (2025-03-30 to 2025-07-30).
    assert months == [
        ("basic:2025-04", 1, 3, 10, Decimal("10000.00")),
        ("basic:2025-05", 1, 3, 10, Decimal("10000.00")),
        ("basic:2025-06", 1, 3, 10, Decimal("10000.00")),
    ]


def test_seed_demo_applicants_are_at_each_stage_with_an_audit_trail():
    seed_demo()

    demo_applications = Application.objects.filter(campaign__slug="demo").select_related("applicant")
    applications = {app.applicant.username: app for app in demo_applications}
    assert {login: app.status for login, app in applications.items()} == {
        "half-draft@example.com": "draft",
        "13900000003": "draft",
        "submitted-1@example.com": "submitted",
        "13900000005": "submitted",
        "withdrawn@example.com": "withdrawn",
    }
    # Applicant 4 started 4 days into the window (opened 2025-02-28) at 09:00 and submitted 20 hours later.
    assert applications["submitted-1@example.com"].submitted_at == beijing(2025, 3, 5, 5)
    assert applications["half-draft@example.com"].media_plan == ""
    trail = StatusChange.objects.filter(application=applications["withdrawn@example.com"])
    assert [(c.from_status, c.to_status, c.actor.username) for c in trail] == [
        ("draft", "submitted", "withdrawn@example.com"),
        ("submitted", "withdrawn", "withdrawn@example.com"),
    ]
    assert not Application.objects.filter(applicant__username="13900000001").exists()


def test_seed_demo_complete_applications_answer_every_question_and_the_half_draft_does_not():
    seed_demo()

    missing = {
        app.applicant.username: len(questionnaire.missing_answers(app))
        for app in Application.objects.filter(campaign__slug="demo").select_related("applicant")
    }
    assert {login for login, count in missing.items() if count == 0} == {
        "13900000003",
        "submitted-1@example.com",
        "13900000005",
        "withdrawn@example.com",
    }
    assert missing["half-draft@example.com"] > 0


def test_seed_demo_attachments_are_small_pdf_files_in_media_root(settings):
    seed_demo()

    attachment = Attachment.objects.get(application__applicant__username="13900000003")
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "demo-material-1.pdf",
        "application/pdf",
        len(data),
    )
    assert data.startswith(b"%PDF-1.4\n")
    assert data.endswith(b"%%EOF\n")


@pytest.mark.parametrize(
    ("login", "password"),
    [("admin", "demo-admin-2024"), ("13900000001", "demo-pass-2024"), ("withdrawn@example.com", "demo-pass-2024")],
)
def test_seed_demo_printed_logins_authenticate(login, password):
    seed_demo()

    user = authenticate(username=login, password=password)

    assert user is not None
    assert user.username == login


def test_seed_demo_admin_is_a_staff_superuser():
    seed_demo()

    admin_user = get_user_model().objects.get(username="admin")
    assert (admin_user.is_staff, admin_user.is_superuser) == (True, True)


def test_seed_demo_without_the_2024_campaign_fails_clearly():
    Campaign.objects.filter(slug="2024-nx2").delete()

    with pytest.raises(CommandError, match="The campaign '2024-nx2' is missing: run manage.py migrate."):
        seed_demo()
    assert Campaign.objects.count() == 0


def calendar_errors(campaign):
    """The campaign's ``full_clean`` errors and each basic month outside its probation."""
    try:
        campaign.full_clean()
        errors = {}
    except ValidationError as error:
        errors = error.message_dict
    for month in campaign.basic_months.all():
        message = calendar_rules.basic_month_error(campaign, month.month)
        if message is not None:
            errors[month.code] = [message]
    return errors


# The demo campaign's probation starts 2025-07-02 when seeded on 2025-06-12, demo-probation's when seeded on
# 2025-08-11 (ending 2025-11-01): the first whole month then starts 30 days in, and August to October (92 days)
# end the day before the probation does: the tightest fit of the shifted months.
@pytest.mark.parametrize("seeded_at", [SEEDED_AT, beijing(2025, 6, 12, 9), beijing(2025, 8, 11, 9)])
def test_every_campaign_seed_demo_creates_holds_together(seeded_at):
    with time_machine.travel(seeded_at, tick=False):
        call_command("seed_demo", stdout=StringIO())

    campaigns = Campaign.objects.order_by("slug")
    assert {campaign.slug: calendar_errors(campaign) for campaign in campaigns} == {
        slug: {} for slug in ["2024-nx2", "demo", "demo-finished", "demo-probation", "demo-review"]
    }
    assert [campaign.basic_months.count() for campaign in campaigns] == [3, 3, 3, 3, 3]
