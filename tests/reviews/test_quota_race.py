"""The seat quota under concurrency: two staff select the last seat at the same instant (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from applications.enums import PendingDecision
from reviews import publication
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import CampaignFactory
from tests.reviews.factories import FinalReviewApplicationFactory, scored_by_committee, staff_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(campaign, applications, actors):
    """Each thread, on its own connection, selects its application once both are ready."""
    barrier = threading.Barrier(len(applications))
    outcomes = [None] * len(applications)

    def select(index):
        try:
            barrier.wait(timeout=10)
            publication.record_decision(
                applications[index], actor=actors[index], decision=PendingDecision.SELECTED
            )
            outcomes[index] = "selected"
        except publication.QuotaExceeded:
            outcomes[index] = "quota"
        except Exception as exc:  # reported in the assertion below rather than lost in the thread
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=select, args=(i,)) for i in range(len(applications))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_staff_selecting_the_last_seat_at_once_exactly_one_succeeds(attempt):
    campaign = CampaignFactory(slug=f"race-{attempt}", is_current=False, seats=1)
    applications = FinalReviewApplicationFactory.create_batch(2, campaign=campaign)
    for application in applications:
        scored_by_committee(application)  # selection needs every committee member's sheet
    actors = [staff_with_role(CAMPAIGN_ADMIN), staff_with_role(CAMPAIGN_ADMIN)]

    outcomes = race(campaign, applications, actors)

    assert sorted(outcomes) == ["quota", "selected"]
    winner = applications[outcomes.index("selected")]
    assert list(publication.pending_selections(campaign).values_list("pk", flat=True)) == [winner.pk]
    assert publication.seats_left(campaign) == 0
