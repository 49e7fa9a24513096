"""Domain operations on applications. Views, admin actions, tasks and commands all call these.

``transition`` is the one place a status changes: it checks the TRANSITIONS table, saves with
``update_fields`` under a row lock, and writes the audit row, all in one transaction. The applicant's
operations (start, save answers, attachments, submit, withdraw, reopen) are built on top of it and
raise an ``ApplicationError`` whose message is shown to the applicant as is.
"""

import logging
from datetime import UTC

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import must_verify_mobile
from notifications.models import Channel, Notification
from notifications.services import deliver, notify
from recruitment import timeutils

from . import questionnaire
from .enums import TRANSITIONS, ApplicantStatus, ApplicationStatus, AttachmentKind
from .models import Application, Attachment, StatusChange
from .uploads import MAX_ATTACHMENTS, CheckedUpload
from .visibility import applicant_status

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """An operation on an application was refused; ``str(error)`` explains why (nothing changed)."""

    @property
    def message(self):
        return str(self)


class TransitionNotAllowed(ApplicationError):
    """The requested status change is not in the transitions table (nothing was changed)."""


class AnswersLocked(ApplicationError):
    """The answers can no longer change (the application is not a draft)."""


class AlreadySubmitted(TransitionNotAllowed):
    """A submission repeated (a double click, a resent form, concurrent requests): the application was
    submitted already. Callers answer it exactly as they answered the first submission."""


class WindowClosed(ApplicationError):
    """The application window is not open at this instant."""


class IncompleteApplication(ApplicationError):
    """Submission refused because answers are missing; ``missing`` lists them."""

    def __init__(self, missing):
        self.missing = missing
        super().__init__(
            _("The application is not complete. Still missing: %(items)s.")
            % {"items": "、".join(str(m.label) for m in missing)}
        )


class MobileUnverified(ApplicationError):
    """The applicant's account has a mobile number never proved with an SMS code (made before codes)."""

    def __init__(self):
        super().__init__(
            _("Please verify your mobile number with an SMS code first: an application can only be submitted "
              "from a verified account.")
        )


def can_transition(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


def transition(application, to_status, *, actor=None, reason="", fields=None):
    """Move ``application`` to ``to_status`` and record who did it and why.

    ``fields`` maps extra attributes to set in the same save (e.g. ``submitted_at``). The row is
    re-read under ``SELECT … FOR UPDATE`` so two concurrent transitions cannot both start from the
    same state. Raises ``TransitionNotAllowed`` and changes nothing when the move is not allowed.
    """
    fields = fields or {}
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not can_transition(locked.status, to_status):
            raise TransitionNotAllowed(
                _("An application in state “%(from)s” cannot move to “%(to)s”.")
                % {
                    "from": ApplicationStatus(locked.status).label,
                    "to": ApplicationStatus(to_status).label,
                }
            )
        from_status = locked.status
        locked.status = to_status
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at", *fields])
        StatusChange.objects.create(
            application=locked, actor=actor, from_status=from_status, to_status=to_status, reason=reason
        )
    application.refresh_from_db()
    return application


# --- Starting and editing a draft -------------------------------------------------------------------


def status_counts(campaign):
    """``{status: number of applications}`` of ``campaign`` in one grouped query (statuses with none left out)."""
    return dict(
        Application.objects.filter(campaign=campaign).order_by().values_list("status").annotate(n=Count("pk"))
    )


def application_of(user, campaign):
    """The user's application in ``campaign`` (at most one: a database constraint), or ``None``."""
    if campaign is None or not user.is_authenticated:
        return None
    return Application.objects.select_related("campaign").filter(campaign=campaign, applicant=user).first()


def application_in_current_campaign(user):
    """The user's application in the current campaign, its campaign row joined, or ``None``.

    One query instead of two (the current campaign, then the application in it): the pages take the
    current campaign from the application when there is one. At most one campaign is current and one
    application per user and campaign (both database constraints), so this is ``application_of(user,
    Campaign.objects.current())``.
    """
    if not user.is_authenticated:
        return None
    return Application.objects.select_related("campaign").filter(applicant=user, campaign__is_current=True).first()


def latest_application(user):
    """The user's most recent application in any campaign, or ``None``."""
    if not user.is_authenticated:
        return None
    return Application.objects.select_related("campaign").filter(applicant=user).order_by("-created_at").first()


def followed_application(user):
    """The application the status page follows: the one in the current campaign, else the latest.

    A leader selected in an earlier campaign keeps following its probation after the next campaign
    opens, until it starts an application there.
    """
    return application_in_current_campaign(user) or latest_application(user)


def own_application(user, pk):
    """The user's own application with id ``pk`` (its campaign joined), or ``None`` (someone else's too)."""
    if not user.is_authenticated:
        return None
    return Application.objects.select_related("campaign").filter(applicant=user, pk=pk).first()


def applications_of(user):
    """Every application of the user, in any campaign, newest first (the status page lists them all)."""
    return Application.objects.select_related("campaign").filter(applicant=user).order_by("-created_at", "-pk")


def check_can_start(campaign, now=None):
    """Raise ``WindowClosed`` once ``campaign``'s window has closed; a draft may be prepared before it opens."""
    if campaign.window_state(now) == "closed":
        raise WindowClosed(_("Applications for this campaign closed at %(deadline)s.") % _deadline(campaign))


def start_application(user, *, campaign, now=None):
    """Return the user's application in ``campaign``, creating the draft if there is none (开始填写).

    Called by a POST only: a page view never creates anything. Refused (``WindowClosed``, nothing
    created) once the window has closed. A double click racing on the create is absorbed by
    ``get_or_create``.
    """
    existing = application_of(user, campaign)
    if existing is not None:
        return existing
    check_can_start(campaign, now)
    application, _created = Application.objects.get_or_create(
        campaign=campaign,
        applicant=user,
        defaults={"email": user.email or "", "mobile": getattr(user, "mobile", "") or ""},
    )
    return application


def _lock_editable(application):
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_editable:
        raise AnswersLocked(
            _("The application has been submitted: its answers can no longer be changed. "
              "Withdraw it first if the window is still open.")
        )
    return locked


def _duplicate_account_message():
    return _("This Taobao Alliance account has already applied in this campaign.")


def save_answers(form):
    """Save one section's validated ``ModelForm`` on a draft; returns ``False`` with a form error on a clash.

    Only the section's own fields are written, under a row lock that re-checks the draft is still
    editable. Two drafts claiming the same alliance account at the same moment hit the database
    constraint: the loser gets the same form error as the normal uniqueness check.
    """
    application = form.instance
    try:
        with transaction.atomic():
            locked = _lock_editable(application)
            form.save(commit=False)
            fields = [*form._meta.fields, "updated_at"]
            custom = form.custom_values() if hasattr(form, "custom_values") else {}
            if custom:
                custom = _store_answer_files(application, custom, stored=locked.custom_answers)
                questionnaire.record_custom_answers(application, custom, stored=locked.custom_answers)
                fields.append("custom_answers")
            application.updated_at = timezone.now()
            application.save(update_fields=fields)
    except IntegrityError:
        form.add_error("alliance_account" if "alliance_account" in form.fields else None,
                       _duplicate_account_message())
        return False
    except AnswerFileRefused as refused:
        form.add_error(refused.field, refused.message)
        return False
    return True


class AnswerFileRefused(ApplicationError):
    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def _store_answer_files(application, values, *, stored):
    """Store each new file answer (a ``CheckedUpload``) as an attachment of kind ``answer`` and put its record
    (attachment number and file name) in its place; the file it replaces goes, after commit."""
    result = {}
    for question, value in values.items():
        if not isinstance(value, CheckedUpload):
            result[question] = value
            continue
        try:
            attachment = add_attachment(application, upload=value, actor=application.applicant,
                                        description=question.label[:200], kind=AttachmentKind.ANSWER)
        except ApplicationError as error:
            raise AnswerFileRefused(error.message, question.field_name) from error
        previous = ((stored or {}).get(str(question.pk)) or {}).get("value")
        if isinstance(previous, dict) and previous.get("attachment"):
            for old in Attachment.objects.filter(pk=previous["attachment"], application=application,
                                                 kind=AttachmentKind.ANSWER):
                name, storage = old.file.name, old.file.storage
                old.delete()
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        result[question] = {"attachment": attachment.pk, "name": attachment.original_name}
    return result


def save_cases(formset):
    """Save the cooperation-case formset of a draft (new, changed and deleted rows together)."""
    with transaction.atomic():
        _lock_editable(formset.instance)
        formset.save()
        Application.objects.filter(pk=formset.instance.pk).update(updated_at=timezone.now())


def add_attachment(application, *, upload, actor, description="", kind=AttachmentKind.SUPPORTING):
    """Store a checked upload (``uploads.check_upload``) under a random name."""
    with transaction.atomic():
        if kind == AttachmentKind.SUPPORTING:
            _lock_editable(application)
        else:
            Application.objects.select_for_update().get(pk=application.pk)
        if application.attachments.count() >= MAX_ATTACHMENTS:
            raise ApplicationError(
                _("An application holds at most %(count)s files. Delete one before uploading another.")
                % {"count": MAX_ATTACHMENTS}
            )
        attachment = Attachment(
            application=application,
            kind=kind,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            description=description,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload.file, save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def delete_attachment(attachment, *, actor):
    """Delete a supporting file of a draft; the stored file goes once the row is gone."""
    with transaction.atomic():
        _lock_editable(attachment.application)
        if attachment.kind != AttachmentKind.SUPPORTING:
            raise AnswersLocked(_("Supplementary material cannot be deleted."))
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))
    logger.info("attachment %s deleted by user %s", name, getattr(actor, "pk", None))


# --- Submission, withdrawal, reopening ------------------------------------------------------------------


def _deadline(campaign):
    return {"deadline": date_format(timeutils.local(campaign.application_closes_at), "Y-m-d H:i:s")}


def _check_window(campaign, now, action):
    state = campaign.window_state(now)
    if state == "upcoming":
        raise WindowClosed(
            _("Applications open at %(opens)s: %(action)s is not possible yet.")
            % {"opens": date_format(timeutils.local(campaign.application_opens_at), "Y-m-d H:i"), "action": action}
        )
    if state == "closed":
        raise WindowClosed(
            _("The application window closed at %(deadline)s (Beijing time): %(action)s is no longer possible.")
            % {**_deadline(campaign), "action": action}
        )


def submit_application(application, *, actor, now=None):
    """Submit a complete draft inside the window (Beijing time, inclusive to the second).

    Locks the answers (status ``submitted``), stamps ``submitted_at`` and records the confirmation
    in the notification outbox in the same transaction; it is sent after commit, or by the outbox
    sweep if the broker cannot be reached then (the applicant never sees that error). Raises
    ``WindowClosed``, ``IncompleteApplication``, ``AlreadySubmitted`` (it was submitted already: the
    row lock makes concurrent submits of one draft submit it once), ``MobileUnverified`` (the applicant's
    account has a mobile number never verified: ``accounts.permissions.must_verify_mobile``) or
    ``TransitionNotAllowed``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",)).select_related("campaign", "applicant")
            .get(pk=application.pk)
        )
        if locked.status != ApplicationStatus.DRAFT:
            shown = applicant_status(locked, now)  # the applicant's word: a hidden decision must not show
            refusal = AlreadySubmitted if shown != ApplicantStatus.WITHDRAWN else TransitionNotAllowed
            raise refusal(_("Only a draft can be submitted; this application is “%(status)s”.")
                          % {"status": shown.label})
        if must_verify_mobile(locked.applicant):
            raise MobileUnverified()
        _check_window(locked.campaign, now, _("submission"))
        missing = questionnaire.missing_answers(locked)
        if missing:
            raise IncompleteApplication(missing)
        transition(locked, ApplicationStatus.SUBMITTED, actor=actor, fields={"submitted_at": now})
        _record_confirmation(locked)
    application.refresh_from_db()
    return application


def withdraw_application(application, *, actor, now=None, reason=""):
    """Withdraw (撤回申请) an application the applicant sees as submitted, before the deadline.

    Allowed exactly when ``permissions.can_withdraw`` offers it: the test is on the applicant-facing
    status, so a round-1 rejection nobody was told about is withdrawn like a pending submission, and
    every refusal is worded the same whatever happened since. A withdrawn application can be reopened.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
        if applicant_status(locked, now) != ApplicantStatus.SUBMITTED:
            raise TransitionNotAllowed(
                _("This application can no longer be withdrawn: its review has started. Contact the campaign "
                  "staff if you need help.")
            )
        _check_window(locked.campaign, now, _("withdrawal"))
        transition(locked, ApplicationStatus.WITHDRAWN, actor=actor, reason=reason, fields={"withdrawn_at": now})
    application.refresh_from_db()
    return application


def reopen_application(application, *, actor, now=None):
    """Turn a withdrawn application back into a draft while the window is open, whatever staff decided.

    The same rule for everyone (a rule keyed on a hidden decision would reveal it): the history is
    kept (``StatusChange`` rows), and once resubmitted the application goes through round 1 again
    (``reviews.round1`` treats a decision older than the current submission as history). The
    declaration must be given again before the next submission, since the answers may change.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
        if locked.status != ApplicationStatus.WITHDRAWN:
            raise TransitionNotAllowed(_("Only a withdrawn application can be reopened."))
        _check_window(locked.campaign, now, _("reopening"))
        transition(
            locked, ApplicationStatus.DRAFT, actor=actor,
            fields={"submitted_at": None, "declaration_accepted": False},
        )
    application.refresh_from_db()
    return application


# --- Notifications ----------------------------------------------------------------------------------


CONFIRMATION_CHANNELS = (Channel.EMAIL, Channel.SMS)


def submission_event(application):
    """The outbox event of one submission: ``submitted:<id>:<submitted_at, UTC, to the microsecond>``.

    A resubmission after reopening has another ``submitted_at``, hence a new event and a new e-mail;
    the same submission always maps to the same event, so it is confirmed at most once.
    """
    stamp = application.submitted_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"submitted:{application.pk}:{stamp}"


def confirmation_channel(user):
    """Where a submission is confirmed: the account's own e-mail, else an SMS to its own mobile number.

    Never an address typed into the questionnaire: anyone can type anyone's address there.
    """
    if user.email:
        return Channel.EMAIL
    if getattr(user, "mobile", ""):
        return Channel.SMS
    return None


def _record_confirmation(application):
    """Write the confirmation of ``application``'s current submission into the outbox (once).

    One message to the account that submitted (``confirmation_channel``); the questionnaire's contact
    details are for staff and never receive it.
    """
    channel = confirmation_channel(application.applicant)
    if channel is None:
        logger.warning("application %s: the account has no e-mail or mobile for the confirmation", application.pk)
        return []
    return notify(
        event=submission_event(application), recipient=application.applicant, template="submission_confirmation",
        application=application, context={"campaign": application.campaign}, channels=[channel],
    )


def send_submission_confirmation(application):
    """Send the confirmation of the current submission now unless it went out already; ``True`` if sent now.

    The submission itself records the e-mail in the outbox and queues it; this is the explicit path
    (the ``applications.send_submission_confirmation`` task, e.g. a message queued by an earlier
    release): it records the row if it is missing and delivers it under the outbox row lock, so any
    number of runs, concurrent ones too, send one e-mail.
    """
    if application.status != ApplicationStatus.SUBMITTED or application.submitted_at is None:
        return False
    with transaction.atomic():
        _record_confirmation(application)
    pending = Notification.objects.filter(
        event=submission_event(application), channel__in=CONFIRMATION_CHANNELS, recipient=application.applicant_id,
    ).values_list("pk", flat=True)
    return any([deliver(pk) for pk in pending])


def record_confirmation_sent(notification):
    """Outbox receipt of a confirmation: stamp ``confirmation_sent_at`` if the message is about the
    application's current submission (a late message of a withdrawn submission stamps nothing)."""
    application = Application.objects.filter(pk=notification.application_id).first()
    if application is None or application.submitted_at is None or notification.channel not in CONFIRMATION_CHANNELS:
        return
    if submission_event(application) == notification.event:
        Application.objects.filter(pk=application.pk).update(confirmation_sent_at=notification.sent_at)
