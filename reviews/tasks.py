"""Celery tasks of the review pipeline: thin, keyword-only ids, idempotent (the domain functions guard)."""

import logging

from celery import shared_task
from django.utils import timezone

from applications.models import Application

from . import filing, risk

logger = logging.getLogger(__name__)


@shared_task(name="reviews.run_risk_assessment")
def run_risk_assessment(*, application_id):
    """Assess an application after its filing; a repeated delivery finds it moved on and does nothing."""
    application = Application.objects.select_related("campaign").filter(pk=application_id).first()
    if application is None:
        logger.warning("run_risk_assessment: application %s not found", application_id)
        return None
    assessment = risk.assess_risk(application)
    return assessment.pk if assessment else None


@shared_task(name="reviews.sweep_risk_reviews")
def sweep_risk_reviews():
    """Beat: assess filings whose assessment task could not be queued or was lost."""
    return risk.sweep_risk_reviews()


@shared_task(name="reviews.send_filing_reminders", acks_late=True, reject_on_worker_lost=True)
def send_filing_reminders():
    """Beat: remind applicants still to file before the deadline, once per offset (events are unique)."""
    return filing.send_filing_reminders(now=timezone.now())
