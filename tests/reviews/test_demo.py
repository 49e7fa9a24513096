"""The review and probation demo stages of seed_demo: every stage present, publishable once resolved."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.timezone import localdate

from applications.enums import ApplicationStatus as S
from applications.enums import PendingDecision
from applications.models import Application
from probation.enums import LeaderStatus
from probation.models import Leader
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import roles
from reviews.filing import close_out_non_filer
from reviews.final import ranking, with_committee_evidence
from reviews.models import CommitteeMember
from reviews.publication import publication_blockers, publish_results, record_decision, unresolved_applications
from reviews.round1 import decide_round1

pytestmark = pytest.mark.django_db
SEEDED_AT = beijing(2025, 3, 10, 9, 30)


@pytest.fixture(autouse=True)
def _seeded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=StringIO())


def test_demo_staff_hold_one_role_each():
    users = get_user_model().objects.filter(username__in=["reviewer", "risk", "judge1", "ops", "campaign-admin"])

    assert {u.username: [g.name for g in u.groups.all()] for u in users} == {
        "reviewer": [roles.ROUND1_REVIEWER],
        "risk": [roles.RISK_OFFICER],
        "judge1": [roles.FINAL_COMMITTEE],
        "ops": [roles.OPERATIONS],
        "campaign-admin": [roles.CAMPAIGN_ADMIN],
    }
    assert all(u.is_staff and not u.is_superuser for u in users)


def test_demo_review_campaign_has_every_stage_on_the_last_day_of_its_review_period():
    campaign = Campaign.objects.get(slug="demo-review")
    statuses = sorted(Application.objects.filter(campaign=campaign).values_list("status", flat=True))

    assert statuses == sorted(
        [S.SUBMITTED, S.SUBMITTED, S.FILING, S.ROUND1_REJECTED, S.RISK_REJECTED,
         S.FINAL_REVIEW, S.FINAL_REVIEW, S.FINAL_REVIEW]
    )
    assert campaign.review_ends_on == localdate(SEEDED_AT)
    assert campaign.results_published_at == beijing(2025, 3, 17)
    assert campaign.published_at is None
    assert campaign.rubric.count() == 5 and campaign.risk_rules.count() == 7


def test_demo_review_campaign_is_resolved_today_and_published_on_its_results_date():
    campaign = Campaign.objects.get(slug="demo-review")
    reviewer = get_user_model().objects.get(username="reviewer")
    risk = get_user_model().objects.get(username="risk")
    admin = get_user_model().objects.get(username="campaign-admin")
    with time_machine.travel(beijing(2025, 3, 10, 15), tick=False):
        assert len(publication_blockers(campaign)) == 2  # the results date is a week on; unresolved applications
        for application in Application.objects.filter(campaign=campaign, status__in=[S.SUBMITTED, S.FILING]):
            if application.status == S.SUBMITTED:
                decide_round1(application, actor=reviewer, passed=False, reason="演示：材料不足")
            else:  # never filed, and the demo's filing deadline has passed: the risk officer closes it out
                close_out_non_filer(application, actor=risk)
        finalists = Application.objects.filter(campaign=campaign, status=S.FINAL_REVIEW).order_by("pk")
        for i, application in enumerate(finalists):  # the first is the one both judges scored
            decision = PendingDecision.SELECTED if i == 0 else PendingDecision.NOT_SELECTED
            record_decision(application, actor=admin, decision=decision)
        assert list(unresolved_applications(campaign)) == []
        assert len(publication_blockers(campaign)) == 1  # only the results date
    with time_machine.travel(beijing(2025, 3, 17, 9), tick=False):
        assert publication_blockers(campaign) == []
        publish_results(campaign, actor=admin)

    assert Application.objects.filter(campaign=campaign, status=S.SELECTED).count() == 1
    assert Application.objects.get(applicant__username="review-filing@example.com").status == S.NOT_SELECTED
    assert Leader.objects.filter(campaign=campaign).count() == 1


def test_demo_probation_campaign_has_leaders_passing_and_failing(client):
    campaign = Campaign.objects.get(slug="demo-probation")

    assert campaign.published_at == campaign.results_published_at
    assert Leader.objects.filter(campaign=campaign).count() == 8
    assert Leader.objects.filter(campaign=campaign, status=LeaderStatus.CLOSED).exists()
    assert Leader.objects.filter(campaign=campaign, status=LeaderStatus.PROBATION).exists()
    leader_user = get_user_model().objects.get(username="leader@example.com")
    client.force_login(leader_user)
    with time_machine.travel(SEEDED_AT, tick=False):
        html = client.get("/status/").content.decode()
    assert 'id="probation"' in html
    assert "demo_tz01" in html


def test_demo_finished_campaign_shows_every_check_failing_for_someone_and_retained_leaders():
    campaign = Campaign.objects.get(slug="demo-finished")
    reasons = set(Leader.objects.filter(campaign=campaign, status=LeaderStatus.CLOSED)
                  .values_list("closure_reason", flat=True))

    assert any(reason.startswith("basic:") for reason in reasons)
    assert "special:checkpoint" in reasons
    assert any("special:total" in reason for reason in reasons)
    assert any("special:qualifying" in reason for reason in reasons)
    assert any(reason.startswith("violation:") for reason in reasons)
    assert Leader.objects.filter(campaign=campaign, status=LeaderStatus.RETAINED).count() >= 2


def test_the_demo_judges_sit_on_the_2024_and_every_demo_committee():
    committees = {
        slug: sorted(CommitteeMember.objects.filter(campaign__slug=slug).values_list("member__username", flat=True))
        for slug in ["2024-nx2", "demo", "demo-review", "demo-probation", "demo-finished"]
    }

    assert committees == dict.fromkeys(committees, ["judge1", "judge2"])


def test_demo_review_ranking_shows_one_finalist_missing_judge2s_sheet_and_one_unscored():
    campaign = Campaign.objects.get(slug="demo-review")

    entries = with_committee_evidence(ranking(campaign), campaign)

    assert sorted(([m.username for m in e.missing_members], e.sheet_count) for e in entries) == [
        ([], 2), (["judge1", "judge2"], 0), (["judge2"], 1),
    ]


def test_seeding_twice_seats_each_judge_once():
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=StringIO())

    assert CommitteeMember.objects.filter(campaign__slug="demo-review").count() == 2


def test_demo_campaigns_file_until_two_days_after_their_window_inside_their_review_period():
    campaigns = Campaign.objects.filter(slug__in=["demo", "demo-review", "demo-probation", "demo-finished"])

    assert {c.slug: (c.filing_deadline - c.application_closes_at, c.filing_reminder_hours) for c in campaigns} == {
        slug: (timedelta(days=2), "72,24") for slug in ["demo", "demo-review", "demo-probation", "demo-finished"]
    }
    assert all(c.review_starts_on <= localdate(c.filing_deadline) and c.filing_deadline < c.results_published_at
               for c in campaigns)
    review = campaigns.get(slug="demo-review")
    assert review.filing_deadline == beijing(2025, 3, 8, 23, 59, 59)  # passed: "review-filing" can be closed out
