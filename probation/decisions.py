"""Deciding probation checks on complete data (DATA.md "Deciding on complete data").

One engine serves every path that changes a verdict or a leader's status: the scheduled job, the
``evaluate_probation`` command (``--as-of``, ``--dry-run``, ``--recheck``), the board's preview, decide
and recheck pages, and recording or withdrawing a violation. ``plan()`` works out what would change and
writes nothing; ``decide()`` takes the campaign's row lock, plans again and applies the plan set-based
(a few statements whatever the number of leaders), with its audit rows and notices.

The timeline of one leader, given the verdicts, its standing violation closures and the decided point:
walk the groups of checks sharing a due time, in due order, up to the decided point. A group due at or
before the grant does not apply. A violation closure at or before the group's due time ends the timeline
(closed at the violation, no failed checks). Otherwise the group is judged and any failing check closes
the permission at its due time, with the failing codes. A leader still open after the last group is
closed by a later violation closure if there is one, else retained once the decided point has reached
probation end and no check that applies to it is still to come, else it stays in probation.

Deciding keeps every stored verdict and judges only what is missing; rechecking judges every check of
the timeline again on the data now on hand, replaces the verdicts that changed and sets aside those
that now fall after the leader's closure. Either way the leader ends in the state its timeline gives:
the report does not depend on the path or the order of the runs that led to it.
"""

import hashlib
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.enums import AuditAction
from recruitment.models import Campaign

from . import notices
from .checks import check_definitions
from .enums import LEADER_TRANSITIONS, LeaderStatus
from .models import CheckResult, Leader, LeaderStatusChange, Violation

logger = logging.getLogger(__name__)

BATCH = 2000


class DecisionRefused(Exception):
    """The decision cannot be taken as asked (a future instant, an import running, a stale preview)."""


class FutureInstant(DecisionRefused):
    pass


class ImportRunning(DecisionRefused):
    pass


class PlanChanged(DecisionRefused):
    """The data or the stored verdicts changed between the preview the staff confirmed and the decision."""


@dataclass(frozen=True)
class Outcome:
    """Where a leader's timeline ends: its status, and for a closure when and why."""

    status: str
    closed_at: datetime | None = None
    reason: str = ""  # failed check codes joined by ";", or "violation:<kind>"
    at: datetime | None = None  # the instant the leader entered this status

    def same_as(self, other):
        if self.status != other.status:
            return False
        return self.status != LeaderStatus.CLOSED or (self.closed_at, self.reason) == (other.closed_at, other.reason)


@dataclass
class Change:
    """One leader's net transition: from its stored state to where its timeline ends."""

    leader_id: int
    leader_account: str
    before: Outcome
    after: Outcome

    @property
    def kind(self):
        """close, reclose (closed at another instant or for other checks), reinstate, retain, or reopen (a
        retained leader back in probation: only when staff moved the probation end after retention)."""
        if self.after.status == LeaderStatus.CLOSED:
            return "reclose" if self.before.status == LeaderStatus.CLOSED else "close"
        if self.before.status == LeaderStatus.CLOSED:
            return "reinstate"
        return "retain" if self.after.status == LeaderStatus.RETAINED else "reopen"


@dataclass
class Plan:
    """What a decision would do. Built by ``plan()``; written by ``decide()``; printed by ``lines()``."""

    campaign: Campaign
    recheck: bool
    up_to: datetime | None  # the instant asked for: --as-of, or min(now, data mark)
    decided_until: datetime | None  # the decided point after the decision
    previous_decided_until: datetime | None
    evaluated: list = field(default_factory=list)  # (code, due_at, passed count, failed count)
    new_results: list = field(default_factory=list)  # unsaved CheckResult
    changed_results: list = field(default_factory=list)  # CheckResult with new passed/metrics/due_at
    dropped_results: list = field(default_factory=list)  # pks of results set aside
    changes: list = field(default_factory=list)  # Change
    flipped: dict = field(default_factory=dict)  # leader pk -> codes whose stored verdict today's data flips
    figures: dict = field(default_factory=dict)  # (leader pk, code) -> (passed, metrics) judged by this plan
    leaders: dict = field(default_factory=dict)  # leader pk -> (account, company name) of the leaders replayed
    scope: list | None = None  # the selected leaders, or None for every leader of the campaign
    note: str = ""

    # The shape of the earlier ``EvaluationSummary``, still read by the board, the demo and the tests.
    @property
    def closed(self):
        return [(c.leader_account, c.after.closed_at, c.after.reason) for c in sorted(self.closing, key=change_order)]

    @property
    def retained(self):
        return [c.leader_account for c in sorted(self.retaining, key=change_order)]

    @property
    def changed(self):
        return bool(self.evaluated or self.changes)

    @property
    def closing(self):
        return [c for c in self.changes if c.kind == "close"]

    @property
    def reinstating(self):
        return [c for c in self.changes if c.kind == "reinstate"]

    @property
    def retaining(self):
        return [c for c in self.changes if c.kind == "retain"]

    @property
    def reclosing(self):
        return [c for c in self.changes if c.kind == "reclose"]

    @property
    def permissions_to_close(self):
        return len(self.closing)

    @property
    def writes(self):
        return bool(self.new_results or self.changed_results or self.dropped_results or self.changes
                    or self.decided_until != self.previous_decided_until)

    def fingerprint(self):
        """A digest of everything the plan would write: a confirmed preview must still hold when it is applied."""
        digest = hashlib.sha256()
        parts = [f"until={_iso(self.decided_until)}", f"recheck={self.recheck}"]
        parts += sorted(f"new:{r.leader_id}:{r.code}:{r.passed}" for r in self.new_results)
        parts += sorted(f"changed:{r.pk}:{r.passed}:{_iso(r.due_at)}" for r in self.changed_results)
        parts += sorted(f"dropped:{pk}" for pk in self.dropped_results)
        parts += sorted(f"change:{c.leader_id}:{c.after.status}:{_iso(c.after.closed_at)}:{c.after.reason}"
                        for c in self.changes)
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\n")
        return digest.hexdigest()[:32]

    def lines(self, *, dry_run=False):
        """The command's output: one line per judged check, closure, reinstatement and retention."""
        slug = self.campaign.slug
        lines = [f"{slug}: dry run: nothing was written and no one was told"] if dry_run else []
        if self.note:
            lines.append(f"{slug}: {self.note}")
        if not (self.evaluated or self.changes):
            if not self.note:
                lines.append(f"{slug}: nothing due as of {_iso(self.up_to or self.decided_until)}")
            return lines
        lines += [f"{slug}: {code} (due {_iso(due)}): {ok} passed, {ko} failed" for code, due, ok, ko in self.evaluated]
        for change in sorted(self.changes, key=change_order):
            after, before = change.after, change.before
            if change.kind == "close":
                lines.append(f"{slug}: closed {change.leader_account} at {_iso(after.closed_at)} ({after.reason})")
            elif change.kind == "reclose":
                lines.append(f"{slug}: closed {change.leader_account} at {_iso(after.closed_at)} ({after.reason}) "
                             f"instead of {_iso(before.closed_at)} ({before.reason})")
            elif change.kind == "reinstate":
                lines.append(f"{slug}: reinstated {change.leader_account} ({after.status}; was closed at "
                             f"{_iso(before.closed_at)} ({before.reason}))")
        lines += [f"{slug}: retained {c.leader_account}" for c in sorted(self.retaining, key=change_order)]
        return lines


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else "-"


def change_order(change):
    """Closures in time order, then by account; changes without a closure instant (retentions) last."""
    moment = change.after.closed_at or change.before.closed_at
    return (moment is None, moment.timestamp() if moment else 0, change.leader_account)


# --- Planning -------------------------------------------------------------------------------------


@dataclass
class _Leader:
    pk: int
    account: str
    company: str
    granted_at: datetime
    stored: Outcome
    violation: tuple | None  # (closing instant, kind) of the earliest standing closing violation


def _standing_closures(campaign, leader_ids, without):
    closures = {}
    rows = (
        Violation.objects.standing()
        .filter(leader__campaign=campaign, closes_permission=True)
        .exclude(pk__in=without)
        .order_by("recorded_at", "pk")
        .values_list("leader_id", "recorded_at", "kind")
    )
    if leader_ids is not None:
        rows = rows.filter(leader_id__in=leader_ids)
    for leader_id, at, kind in rows:
        closures.setdefault(leader_id, (at, kind))
    return closures


def _load_leaders(campaign, leader_ids, without):
    rows = Leader.objects.filter(campaign=campaign)
    if leader_ids is not None:
        rows = rows.filter(pk__in=leader_ids)
    closures = _standing_closures(campaign, leader_ids, without)
    leaders = {}
    for pk, account, company, granted_at, status, closed_at, reason in rows.order_by("leader_account").values_list(
        "pk", "leader_account", "company_name", "granted_at", "status", "closed_at", "closure_reason"
    ):
        stored = Outcome(status, closed_at if status == LeaderStatus.CLOSED else None,
                         reason if status == LeaderStatus.CLOSED else "")
        leaders[pk] = _Leader(pk, account, company, granted_at, stored, closures.get(pk))
    return leaders


def _stored_results(campaign, leader_ids, *, with_figures):
    rows = CheckResult.objects.filter(leader__campaign=campaign)
    if leader_ids is not None:
        rows = rows.filter(leader_id__in=leader_ids)
    fields = ["pk", "leader_id", "code", "passed", "due_at"] + (["metrics"] if with_figures else [])
    return {(row[1], row[2]): row for row in rows.values_list(*fields)}


def _subset(campaign, pks, everyone):
    """The leaders ``pks`` as a queryset for a check's measure; the whole campaign when that is the same set."""
    if len(pks) == len(everyone):
        return Leader.objects.filter(campaign=campaign)
    return Leader.objects.filter(pk__in=pks)


def plan(campaign, *, up_to, recheck=False, leader_ids=None, without=()):
    """What deciding ``campaign`` up to ``up_to`` (and up to its decided point) would change; writes nothing.

    ``up_to`` None decides nothing new: the timelines are replayed up to the decided point only (a
    violation recorded or withdrawn, a recheck of what is decided). ``leader_ids`` limits the replay to
    those leaders (a recheck of selected leaders); ``without`` leaves those violations out (the preview of a
    withdrawal). Checks are judged set-based, one query per check.
    """
    previous = campaign.decided_until
    bounds = [moment for moment in (previous, up_to) if moment is not None]
    until = max(bounds) if bounds else None
    result = Plan(campaign=campaign, recheck=recheck, up_to=up_to, decided_until=until,
                  previous_decided_until=previous, scope=None if leader_ids is None else list(leader_ids))
    leaders = _load_leaders(campaign, leader_ids, without)
    result.leaders = {pk: (leader.account, leader.company) for pk, leader in leaders.items()}
    if not leaders:
        result.decided_until = previous if leader_ids is not None else until
        return result
    stored = _stored_results(campaign, leader_ids, with_figures=recheck)
    definitions = check_definitions(campaign)
    due = sorted((d for d in definitions if until is not None and d.due_at <= until), key=lambda d: d.due_at)
    later = [d for d in definitions if until is None or d.due_at > until]
    verdicts = {}  # (leader pk, code) -> passed, for every check on a timeline
    open_ = dict(leaders)
    ended = {}
    everyone = set(leaders) if leader_ids is None else set()
    for due_at, group in groupby(due, key=lambda d: d.due_at):
        group = list(group)
        judged = []
        for pk, leader in list(open_.items()):
            if due_at <= leader.granted_at:
                continue
            if leader.violation and leader.violation[0] <= due_at:
                ended[pk] = _violation_outcome(leader)
                del open_[pk]
                continue
            judged.append(pk)
        for definition in group:
            need = judged if recheck else [pk for pk in judged if (pk, definition.code) not in stored]
            for pk in judged:
                row = stored.get((pk, definition.code))
                if row is not None:
                    verdicts[(pk, definition.code)] = row[3]
            if not need:
                continue
            computed = definition.evaluate(_subset(campaign, need, everyone))
            ok = 0
            for pk in need:
                passed, figures = computed[pk]
                ok += passed
                verdicts[(pk, definition.code)] = passed
                result.figures[(pk, definition.code)] = (passed, figures)
                _record(result, stored.get((pk, definition.code)), pk, definition, passed, figures, due_at)
            result.evaluated.append((definition.code, due_at, ok, len(need) - ok))
        for pk in judged:
            failing = [d.code for d in group if verdicts.get((pk, d.code)) is False]
            if failing:
                ended[pk] = Outcome(LeaderStatus.CLOSED, due_at, ";".join(failing), at=due_at)
                del open_[pk]
    end = campaign.probation_end_instant
    for pk, leader in open_.items():
        if leader.violation:
            ended[pk] = _violation_outcome(leader)
        elif (until is not None and until >= end and leader.granted_at < end
              and not any(d.due_at > leader.granted_at for d in later)):
            applicable = [d.due_at for d in definitions if d.due_at > leader.granted_at]
            ended[pk] = Outcome(LeaderStatus.RETAINED, at=max([end, *applicable]))
        else:
            ended[pk] = Outcome(LeaderStatus.PROBATION)
    if recheck:
        on_timeline = set(verdicts)
        result.dropped_results = sorted(row[0] for key, row in stored.items() if key not in on_timeline)
    for pk, leader in leaders.items():
        if not ended[pk].same_as(leader.stored):
            result.changes.append(Change(pk, leader.account, leader.stored, ended[pk]))
    if leader_ids is not None:
        result.decided_until = previous if up_to is None else until
    return result


def _violation_outcome(leader):
    at, kind = leader.violation
    return Outcome(LeaderStatus.CLOSED, at, f"violation:{kind}", at=at)


def _record(result, row, pk, definition, passed, figures, due_at):
    """Add the verdict to the plan: a new result, a changed one, or nothing when the stored one agrees."""
    now = timezone.now()
    if row is None:
        result.new_results.append(CheckResult(leader_id=pk, code=definition.code, passed=passed, metrics=figures,
                                              due_at=due_at, evaluated_at=now))
        return
    result_pk, _leader, _code, stored_passed, stored_due = row[:5]
    if stored_passed != passed:
        result.flipped.setdefault(pk, []).append(definition.code)
    if (stored_passed, row[5], stored_due) != (passed, figures, due_at):
        result.changed_results.append(CheckResult(pk=result_pk, leader_id=pk, code=definition.code, passed=passed,
                                                  metrics=figures, due_at=due_at, evaluated_at=now))


# --- Deciding -------------------------------------------------------------------------------------


def data_lock_key(campaign):
    """The PostgreSQL advisory lock pair shared by imports (shared) and decisions (exclusive) of a campaign."""
    return 0x50524F42, campaign.pk  # "PROB"


def hold_decision_lock(campaign):
    """Inside a transaction: take the campaign's data lock exclusively, or refuse at once while an import
    holds it (its rows are not visible until it commits, so a decision now would judge half a file)."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself; the laptop default has no concurrent import
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", data_lock_key(campaign))
        if not cursor.fetchone()[0]:
            raise ImportRunning(_("An import of probation data into %(campaign)s is running: try again when it "
                                  "has finished.") % {"campaign": campaign.slug})


def hold_import_lock(campaign):
    """Inside an import's transaction: decisions of the campaign wait (refuse) until it commits."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", data_lock_key(campaign))


def refuse_future(up_to, now):
    if up_to is not None and up_to > now:
        raise FutureInstant(_("%(time)s is in the future: nothing is decided for a period that has not ended.")
                            % {"time": _iso(up_to)})


def scheduled_instant(campaign, now):
    """What the scheduled job decides up to: min(now, data mark); None without a mark."""
    mark = campaign.data_complete_until
    return None if mark is None else min(mark, now)


def recheck_instant(campaign, now, leader_ids):
    """What a recheck decides up to: for every leader it goes on as the scheduled job would (min(now, mark));
    for selected leaders it decides nothing new (the campaign's decided point must not move for a few)."""
    return scheduled_instant(campaign, now) if leader_ids is None else None


def decide(campaign, *, up_to, recheck=False, leader_ids=None, actor=None, expect=None, cause="decide", note=""):
    """Decide ``campaign`` up to ``up_to`` (see ``plan``), under the campaign's row lock, and apply the plan.

    ``expect`` is the fingerprint of the preview the staff confirmed: if the plan differs now, nothing is
    written and ``PlanChanged`` is raised. ``cause`` and ``note`` word the audit rows (decide, recheck,
    violation, withdrawal). Returns the applied ``Plan``.
    """
    now = timezone.now()
    refuse_future(up_to, now)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        hold_decision_lock(campaign)
        result = plan(campaign, up_to=up_to, recheck=recheck, leader_ids=leader_ids)
        if expect is not None and result.fingerprint() != expect:
            raise PlanChanged(_("The data or the verdicts changed since the preview: look at the preview again "
                                "before deciding."))
        _apply(result, actor=actor, cause=cause, note=note, now=now)
    return result


def _apply(result, *, actor, cause, note, now):
    campaign = result.campaign
    CheckResult.objects.bulk_create(result.new_results, batch_size=BATCH)
    CheckResult.objects.bulk_update(result.changed_results, ["passed", "metrics", "due_at", "evaluated_at"],
                                    batch_size=BATCH)
    for start in range(0, len(result.dropped_results), BATCH):
        CheckResult.objects.filter(pk__in=result.dropped_results[start:start + BATCH]).delete()
    _apply_changes(result, actor=actor, cause=cause, note=note)
    if result.recheck:  # stored verdicts now agree with today's data
        replayed = Leader.objects.filter(campaign=campaign)
        if result.scope is not None:
            replayed = replayed.filter(pk__in=result.scope)
        replayed.exclude(stale_checks="").update(stale_checks="")
    if result.decided_until != campaign.decided_until:
        campaign.decided_until = result.decided_until
        Campaign.objects.filter(pk=campaign.pk).update(decided_until=result.decided_until)
    if result.changes or result.new_results or result.changed_results or result.dropped_results:
        action = AuditAction.RECHECK if result.recheck else AuditAction.DECIDE
        audit.record(action, actor=actor, campaign=campaign, cause=cause, up_to=_iso(result.up_to),
                     decided_until=_iso(result.decided_until), new=len(result.new_results),
                     changed=len(result.changed_results), set_aside=len(result.dropped_results),
                     closed=len(result.closing), reclosed=len(result.reclosing),
                     reinstated=len(result.reinstating), retained=len(result.retaining),
                     leaders=sorted(c.leader_account for c in result.changes)[:200], note=note[:500])


def _transition_reason(change, *, cause, note):
    after, before = change.after, change.before
    if change.kind in {"close", "retain"}:
        return after.reason if change.kind == "close" else "all checks passed"
    words = {"recheck": "recheck on the data now on hand", "withdrawal": "violation withdrawn",
             "violation": "violation recorded", "decide": "decision"}.get(cause, cause)
    if change.kind == "reinstate":
        text = f"{words}: reinstated (was closed at {_iso(before.closed_at)} for {before.reason})"
    else:
        text = f"{words}: closed at {_iso(after.closed_at)} for {after.reason} (was {_iso(before.closed_at)} " \
               f"for {before.reason})"
    return f"{text}; {note}" if note else text


def _apply_changes(result, *, actor, cause, note):
    """Write the leaders' net transitions set-based: one UPDATE per distinct new state, one INSERT of
    audit rows; then the notices (only leaders that came from an application have someone to tell)."""
    if not result.changes:
        return
    for change in result.changes:
        if change.after.status not in LEADER_TRANSITIONS[LeaderStatus(change.before.status)]:
            raise ValueError(f"{change.leader_account}: {change.before.status} -> {change.after.status} is not a "
                             "leader transition")
    earlier = Counter()
    counted = (LeaderStatusChange.objects.filter(leader_id__in=[c.leader_id for c in result.changes])
               .values("leader_id", "to_status").annotate(n=Count("pk")))
    for row in counted:
        earlier[(row["leader_id"], row["to_status"])] = row["n"]
    by_state = defaultdict(list)
    for change in result.changes:
        after = change.after
        by_state[(after.status, after.closed_at, after.reason)].append(change.leader_id)
    for (status, closed_at, reason), pks in by_state.items():
        for start in range(0, len(pks), BATCH):
            Leader.objects.filter(pk__in=pks[start:start + BATCH]).update(
                status=status, closed_at=closed_at, closure_reason=reason[:255]
            )
    now = timezone.now()
    LeaderStatusChange.objects.bulk_create(
        (
            LeaderStatusChange(
                leader_id=c.leader_id, from_status=c.before.status, to_status=c.after.status,
                effective_at=c.after.at or c.after.closed_at or now,
                reason=_transition_reason(c, cause=cause, note=note)[:255], actor=actor,
            )
            for c in result.changes
        ),
        batch_size=BATCH,
    )
    leaders = Leader.objects.filter(pk__in=[c.leader_id for c in result.changes])
    leaders = {leader.pk: leader for leader in leaders.select_related("campaign", "application__applicant")}
    for change in result.changes:
        leader = leaders[change.leader_id]
        sequence = earlier[(leader.pk, change.after.status)] + 1
        notices.notify_change(leader, change.kind, sequence=sequence, cause=cause, previous=change.before)
