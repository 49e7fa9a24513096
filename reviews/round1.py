"""Round 1 (初审): completeness and general qualifications, and the phone call after a pass.

``decide_round1`` is the one path for a round-1 decision (the admin action calls it per
application). A pass moves the application to ``FILING``, opens a ``PhoneTask`` for operations
(电话通知) and notifies the applicant; a rejection moves it to ``ROUND1_REJECTED`` and tells nobody:
outcomes reach applicants only through publication.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as application_services
from applications.enums import ApplicationStatus
from applications.models import Application
from notifications.services import notify

from . import permissions
from .models import ChecklistItem, PhoneTask, Round1Review

S = ApplicationStatus


class ReasonRequired(application_services.ApplicationError):
    """A round-1 rejection needs a reason (it stays in the audit trail)."""


def decide_round1(application, *, actor, passed, reason="", checked_items=()):
    """Record the round-1 decision on a submitted application and move it on.

    ``checked_items`` are the ticked ``ChecklistItem`` rows (items of another campaign are ignored).
    Raises ``PermissionDenied`` for someone who may not review round 1, ``ReasonRequired`` for a
    rejection without a reason, ``TransitionNotAllowed`` unless the application is ``SUBMITTED`` —
    so a second decision is refused and writes nothing. A resubmitted application (withdrawn after a
    decision nobody was told about, reopened, submitted again) is decided again: the earlier decision
    stays in the audit trail and its ``Round1Review`` row is replaced.
    """
    if not permissions.can_review_round1(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
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
        Round1Review.objects.filter(application=locked).delete()
        review = Round1Review.objects.create(application=locked, reviewer=actor, passed=passed, reason=reason)
        item_ids = [getattr(item, "pk", item) for item in checked_items]
        review.checked_items.set(ChecklistItem.objects.filter(campaign=locked.campaign_id, pk__in=item_ids))
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


def record_call(task, *, actor, outcome, note=""):
    """Operations record a phone call: the outcome and note, stamped with who called and when."""
    if not permissions.can_manage_phone_tasks(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = PhoneTask.objects.select_for_update().get(pk=task.pk)
        locked.outcome = outcome
        locked.note = note
        locked.called_by = actor
        locked.called_at = timezone.now()
        locked.save(update_fields=["outcome", "note", "called_by", "called_at"])
    task.refresh_from_db()
    return task
