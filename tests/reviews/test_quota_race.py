"""The seat quota under concurrency: two staff select the last seat at the same instant (PostgreSQL)."""

import pytest

from applications.enums import PendingDecision
from reviews import publication
from reviews.roles import CAMPAIGN_ADMIN
from tests.concurrency import race
from tests.factories import CampaignFactory
from tests.reviews.factories import FinalReviewApplicationFactory, scored_by_committee, staff_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_staff_selecting_the_last_seat_at_once_exactly_one_succeeds(attempt):
    campaign = CampaignFactory(slug=f"race-{attempt}", is_current=False, seats=1)
    applications = FinalReviewApplicationFactory.create_batch(2, campaign=campaign)
    for application in applications:
        scored_by_committee(application)  # selection needs every committee member's sheet
    actors = [staff_with_role(CAMPAIGN_ADMIN), staff_with_role(CAMPAIGN_ADMIN)]

    outcomes = race(*[
        lambda application=application, actor=actor: publication.record_decision(
            application, actor=actor, decision=PendingDecision.SELECTED)
        for application, actor in zip(applications, actors, strict=True)
    ])

    assert sorted(outcomes) == ["QuotaExceeded", "ok"]
    winner = applications[outcomes.index("ok")]
    assert list(publication.pending_selections(campaign).values_list("pk", flat=True)) == [winner.pk]
    assert publication.seats_left(campaign) == 0
