"""Round 2, first half: the applicant's system filing (系统备案) and supplementary material.

An application that passed round 1 (``FILING``) is completed here by its applicant: ``submit_filing``
stores the ``Filing``, moves the application to ``RISK_REVIEW`` and, after commit, queues the risk
assessment (``reviews.tasks.run_risk_assessment``). Supplementary material (补充材料) may be uploaded
from the round-1 pass until the outcome is published.

What the applicant is allowed to know is ``applications.visibility.applicant_status``: before
publication an outcome reads as the phase it was decided in, so neither the status page nor a refused
upload can reveal a rejection early.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import services as application_services
from applications.enums import SUPPLEMENT_APPLICANT_STATUSES, ApplicantStatus, ApplicationStatus, AttachmentKind
from applications.models import Application
from applications.permissions import is_owner
from applications.visibility import applicant_status

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
    """While the applicant sees "round 1 passed, filing to complete" (``applicant_status``): a closure
    staff recorded meanwhile (FILING → ROUND1_REJECTED) must not show through a refused filing."""
    return is_owner(user, application) and applicant_status(application, now) == A.FILING


def can_upload_supplementary(user, application, now=None):
    return is_owner(user, application) and applicant_status(application, now) in SUPPLEMENT_STATES


# --- Operations --------------------------------------------------------------------------------------


def submit_filing(application, *, actor, data):
    """Record the applicant's filing and start the risk assessment (FILING → RISK_REVIEW).

    ``data`` holds the validated ``FILING_FIELDS`` (``reviews.forms.FilingForm``). Only the applicant,
    only while they see the application waiting for its filing (``can_file``); the row lock makes a
    double submit file once. An application staff closed for not filing (FILING → ROUND1_REJECTED,
    unpublished) is filed like any other: the closure lapses, since its reason no longer holds, and the
    risk assessment runs (staff decide again in rounds 2–3). The assessment task is queued after
    commit, so the worker sees the filing.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("campaign").get(pk=application.pk)
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
    from .tasks import run_risk_assessment

    try:
        run_risk_assessment.delay(application_id=application_id)
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
        locked = Application.objects.select_for_update().select_related("campaign").get(pk=application.pk)
        if not is_owner(actor, locked):
            raise FilingRefused(_("Only the applicant can upload supplementary material."))
        if applicant_status(locked, now) not in SUPPLEMENT_STATES:
            raise FilingRefused(_("Supplementary material can be uploaded only after passing round 1."))
        return application_services.add_attachment(
            locked, upload=upload, actor=actor, description=description, kind=AttachmentKind.SUPPLEMENTARY
        )
