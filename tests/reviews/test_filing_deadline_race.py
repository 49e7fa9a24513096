"""The filing deadline's decisions under concurrency (PostgreSQL, real threads on their own connections):
a close-out racing the applicant's filing or the risk assessment of a late filing, and a reopening racing
publication. Exactly one of each pair wins; the other is refused and changes nothing; neither deadlocks."""

import pytest

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import filing, publication, risk
from reviews.models import Filing
from reviews.roles import CAMPAIGN_ADMIN, RISK_OFFICER
from tests.concurrency import race
from tests.factories import CampaignFactory
from tests.reviews.factories import (
    FilingFactory,
    FinalReviewApplicationFactory,
    SubmittedApplicationFactory,
    staff_with_role,
)
from tests.reviews.test_filing import filing_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = ApplicationStatus
AFTER = beijing(2024, 4, 28)


@pytest.mark.parametrize("attempt", range(6))
def test_a_close_out_racing_the_filing_one_wins(attempt):
    campaign = CampaignFactory(slug=f"file-race-{attempt}", is_current=False)
    application = SubmittedApplicationFactory(campaign=campaign, status=S.FILING)
    risk_officer = staff_with_role(RISK_OFFICER)

    outcomes = race(
        lambda: filing.submit_filing(application, actor=application.applicant, data=filing_data()),
        lambda: filing.close_out_non_filer(application, actor=risk_officer, now=AFTER),
    )

    status = Application.objects.get(pk=application.pk).status
    filed = Filing.objects.filter(application=application).exists()
    assert (outcomes, status == S.FILING_LAPSED, filed) in [
        (["ok", "FilingRefused"], False, True),
        (["FilingRefused", "ok"], True, False),
    ]


@pytest.mark.parametrize("attempt", range(3))
def test_a_reopening_racing_publication_one_wins(attempt):
    campaign = CampaignFactory(slug=f"publish-race-{attempt}", is_current=False)
    lapsed = SubmittedApplicationFactory(campaign=campaign, status=S.FILING_LAPSED)
    finalist = FinalReviewApplicationFactory(campaign=campaign)
    admin = staff_with_role(CAMPAIGN_ADMIN)
    publication.record_decision(finalist, actor=admin, decision=PendingDecision.SELECTED,
                                override_reason="终审委员会未设：由活动管理员直接择优")
    results_day = beijing(2024, 5, 6, 10)

    outcomes = race(
        lambda: filing.reopen_filing(lapsed, actor=admin, reason="核实后恢复"),
        lambda: publication.publish_results(campaign, actor=admin, now=results_day),
    )

    published = Campaign.objects.get(pk=campaign.pk).published_at is not None
    status = Application.objects.get(pk=lapsed.pk).status
    assert (outcomes, published, status) in [
        (["ok", "PublicationError"], False, S.FILING),
        (["FilingRefused", "ok"], True, S.NOT_SELECTED),
    ]


@pytest.mark.parametrize("attempt", range(6))
def test_a_close_out_racing_the_risk_assessment_of_a_late_filing_is_refused(attempt):
    campaign = CampaignFactory(slug=f"assess-race-{attempt}", is_current=False)
    application = FilingFactory(application__campaign=campaign).application  # filed just now: RISK_REVIEW
    risk_officer = staff_with_role(RISK_OFFICER)

    outcomes = race(
        lambda: risk.assess_risk(application),
        lambda: filing.close_out_non_filer(application, actor=risk_officer, now=AFTER),
    )

    assert outcomes == ["ok", "FilingRefused"]
    assert Application.objects.get(pk=application.pk).status in (S.FINAL_REVIEW, S.RISK_REJECTED)
