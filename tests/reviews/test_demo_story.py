"""The demo tells a true story: every demo campaign agrees with its own calendar (``manage.py seed_demo``)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from applications.demo import full_years
from applications.enums import ApplicationStatus as S
from applications.models import Application
from notifications.models import Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing, local
from reviews.models import Filing, RiskAssessment, Round1Review, ScoreSheet

pytestmark = pytest.mark.django_db
SEEDED_AT = beijing(2025, 3, 10, 9, 30)
DEMO_SLUGS = ["demo", "demo-review", "demo-probation", "demo-finished"]


@pytest.fixture(autouse=True)
def _seeded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=StringIO())


def demo_applications():
    return Application.objects.filter(campaign__slug__in=DEMO_SLUGS).select_related("campaign")


def test_every_timeline_reads_in_order_inside_its_campaigns_calendar():
    for application in demo_applications():
        campaign = application.campaign
        changes = list(application.status_changes.order_by("id"))
        moments = [application.created_at] + [c.created_at for c in changes]

        assert moments == sorted(moments), application.company_name
        assert all(moment <= SEEDED_AT for moment in moments), application.company_name
        assert campaign.application_opens_at <= application.created_at, application.company_name
        if application.submitted_at is not None:
            submitted = next(c.created_at for c in changes if c.to_status == S.SUBMITTED)
            assert application.created_at <= application.submitted_at == submitted
            assert application.submitted_at <= campaign.application_closes_at
        if application.withdrawn_at is not None:
            assert application.withdrawn_at == changes[-1].created_at
        assert application.updated_at == moments[-1]


def test_every_round_happens_inside_its_period_and_after_the_step_before():
    for review in Round1Review.objects.filter(application__campaign__slug__in=DEMO_SLUGS).select_related(
        "application__campaign"
    ):
        campaign = review.application.campaign
        assert review.application.submitted_at <= review.decided_at
        assert campaign.review_starts_on <= local(review.decided_at).date() <= campaign.review_ends_on
    for filing in Filing.objects.filter(application__campaign__slug__in=DEMO_SLUGS).select_related(
        "application__campaign", "application__round1_review"
    ):
        application = filing.application
        assert application.round1_review.decided_at <= filing.filed_at <= application.campaign.filing_deadline
        assessments = RiskAssessment.objects.filter(application=filing.application)
        assert all(filing.filed_at <= a.ran_at <= SEEDED_AT for a in assessments)
    for sheet in ScoreSheet.objects.filter(application__campaign__slug__in=DEMO_SLUGS).select_related(
        "application__campaign"
    ):
        campaign = sheet.application.campaign
        assert campaign.review_starts_on <= local(sheet.submitted_at).date() <= campaign.review_ends_on
        assert RiskAssessment.objects.filter(application=sheet.application, ran_at__lte=sheet.submitted_at).exists()


def test_notices_never_predate_the_application_they_are_about():
    notices = Notification.objects.filter(application__campaign__slug__in=DEMO_SLUGS).select_related("application")

    assert notices.exists()
    assert all(n.application.created_at <= n.created_at <= SEEDED_AT for n in notices)
    assert all(n.sent_at is None or n.sent_at >= n.created_at for n in notices)


def test_the_non_filer_was_reminded_at_each_offset_before_the_deadline():
    application = Application.objects.get(applicant__username="review-filing@example.com")
    deadline = application.campaign.filing_deadline
    reminders = Notification.objects.filter(application=application, event__startswith="filing_reminder:")

    assert sorted({(n.event.rsplit(":", 1)[1], n.created_at) for n in reminders}) == [
        ("24h", deadline - timedelta(hours=24)), ("72h", deadline - timedelta(hours=72)),
    ]
    assert application.round1_review.decided_at < deadline - timedelta(hours=72)


def test_years_in_business_are_counted_from_the_founding_date_to_the_campaigns_window():
    complete = demo_applications().exclude(incorporated_on=None)

    assert complete.count() >= 10
    for application in complete:
        opens = local(application.campaign.application_opens_at).date()
        assert application.incorporated_on < opens
        assert application.years_in_business == full_years(application.incorporated_on, opens)


def test_every_demo_applicant_is_a_different_person_with_a_different_phone():
    contacts = list(demo_applications().values_list("contact_name", "mobile"))

    assert len(contacts) == 14
    assert len({name for name, _mobile in contacts}) == len(contacts)
    assert len({mobile for _name, mobile in contacts}) == len(contacts)
    legal_representatives = list(Filing.objects.filter(application__campaign__slug__in=DEMO_SLUGS)
                                 .values_list("legal_representative", "application__contact_name"))
    assert legal_representatives and all(rep == contact for rep, contact in legal_representatives)


def test_no_stage_waits_after_its_period_is_over():
    today = timezone.localdate(SEEDED_AT)
    for campaign in Campaign.objects.filter(slug__in=DEMO_SLUGS):
        statuses = set(Application.objects.filter(campaign=campaign).values_list("status", flat=True))
        if today > campaign.review_ends_on:  # round 1 and round 3 are over
            assert not statuses & {S.SUBMITTED, S.FINAL_REVIEW, S.RISK_REVIEW}, campaign.slug
        if SEEDED_AT > campaign.filing_deadline and S.FILING in statuses:  # a non-filer only before publication
            assert campaign.published_at is None, campaign.slug
        if SEEDED_AT < campaign.application_closes_at:  # the window is open: nothing decided yet
            assert statuses <= {S.DRAFT, S.SUBMITTED, S.WITHDRAWN}, campaign.slug
        if campaign.published_at is not None:
            assert campaign.results_published_at <= SEEDED_AT
            assert not statuses - {S.SELECTED, S.NOT_SELECTED, S.ROUND1_REJECTED, S.RISK_REJECTED, S.WITHDRAWN}


def test_seeding_again_changes_no_story():
    before = sorted(demo_applications().values_list("pk", "created_at", "submitted_at", "updated_at"))

    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=StringIO())

    assert sorted(demo_applications().values_list("pk", "created_at", "submitted_at", "updated_at")) == before
