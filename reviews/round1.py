"""Round 1 (初审): completeness and general qualifications, and the phone call after a pass.

``decide_round1`` is the one path for a round-1 decision (the admin action calls it per
application). A pass needs the campaign's checklist, every item ticked, or a written reason to pass
without it (stored on the decision). It moves the application to ``FILING``, opens a ``PhoneTask``
for operations (电话通知) and notifies the applicant; a rejection moves it to ``ROUND1_REJECTED`` and
tells nobody: outcomes reach applicants only through publication.

``record_call`` keeps every call of a phone task (``CallAttempt``); ``calls_waiting`` counts the tasks
still to call (待致电).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as application_services
from applications.enums import ApplicationStatus
from applications.models import Application
from notifications.services import notify

from . import permissions
from .enums import CallOutcome
from .models import CallAttempt, ChecklistItem, PhoneTask, Round1Review

S = ApplicationStatus

# A task still to call (待致电): never called, or the last call went unanswered.
TO_CALL = (CallOutcome.PENDING, CallOutcome.NO_ANSWER)


class ReasonRequired(application_services.ApplicationError):
    """A round-1 rejection needs a reason (it stays in the audit trail)."""


class ChecklistIncomplete(application_services.ApplicationError):
    """A round-1 pass without every checklist item ticked needs a written reason."""


class CallRefused(application_services.ApplicationError):
    """A call could not be recorded (no outcome); nothing was written."""


def decide_round1(application, *, actor, passed, reason="", checked_items=(), checklist_waiver=""):
    """Record the round-1 decision on a submitted application and move it on.

    ``checked_items`` are the ticked ``ChecklistItem`` rows (items of another campaign are ignored).
    Raises ``PermissionDenied`` for someone who may not review round 1, ``ReasonRequired`` for a
    rejection without a reason, ``ChecklistIncomplete`` for a pass where any item of the campaign's
    checklist is left unticked (or the campaign has none) and no ``checklist_waiver`` is written,
    ``TransitionNotAllowed`` unless the application is ``SUBMITTED`` — so a second decision is refused
    and writes nothing. The waiver is stored only with a pass that needs it. A resubmitted application
    (withdrawn after a decision nobody was told about, reopened, submitted again) is decided again: the
    earlier decision stays in the audit trail and its ``Round1Review`` row is replaced.
    """
    if not permissions.can_review_round1(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    checklist_waiver = (checklist_waiver or "").strip()
    if not passed and not reason:
        raise ReasonRequired(_("Give the reason for the rejection."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("campaign", "applicant").get(
            pk=application.pk
        )
        if locked.status != S.SUBMITTED:
            raise application_services.TransitionNotAllowed(
                _("Round 1 decides only submitted applications; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        # A decision leaves SUBMITTED in the same transaction, so one found on a submitted application
        # was taken on an earlier submission (withdrawn, reopened, resubmitted): it is history, kept in
        # the audit trail (StatusChange: reviewer, time, outcome, reason; the admin's AuditEvent: the
        # checklist too), and the resubmission is decided afresh.
        item_ids = [getattr(item, "pk", item) for item in checked_items]
        campaign_items = ChecklistItem.objects.filter(campaign=locked.campaign_id)
        ticked = list(campaign_items.filter(pk__in=item_ids))
        unticked = campaign_items.exclude(pk__in=[item.pk for item in ticked]).count()
        checklist_complete = bool(ticked) and not unticked
        if passed and not checklist_complete and not checklist_waiver:
            raise ChecklistIncomplete(
                _("Tick every item of the campaign's checklist, or write why it passes without it.")
            )
        Round1Review.objects.filter(application=locked).delete()
        review = Round1Review.objects.create(
            application=locked, reviewer=actor, passed=passed, reason=reason,
            checklist_waiver=checklist_waiver if passed and not checklist_complete else "",
        )
        review.checked_items.set(ticked)
        target = S.FILING if passed else S.ROUND1_REJECTED
        application_services.transition(locked, target, actor=actor, reason=reason)
        if passed:
            announce_round1_pass(locked)
    application.refresh_from_db()
    return review


def announce_round1_pass(application):
    """Open the phone task and notify the applicant of the pass. Idempotent: one task, one message per channel."""
    task, _created = PhoneTask.objects.get_or_create(
        application=application,
        defaults={"contact_name": application.contact_name, "phone": application.mobile},
    )
    notify(
        event=f"round1_passed:{application.pk}",
        recipient=application.applicant,
        template="round1_passed",
        context={"campaign": application.campaign},
        application=application,
    )
    return task


def record_call(task, *, actor, outcome, note="", now=None):
    """Operations record one phone call: a new ``CallAttempt`` (who, when, outcome, note), and the
    task's latest-call fields follow it, in one transaction. Earlier attempts are never changed.

    Raises ``PermissionDenied`` for anyone but operations, ``CallRefused`` without a real outcome
    ("not called yet" is no call). Returns the task.
    """
    if not permissions.can_manage_phone_tasks(actor):
        raise PermissionDenied
    if outcome not in CallOutcome.values or outcome == CallOutcome.PENDING:
        raise CallRefused(_("Choose the outcome of the call."))
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked = PhoneTask.objects.select_for_update().get(pk=task.pk)
        CallAttempt.objects.create(task=locked, called_at=now, called_by=actor, outcome=outcome, note=note)
        locked.outcome = outcome
        locked.note = note
        locked.called_by = actor
        locked.called_at = now
        locked.save(update_fields=["outcome", "note", "called_by", "called_at"])
    task.refresh_from_db()
    return task


@dataclass(frozen=True)
class CallsWaiting:
    """Phone tasks still to call (待致电): never called, and called without an answer."""

    not_called: int
    call_again: int

    @property
    def total(self):
        return self.not_called + self.call_again


def calls_waiting(campaign=None):
    """The phone tasks to call of ``campaign`` (every campaign when ``None``), in one query."""
    tasks = PhoneTask.objects.all() if campaign is None else PhoneTask.objects.filter(application__campaign=campaign)
    counts = tasks.aggregate(
        not_called=Count("pk", filter=Q(outcome=CallOutcome.PENDING)),
        call_again=Count("pk", filter=Q(outcome=CallOutcome.NO_ANSWER)),
    )
    return CallsWaiting(counts["not_called"], counts["call_again"])


def calls_waiting_by_campaign():
    """``[(campaign id, campaign name, CallsWaiting)]`` for every campaign with a task to call, newest
    campaign first (one grouped query)."""
    rows = (
        PhoneTask.objects.filter(outcome__in=TO_CALL)
        .order_by()
        .values("application__campaign", "application__campaign__name", "application__campaign__application_opens_at")
        .annotate(
            not_called=Count("pk", filter=Q(outcome=CallOutcome.PENDING)),
            call_again=Count("pk", filter=Q(outcome=CallOutcome.NO_ANSWER)),
        )
        .order_by("-application__campaign__application_opens_at", "-application__campaign")
    )
    return [
        (row["application__campaign"], row["application__campaign__name"],
         CallsWaiting(row["not_called"], row["call_again"]))
        for row in rows
    ]
