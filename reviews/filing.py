"""Round 2, first half: the applicant's system filing (系统备案) and supplementary material.

An application that passed round 1 (``FILING``) is completed here by its applicant: ``submit_filing``
stores the ``Filing``, moves the application to ``RISK_REVIEW`` and, after commit, queues the risk
assessment (``reviews.tasks.run_risk_assessment``). Supplementary material (补充材料) may be uploaded
from the round-1 pass until the outcome is published.

Nobody may block publication by doing nothing: each campaign has a filing deadline (系统备案截止,
``Campaign.filing_deadline``). Before it the applicants still to file are reminded once at each of the
campaign's offsets (``send_filing_reminders``, a beat task); after it the risk officer closes out those
who never filed (``close_out_non_filer``: 未按时备案, public, audited), and the campaign admin may reopen
their filing with a reason until publication (``reopen_filing``). A filing that arrives after the deadline
but before the close-out is accepted: the deadline is when staff may close the filing, not a trap.

What the applicant is allowed to know is ``applications.visibility.applicant_status``: before
publication an outcome reads as the phase it was decided in, so neither the status page nor a refused
upload can reveal a rejection early.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services as application_services
from applications.enums import SUPPLEMENT_APPLICANT_STATUSES, ApplicantStatus, ApplicationStatus, AttachmentKind
from applications.models import Application
from applications.permissions import is_owner
from applications.visibility import applicant_status
from audit import services as audit
from audit.enums import AuditAction
from notifications.models import Notification
from notifications.services import notify
from recruitment import tasking, timeutils
from recruitment.models import Campaign

from . import permissions
from .models import Filing

S = ApplicationStatus
A = ApplicantStatus

# The applicant may upload supplementary material while they see the application between the round-1
# pass and the published outcome (``applications.visibility.applicant_status``): an outcome decided
# meanwhile still counts, since refusing the upload would reveal the decision.
SUPPLEMENT_STATES = SUPPLEMENT_APPLICANT_STATUSES

logger = logging.getLogger(__name__)

FILING_FIELDS = [
    "legal_representative",
    "legal_representative_id_number",
    "registered_address",
    "business_address",
    "settlement_account_name",
    "associated_accounts_confirmed",
    "rules_accepted",
]


class FilingRefused(application_services.ApplicationError):
    """The filing or the upload was refused (wrong state or not the applicant); nothing changed."""


# --- PRC resident ID (居民身份证号码, GB 11643-1999) ------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_number_check_char(first17):
    """The check character of an 18-character resident ID from its first 17 digits (ISO 7064 MOD 11-2)."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value):
    """18 characters: 6-digit region, birth date YYYYMMDD, 3-digit sequence, check digit (0-9 or X)."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            gettext_lazy("Enter the 18-character resident ID number (the last character may be X)."),
            code="id_format",
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise ValidationError(gettext_lazy("The birth date inside the ID number is not a valid date."), code="id_birth")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(gettext_lazy("The ID number's check digit is wrong: please check it."), code="id_check")


# --- What the applicant may know and do ------------------------------------------------------------


def can_file(user, application, now=None):
    """While the applicant sees "round 1 passed, filing to complete" (``applicant_status``), deadline or
    not: once closed out for not filing (未按时备案) they read "filing closed" and may no longer file."""
    return is_owner(user, application) and applicant_status(application, now) == A.FILING


def can_upload_supplementary(user, application, now=None):
    return is_owner(user, application) and applicant_status(application, now) in SUPPLEMENT_STATES


# --- Operations --------------------------------------------------------------------------------------


def submit_filing(application, *, actor, data):
    """Record the applicant's filing and start the risk assessment (FILING → RISK_REVIEW).

    ``data`` holds the validated ``FILING_FIELDS`` (``reviews.forms.FilingForm``). Only the applicant,
    only while they see the application waiting for its filing (``can_file``); the row lock makes a
    double submit file once, and orders it against a close-out of the same application: whichever comes
    first wins, and the other is refused. The assessment task is queued after commit, so the worker sees
    the filing.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
        if not is_owner(actor, locked):
            raise FilingRefused(_("Only the applicant can complete the filing."))
        if not can_file(actor, locked) or Filing.objects.filter(application=locked).exists():
            raise FilingRefused(_("The filing is not open for this application."))
        if not (data.get("associated_accounts_confirmed") and data.get("rules_accepted")):
            raise FilingRefused(_("Confirm the associated accounts and accept the management rules to file."))
        filing = Filing.objects.create(application=locked, **{name: data[name] for name in FILING_FIELDS})
        application_services.transition(locked, S.RISK_REVIEW, actor=actor, reason=_("System filing completed"))
        transaction.on_commit(lambda: _queue_assessment(locked.pk))
    application.refresh_from_db()
    return filing


def _queue_assessment(application_id):
    """Queue the assessment; if the broker is down the filing stays saved and the sweep assesses it."""
    try:
        tasking.queue("reviews.run_risk_assessment", application_id=application_id)
    except Exception:  # broker unreachable: reviews.sweep_risk_reviews picks the application up
        logger.warning("could not queue the risk assessment of %s; the sweep will run it", application_id,
                       exc_info=True)


def add_supplementary(application, *, upload, actor, description="", now=None):
    """Store supplementary material (补充材料, ``campaign.supplement_max_mb``) for the applicant.

    ``upload`` is a ``CheckedUpload`` from ``applications.uploads.check_upload`` with the
    supplementary kind. Refused (``FilingRefused``) unless ``actor`` owns the application and it is,
    as far as the applicant may know, between the round-1 pass and the published outcome.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
        if not is_owner(actor, locked):
            raise FilingRefused(_("Only the applicant can upload supplementary material."))
        if applicant_status(locked, now) not in SUPPLEMENT_STATES:
            raise FilingRefused(_("Supplementary material can be uploaded only after passing round 1."))
        return application_services.add_attachment(
            locked, upload=upload, actor=actor, description=description, kind=AttachmentKind.SUPPLEMENTARY
        )


# --- The filing deadline (系统备案截止) -------------------------------------------------------------


def awaiting_filing(campaign):
    """Applications of ``campaign`` that passed round 1 and have not filed (``FILING``)."""
    return Application.objects.filter(campaign=campaign, status=S.FILING)


def _deadline_text(campaign):
    return date_format(timeutils.local(campaign.filing_deadline), "Y-m-d H:i:s")


@dataclass
class FilingFigures:
    """What waits for the filing in one campaign (the dashboard's figure)."""

    waiting: int  # passed round 1, not filed
    deadline: datetime
    deadline_passed: bool
    lapsed: int  # closed out for not filing, before publication


def filing_figures(campaign, now=None):
    """How many still have to file in ``campaign`` and until when, and how many were closed out (one query)."""
    counts = Application.objects.filter(campaign=campaign).aggregate(
        waiting=_count(S.FILING), lapsed=_count(S.FILING_LAPSED)
    )
    return FilingFigures(
        waiting=counts["waiting"], deadline=campaign.filing_deadline,
        deadline_passed=campaign.filing_deadline_passed(now), lapsed=counts["lapsed"],
    )


def _count(status):
    return Count("pk", filter=Q(status=status))


# --- Reminders before the deadline ---------------------------------------------------------------------


def reminder_event(application, hours):
    """One reminder per application and offset, whatever the number of runs: ``filing_reminder:<id>:<h>h``."""
    return f"filing_reminder:{application.pk}:{hours}h"


def due_reminder_offset(campaign, now):
    """The offset (hours) whose reminder is due at ``now``: the smallest one already reached, before the
    deadline; ``None`` when none is. An application that starts waiting late (or a beat that was down)
    gets only the most imminent reminder, never a backlog of earlier ones."""
    if now > campaign.filing_deadline:
        return None
    reached = [hours for hours in campaign.filing_reminder_offsets
               if now >= campaign.filing_deadline - timedelta(hours=hours)]
    return min(reached) if reached else None


def send_filing_reminders(now=None):
    """Remind every applicant who passed round 1 and has not filed, once per offset (``notify``).

    For each unpublished campaign whose deadline is still ahead and whose reminder moment has come
    (``due_reminder_offset``), each application waiting for its filing is told the deadline. Events are
    unique per application and offset, so any number of runs, concurrent ones too, remind once; the ones
    already recorded are skipped without rendering. Returns the number of applicants reminded now.
    """
    now = timeutils.to_second(now or timezone.now())
    reminded = 0
    for campaign in Campaign.objects.filter(filing_deadline__gte=now, published_at__isnull=True).order_by("pk"):
        hours = due_reminder_offset(campaign, now)
        if hours is None:
            continue
        waiting = list(awaiting_filing(campaign).select_related("applicant").order_by("pk"))
        events = {application.pk: reminder_event(application, hours) for application in waiting}
        recorded = set(Notification.objects.filter(event__in=events.values()).values_list("event", flat=True))
        for application in waiting:
            if events[application.pk] in recorded:
                continue
            with transaction.atomic():
                created = notify(
                    event=events[application.pk], recipient=application.applicant, template="filing_reminder",
                    context={"campaign": campaign, "deadline": timeutils.local(campaign.filing_deadline)},
                    application=application,
                )
            reminded += bool(created)
    return reminded


# --- After the deadline: closing out non-filers (未按时备案) and reopening their filing -------------------


@dataclass
class CloseOutRow:
    """One line of the close-out preview: the application, why it cannot be closed out (empty: it will
    be), when it passed round 1 and which reminders it was sent (offsets in hours)."""

    application: Application
    refusal: str
    round1_passed_at: datetime | None
    reminders: list


def close_out_refusal(application, now=None):
    """Why ``application`` cannot be closed out for not filing at ``now``, or ``""`` when it can."""
    campaign = application.campaign
    if campaign.published_at is not None:
        return _("The results are already published.")
    if application.status != S.FILING:
        return _("It is not waiting for its filing (it is “%(status)s”).") % {
            "status": ApplicationStatus(application.status).label}
    if not campaign.filing_deadline_passed(now):
        return _("The filing deadline (%(deadline)s, Beijing time) has not passed yet.") % {
            "deadline": _deadline_text(campaign)}
    return ""


def close_out_preview(applications, now=None):
    """What closing out ``applications`` would do at ``now``, one ``CloseOutRow`` each; writes nothing.

    Two queries beyond the applications: when each passed round 1 (its latest pass: a resubmission goes
    through round 1 again; a reopened filing is not a pass), and the reminders each was sent.
    """
    applications = list(applications)
    ids = [application.pk for application in applications]
    passed_at = dict(
        Application.objects.filter(pk__in=ids)
        .values_list("pk")
        .annotate(at=Max("status_changes__created_at",
                         filter=Q(status_changes__from_status=S.SUBMITTED, status_changes__to_status=S.FILING)))
    )
    reminders = {}
    events = Notification.objects.filter(application_id__in=ids, event__startswith="filing_reminder:")
    for application_id, event in events.values_list("application_id", "event").distinct():
        reminders.setdefault(application_id, set()).add(int(event.rsplit(":", 1)[1].rstrip("h")))
    return [
        CloseOutRow(application, close_out_refusal(application, now), passed_at.get(application.pk),
                    sorted(reminders.get(application.pk, ()), reverse=True))
        for application in applications
    ]


def _lock(application):
    """The campaign's row, then the application's, under ``SELECT … FOR UPDATE``: publication's order
    (``reviews.publication``), so a close-out or a reopening and a publication run one after the other.
    The applicant's steps (here and in ``applications.services``) and the risk assessment lock the
    application's row alone (``of=("self",)``): a join lock would take the campaign row second, and the
    two orders could meet in a deadlock on the same application."""
    campaign = Campaign.objects.select_for_update().get(pk=application.campaign_id)
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    locked.campaign = campaign
    return locked


def close_out_non_filer(application, *, actor, now=None):
    """Close out an application never filed by the deadline (FILING → FILING_LAPSED, 未按时备案).

    Only for ``can_close_out_non_filers`` (the risk officer), once the campaign's filing deadline has
    passed and until publication; refused with ``FilingRefused`` (nothing changed) otherwise, or when
    the application filed meanwhile. Audited (``StatusChange`` and an ``AuditEvent``). The applicant
    reads "filing closed" at once (the deadline is public) and is told the outcome at publication, like
    everyone else; the campaign admin can reopen the filing until then (``reopen_filing``).

    The campaign's row and then the application's are locked (``_lock``): a filing of the same
    application at the same moment waits or wins, and a publication runs before or after, never across.
    """
    if not permissions.can_close_out_non_filers(actor):
        raise FilingRefused(_("You may not close out applications for not filing."))
    now = timeutils.to_second(now or timezone.now())
    with transaction.atomic():
        locked = _lock(application)
        refusal = close_out_refusal(locked, now)
        if refusal:
            raise FilingRefused(refusal)
        deadline = _deadline_text(locked.campaign)
        application_services.transition(
            locked, S.FILING_LAPSED, actor=actor,
            reason=_("Not filed by the filing deadline (%(deadline)s, Beijing time).") % {"deadline": deadline},
        )
        audit.record(AuditAction.FILING_CLOSE_OUT, actor=actor, obj=locked, filing_deadline=deadline)
    application.refresh_from_db()
    return application


def reopen_refusal(application):
    """Why the filing of ``application`` cannot be reopened, or ``""`` when it can."""
    if application.campaign.published_at is not None:
        return _("The results are already published.")
    if application.status != S.FILING_LAPSED:
        return _("Only an application closed out for not filing can have its filing reopened.")
    return ""


def reopen_filing(application, *, actor, reason):
    """Give an application closed out for not filing its filing back (FILING_LAPSED → FILING).

    Only for ``can_reopen_filing`` (the campaign admin), with a reason, until the results are published.
    Audited; the applicant is told, since they must act (file on the status page). The application waits
    for its filing again: the risk officer may close it out again if it still does not file. Raises
    ``FilingRefused`` and changes nothing otherwise. Locked like a close-out (``_lock``): a publication
    runs before (the reopening is refused: published) or after (it finds the application waiting for
    its filing and publishes nothing).
    """
    reason = (reason or "").strip()
    if not permissions.can_reopen_filing(actor):
        raise FilingRefused(_("You may not reopen the filing of an application."))
    if not reason:
        raise FilingRefused(_("Give the reason for reopening the filing."))
    with transaction.atomic():
        locked = _lock(application)
        campaign = locked.campaign
        refusal = reopen_refusal(locked)
        if refusal:
            raise FilingRefused(refusal)
        application_services.transition(locked, S.FILING, actor=actor, reason=reason)
        change = locked.status_changes.order_by("-pk").first()
        audit.record(AuditAction.FILING_REOPEN, actor=actor, obj=locked, campaign=campaign, reason=reason)
        notify(
            event=f"filing_reopened:{locked.pk}:{change.pk}", recipient=locked.applicant, template="filing_reopened",
            context={"campaign": campaign}, application=locked,
        )
    application.refresh_from_db()
    return application
