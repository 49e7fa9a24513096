"""Filings whose risk-assessment task was never queued (broker down) are assessed by the sweep, once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from applications.enums import ApplicationStatus as S
from reviews.models import Filing, RiskAssessment
from reviews.risk import sweep_risk_reviews
from reviews.tasks import sweep_risk_reviews as sweep_task
from tests.reviews.factories import FilingFactory

pytestmark = pytest.mark.django_db


def filed_at(moment):
    filing = FilingFactory(application__status=S.RISK_REVIEW)
    Filing.objects.filter(pk=filing.pk).update(filed_at=moment)
    return filing.application


def test_sweep_assesses_filings_waiting_longer_than_two_minutes_only(campaign):
    with time_machine.travel("2024-04-28 12:00:00 +0800", tick=False) as clock:
        now = timezone.now()
        stuck = filed_at(now - timedelta(minutes=2))
        fresh = filed_at(now - timedelta(minutes=2) + timedelta(seconds=1))

        assessed = sweep_risk_reviews()
        clock.shift(timedelta(seconds=1))
        again = sweep_task.delay().get()

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert assessed == 1
    assert stuck.status in (S.FINAL_REVIEW, S.RISK_REJECTED)
    assert RiskAssessment.objects.filter(application=stuck).count() == 1
    assert again == 1  # the fresh one is due a second later; the stuck one is not assessed twice
    assert RiskAssessment.objects.filter(application=fresh).count() == 1
