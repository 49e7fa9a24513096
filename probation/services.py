"""Probation domain operations: leader transitions, violations and the evaluation of due checks.

Admin actions, the Celery task and the management commands call these functions; nothing else
changes a leader's status.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment.models import Campaign

from .checks import check_definitions
from .enums import LEADER_TRANSITIONS, LeaderStatus
from .models import CheckResult, Leader, LeaderStatusChange, Violation


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
    """Close the leader's permission (关闭权限) effective ``at``; ``reason`` is e.g. the failed check codes."""
    return _transition(leader, LeaderStatus.CLOSED, at=at, reason=reason, actor=actor)


@transaction.atomic
def retain(leader, *, at, actor=None):
    """转正: the leader passed every check with no violation."""
    return _transition(leader, LeaderStatus.RETAINED, at=at, reason="all checks passed", actor=actor)


@transaction.atomic
def record_violation(leader, *, kind, note, actor):
    """Record a violation: the leader loses reward eligibility and the permission closes now."""
    now = timezone.now()
    violation = Violation.objects.create(leader=leader, kind=kind, note=note, recorded_by=actor, recorded_at=now)
    if leader.status != LeaderStatus.CLOSED:
        close_permission(leader, at=now, reason=f"violation:{kind}", actor=actor)
    return violation


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
