"""Probation domain operations: leader transitions, violations and the evaluation of due checks.

Admin actions, the Celery task and the management commands call these functions; nothing else
changes a leader's status.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment.models import Campaign

from . import board, notices
from .checks import check_definitions
from .enums import LEADER_TRANSITIONS, LeaderStatus
from .models import CheckResult, Leader, LeaderStatusChange, Violation

logger = logging.getLogger(__name__)


class InvalidLeaderTransition(Exception):
    pass


def _transition(leader, to_status, *, at, reason, actor=None):
    """Move ``leader`` to ``to_status`` effective ``at``, under a row lock, with its audit row."""
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    from_status = leader.status
    if to_status not in LEADER_TRANSITIONS[LeaderStatus(from_status)]:
        raise InvalidLeaderTransition(
            _("A leader cannot go from %(from)s to %(to)s.") % {"from": from_status, "to": to_status}
        )
    leader.status = to_status
    update_fields = ["status"]
    if to_status == LeaderStatus.CLOSED:
        leader.closed_at, leader.closure_reason = at, reason[:255]
        update_fields += ["closed_at", "closure_reason"]
    leader.save(update_fields=update_fields)
    LeaderStatusChange.objects.create(
        leader=leader, from_status=from_status, to_status=to_status, effective_at=at, reason=reason[:255],
        actor=actor,
    )
    return leader


@transaction.atomic
def close_permission(leader, *, at, reason, actor=None):
    """Close the leader's permission (关闭权限) effective ``at``; ``reason`` is e.g. the failed check codes.

    The leader is told in the same transaction (``probation_closed:<id>``, once; sent after commit).
    The account is then barred from this round: the round-2 risk rule asks ``closed_in_campaign``.
    """
    leader = _transition(leader, LeaderStatus.CLOSED, at=at, reason=reason, actor=actor)
    notices.notify_closed(leader)
    return leader


@transaction.atomic
def retain(leader, *, at, actor=None):
    """转正: the leader passed every check with no violation."""
    return _transition(leader, LeaderStatus.RETAINED, at=at, reason="all checks passed", actor=actor)


@transaction.atomic
def record_violation(leader, *, kind, note, actor):
    """Record a violation: the leader loses reward eligibility and the permission closes now."""
    now = timezone.now()
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    violation = Violation.objects.create(leader=leader, kind=kind, note=note, recorded_by=actor, recorded_at=now)
    if leader.status != LeaderStatus.CLOSED:
        close_permission(leader, at=now, reason=f"violation:{kind}", actor=actor)  # tells the leader
    else:
        notices.notify_violation(leader, violation)  # closed already: the message is the void reward
    return violation


def closed_in_campaign(campaign, *, leader_account="", credit_code=""):
    """Whether the account (or, given its credit code, the company) had its permission closed in
    ``campaign``'s probation: such an account may not apply again in this round (SPEC §4)."""
    accounts = Q(leader_account=leader_account) if leader_account else Q(pk__in=[])
    if credit_code:
        accounts |= Q(credit_code=credit_code)
    return Leader.objects.filter(accounts, campaign=campaign, status=LeaderStatus.CLOSED).exists()


@dataclass
class EvaluationSummary:
    campaign: str
    as_of: datetime
    evaluated: list = field(default_factory=list)  # (code, due_at, passed count, failed count)
    closed: list = field(default_factory=list)  # (leader_account, closed_at, reason)
    retained: list = field(default_factory=list)  # leader_account

    @property
    def changed(self):
        return bool(self.evaluated or self.closed or self.retained)

    def lines(self):
        if not self.changed:
            return [f"{self.campaign}: nothing due as of {timezone.localtime(self.as_of).isoformat()}"]
        lines = [
            f"{self.campaign}: {code} (due {timezone.localtime(due).isoformat()}): {ok} passed, {ko} failed"
            for code, due, ok, ko in self.evaluated
        ]
        lines += [
            f"{self.campaign}: closed {account} at {timezone.localtime(at).isoformat()} ({reason})"
            for account, at, reason in self.closed
        ]
        lines += [f"{self.campaign}: retained {account}" for account in self.retained]
        return lines


def _in_probation_at(due_at):
    """Leaders that held the permission at ``due_at``: granted before it, not closed by then."""
    return Q(granted_at__lt=due_at) & (~Q(status=LeaderStatus.CLOSED) | Q(closed_at__gt=due_at))


def evaluate_due_checks(campaign, *, as_of):
    """Evaluate every check due at or before ``as_of`` that a leader still lacks, then apply verdicts.

    Checks run in due-time order; the checks sharing a due time are all evaluated before the failing
    leaders are closed at that instant (reason: the failed codes in table order), so a leader closed
    earlier is never evaluated by a later check. At probation end, leaders that passed every check
    that applied to them and have no violation are retained. Existing results are never recomputed,
    so a second run changes nothing. Returns an ``EvaluationSummary``.
    """
    summary = EvaluationSummary(campaign=campaign.slug, as_of=as_of)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        definitions = check_definitions(campaign)
        due = sorted((d for d in definitions if d.due_at <= as_of), key=lambda d: d.due_at)
        for due_at, group in groupby(due, key=lambda d: d.due_at):
            failed = defaultdict(list)
            for definition in group:
                leaders = (
                    Leader.objects.filter(campaign=campaign)
                    .filter(_in_probation_at(due_at))
                    .exclude(check_results__code=definition.code)
                )
                verdicts = definition.evaluate(leaders)
                if not verdicts:
                    continue
                now = timezone.now()
                CheckResult.objects.bulk_create(
                    CheckResult(
                        leader_id=pk, code=definition.code, passed=passed, metrics=figures, due_at=due_at,
                        evaluated_at=now,
                    )
                    for pk, (passed, figures) in verdicts.items()
                )
                ko = [pk for pk, (passed, _figures) in verdicts.items() if not passed]
                summary.evaluated.append((definition.code, due_at, len(verdicts) - len(ko), len(ko)))
                for pk in ko:
                    failed[pk].append(definition.code)
            failing = Leader.objects.filter(pk__in=failed, status=LeaderStatus.PROBATION).order_by("leader_account")
            for leader in failing:
                reason = ";".join(failed[leader.pk])
                close_permission(leader, at=due_at, reason=reason)
                summary.closed.append((leader.leader_account, due_at, reason))
        _retain_at_probation_end(campaign, definitions, as_of, summary)
    return summary


def _retain_at_probation_end(campaign, definitions, as_of, summary):
    end = campaign.probation_end_instant
    if as_of < end:
        return
    leaders = (
        Leader.objects.filter(campaign=campaign, status=LeaderStatus.PROBATION, granted_at__lt=end)
        .exclude(violations__isnull=False)
        .order_by("leader_account")
    )
    passed = defaultdict(set)
    for pk, code in CheckResult.objects.filter(leader__in=leaders, passed=True).values_list("leader_id", "code"):
        passed[pk].add(code)
    for leader in leaders:
        applicable = [d for d in definitions if d.due_at > leader.granted_at]
        if any(d.due_at > as_of for d in applicable):
            continue  # a check (e.g. a late final result) is still to come
        if all(d.code in passed[leader.pk] for d in applicable):
            retain(leader, at=max([end, *(d.due_at for d in applicable)]))
            summary.retained.append(leader.leader_account)


def evaluate_every_campaign(*, as_of):
    """``evaluate_due_checks`` for each campaign that has leaders; the due instants are read from each
    campaign row now, so a date moved by staff moves what is due. Returns the summaries."""
    campaigns = Campaign.objects.filter(leaders__isnull=False).distinct().order_by("slug")
    return [evaluate_due_checks(campaign, as_of=as_of) for campaign in campaigns]


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
