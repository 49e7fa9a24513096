"""Scheduled probation jobs (``CELERY_BEAT_SCHEDULE``): thin, idempotent, safe to retry.

``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-decision leaves its message to be
delivered again, and the decision it was running rolled back with its transaction (verdicts, closures,
reinstatements and notices commit together), so the rerun does the whole of it once.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from recruitment.models import Campaign

from . import datamark, decisions, services

logger = logging.getLogger(__name__)


@shared_task(name="probation.evaluate_due", acks_late=True, reject_on_worker_lost=True)
def evaluate_due():
    """Decide the checks due at or before min(now, data mark) of every campaign (DATA.md)."""
    plans = services.evaluate_every_campaign(now=timezone.now())
    return [line for result in plans if result.changed for line in result.lines()]


@shared_task(name="probation.recheck", acks_late=True, reject_on_worker_lost=True)
def recheck(*, campaign_id, leader_ids=None, actor_id=None):
    """Decide every decided check of the campaign (or of ``leader_ids``) again on the data now on hand
    (``evaluate_probation --recheck``); a killed worker's recheck rolls back whole and runs again."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        logger.info("probation.recheck: campaign %s is gone", campaign_id)
        return []
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    up_to = decisions.recheck_instant(campaign, timezone.now(), leader_ids)
    try:
        result = decisions.decide(campaign, up_to=up_to, recheck=True, leader_ids=leader_ids, actor=actor,
                                  cause="recheck")
    except decisions.ImportRunning as error:
        logger.info("probation.recheck: %s skipped: %s", campaign.slug, error)
        return []
    return result.lines()


@shared_task(name="probation.send_at_risk_reminders", acks_late=True, reject_on_worker_lost=True)
def send_at_risk_reminders():
    return services.send_every_at_risk_reminder(now=timezone.now())


@shared_task(name="probation.remind_waiting_checks", acks_late=True, reject_on_worker_lost=True)
def remind_waiting_checks():
    """Once a day: tell operations which due checks have waited too long for their data."""
    return datamark.remind_every_waiting_check(now=timezone.now())


@shared_task(name="probation.compare_verdicts", acks_late=True, reject_on_worker_lost=True)
def compare_verdicts(*, campaign_id):
    """After an import: which stored verdicts today's data would change (the board's 数据已变化，待复核)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        logger.info("probation.compare_verdicts: campaign %s is gone", campaign_id)
        return 0
    return datamark.compare_verdicts(campaign)
