"""Celery tasks of the application flow: thin, keyword-only ids, idempotent (see services)."""

import logging

from celery import shared_task
from django.utils import timezone

from . import alerting, services
from .models import Application

logger = logging.getLogger(__name__)


@shared_task(name="applications.send_submission_confirmation", acks_late=True)
def send_submission_confirmation(*, application_id):
    """Send the confirmation of the current submission unless it went out already.

    Submissions no longer queue this task (the confirmation goes through the notification outbox);
    it stays registered for messages queued by an earlier release and for operators re-sending one.
    """
    application = Application.objects.select_related("campaign", "applicant").filter(pk=application_id).first()
    if application is None:
        logger.warning("send_submission_confirmation: application %s not found", application_id)
        return False
    return services.send_submission_confirmation(application)


@shared_task(name="applications.alert_deadlines", ignore_result=True)
def alert_deadlines():
    """Every minute (beat): each campaign's application deadline, once passed, raises one DingTalk alert."""
    return [campaign.slug for campaign in alerting.alert_deadlines(now=timezone.now())]
