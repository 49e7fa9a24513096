"""Probation domain operations: deciding due checks, violations, reminders.

Admin actions, the Celery tasks and the management commands call these functions; a leader's status
changes only through ``probation.decisions`` (one engine for deciding, rechecking and violations).
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment.models import Campaign

from . import board, decisions, notices
from .enums import LeaderStatus
from .models import Leader, Violation

logger = logging.getLogger(__name__)


class ViolationRefused(Exception):
    pass


def evaluate_due_checks(campaign, *, as_of, dry_run=False, recheck=False, actor=None):
    """Decide every check of ``campaign`` due at or before ``as_of`` (the operator's assertion that the data
    is complete up to then; see ``probation.decisions``). With ``dry_run`` nothing is written and no one is
    told: the returned ``Plan`` says what would happen. Refuses an instant in the future."""
    return _decide(campaign, up_to=as_of, dry_run=dry_run, recheck=recheck, actor=actor)


def _decide(campaign, *, up_to, dry_run, recheck, actor):
    if dry_run:
        decisions.refuse_future(up_to, timezone.now())
        return decisions.plan(campaign, up_to=up_to, recheck=recheck)
    return decisions.decide(campaign, up_to=up_to, recheck=recheck, actor=actor,
                            cause="recheck" if recheck else "decide")


def evaluate_scheduled(campaign, *, now, dry_run=False, recheck=False, actor=None):
    """What the scheduled job does for one campaign: decide up to min(now, data mark). Without a mark
    nothing is decided (a recheck still replays what is decided); the returned plan says why."""
    up_to = decisions.scheduled_instant(campaign, now)
    result = _decide(campaign, up_to=up_to, dry_run=dry_run, recheck=recheck, actor=actor)
    if up_to is None and not result.note:
        result.note = "no data mark: nothing is decided until staff mark the data complete (mark_data_complete)"
    return result


@transaction.atomic
def record_violation(leader, *, kind, note, actor, close_permission=False):
    """Record a violation: the leader loses reward eligibility; with ``close_permission`` (the campaign
    admin's explicit choice) the permission also closes now. A leader closed already, or kept open, is
    told of the violation; a closure is told as a closure. Returns the violation."""
    now = timezone.now()
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    violation = Violation.objects.create(leader=leader, kind=kind, note=note, recorded_by=actor, recorded_at=now,
                                         closes_permission=close_permission)
    result = decisions.decide(leader.campaign, up_to=None, leader_ids=[leader.pk], actor=actor, cause="violation",
                              note=f"violation:{kind}")
    if not result.changes:
        notices.notify_violation(leader, violation)  # no closure to tell: the message is the void reward
    return violation


@transaction.atomic
def withdraw_violation(violation, *, reason, actor):
    """Withdraw a violation recorded by mistake (the campaign admin, with a reason): it no longer voids the
    reward, and a closure it caused is undone as a reinstatement; the checks then decide as usual (what is
    decided already is judged for the leader now). Returns the applied plan."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ViolationRefused(_("Say why the violation is withdrawn."))
    violation = Violation.objects.select_for_update().select_related("leader__campaign").get(pk=violation.pk)
    if violation.withdrawn_at is not None:
        raise ViolationRefused(_("This violation was withdrawn already."))
    violation.withdrawn_at, violation.withdrawn_by, violation.withdrawal_reason = timezone.now(), actor, reason[:255]
    violation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    leader = violation.leader
    return decisions.decide(leader.campaign, up_to=None, leader_ids=[leader.pk], actor=actor, cause="withdrawal",
                            note=reason[:200])


def closed_in_campaign(campaign, *, leader_account="", credit_code=""):
    """Whether the account (or, given its credit code, the company) had its permission closed in
    ``campaign``'s probation: such an account may not apply again in this round (SPEC §4)."""
    accounts = Q(leader_account=leader_account) if leader_account else Q(pk__in=[])
    if credit_code:
        accounts |= Q(credit_code=credit_code)
    return Leader.objects.filter(accounts, campaign=campaign, status=LeaderStatus.CLOSED).exists()


def evaluate_every_campaign(*, now):
    """The scheduled job: ``evaluate_scheduled`` for each campaign that has leaders. A campaign whose data an
    import holds is skipped (the job runs again next minute). Returns the applied plans."""
    plans = []
    for campaign in Campaign.objects.filter(leaders__isnull=False).distinct().order_by("slug"):
        try:
            plans.append(evaluate_scheduled(campaign, now=now))
        except decisions.ImportRunning as error:
            logger.info("probation: %s skipped: %s", campaign.slug, error)
    return plans


def send_at_risk_reminders(campaign, *, now):
    """On the campaign's reminder day, remind every leader in probation below a threshold of the month.

    Once per leader and month (event ``at_risk:<leader id>:<YYYY-MM>``): a second run the same day,
    or on the same day after a retry, sends nothing new. Returns the number of leaders reminded now.
    """
    if timezone.localtime(now).day != campaign.at_risk_reminder_day:
        return 0
    month = board.current_basic_month(campaign, now)
    if month is None:
        return 0
    reminded = 0
    for row in board.basic_at_risk(campaign, now=now):
        with transaction.atomic():
            reminded += bool(notices.notify_at_risk(row, month=month))
    logger.info("probation: %s: %d leader(s) reminded of %s", campaign.slug, reminded, month.code)
    return reminded


def send_every_at_risk_reminder(*, now):
    campaigns = Campaign.objects.filter(leaders__isnull=False).distinct().order_by("slug")
    return {campaign.slug: send_at_risk_reminders(campaign, now=now) for campaign in campaigns}
