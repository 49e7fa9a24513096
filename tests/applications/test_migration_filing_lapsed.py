"""applications 0005: a hidden closure for not filing (filing → round1_rejected, unpublished) goes back to
filing, which is what its applicant still reads; staff close it out publicly after the deadline."""

from importlib import import_module

import pytest
from django.apps import apps

from applications.enums import ApplicationStatus
from applications.visibility import applicant_status
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, CampaignFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus
migration = import_module("applications.migrations.0005_filing_lapsed")


def with_trail(campaign, *steps):
    application = ApplicationFactory(campaign=campaign, status=steps[-1][1])
    for from_status, to_status in steps:
        StatusChangeFactory(application=application, from_status=from_status, to_status=to_status)
    return application


def test_only_an_unpublished_hidden_closure_goes_back_to_filing(campaign):
    published = CampaignFactory(slug="2023-nx1", is_current=False)
    Campaign.objects.filter(pk=published.pk).update(published_at=beijing(2023, 5, 6))
    closed = with_trail(campaign, (S.SUBMITTED, S.FILING), (S.FILING, S.ROUND1_REJECTED))
    rejected = with_trail(campaign, (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.ROUND1_REJECTED))
    told = with_trail(published, (S.SUBMITTED, S.FILING), (S.FILING, S.ROUND1_REJECTED))
    before = applicant_status(closed, beijing(2024, 4, 28))

    migration.revert_hidden_closures(apps, None)

    for application in (closed, rejected, told):
        application.refresh_from_db()
    assert (closed.status, rejected.status, told.status) == (S.FILING, S.ROUND1_REJECTED, S.ROUND1_REJECTED)
    last = closed.status_changes.order_by("-pk").first()
    assert (last.from_status, last.to_status, last.actor, last.reason) == (
        S.ROUND1_REJECTED, S.FILING, None, migration.REVERTED_REASON)
    assert applicant_status(closed, beijing(2024, 4, 28)) == before == "filing"
    assert (rejected.status_changes.count(), told.status_changes.count()) == (2, 2)
