"""Scheduled probation jobs (``CELERY_BEAT_SCHEDULE``): thin, idempotent, safe to retry.

``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-evaluation leaves its message to be
delivered again, and the evaluation it was running rolled back with its transaction (results and
closures commit together), so the rerun does the whole of it once.
"""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="probation.evaluate_due", acks_late=True, reject_on_worker_lost=True)
def evaluate_due():
    summaries = services.evaluate_every_campaign(as_of=timezone.now())
    return [line for summary in summaries if summary.changed for line in summary.lines()]


@shared_task(name="probation.send_at_risk_reminders", acks_late=True, reject_on_worker_lost=True)
def send_at_risk_reminders():
    return services.send_every_at_risk_reminder(now=timezone.now())
