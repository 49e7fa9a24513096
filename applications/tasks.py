"""Celery tasks of the application flow: thin, keyword-only ids, idempotent (see services)."""

import logging

from celery import shared_task

from . import services
from .models import Application

logger = logging.getLogger(__name__)


@shared_task(name="applications.send_submission_confirmation")
def send_submission_confirmation(*, application_id):
    application = Application.objects.select_related("campaign", "applicant").filter(pk=application_id).first()
    if application is None:
        logger.warning("send_submission_confirmation: application %s not found", application_id)
        return False
    return services.send_submission_confirmation(application)
