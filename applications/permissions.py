"""Who may see or do what with an application: named predicates used by views, templates and admin.

An applicant only ever reaches their own application; staff need the ``view_application``
permission. Views answer 404 (not 403) to a stranger so that existence is not revealed.
"""

from .enums import ApplicantStatus, ApplicationStatus, AttachmentKind
from .visibility import applicant_status

VIEW_PERMISSION = "applications.view_application"


def is_owner(user, application):
    return bool(user.is_authenticated and application.applicant_id == user.pk)


def can_view_application(user, application):
    return is_owner(user, application) or bool(user.is_authenticated and user.has_perm(VIEW_PERMISSION))


def can_edit_answers(user, application):
    return is_owner(user, application) and application.is_editable


def can_view_attachment(user, attachment):
    return can_view_application(user, attachment.application)


def can_upload_attachment(user, application, kind=AttachmentKind.SUPPORTING):
    return kind == AttachmentKind.SUPPORTING and can_edit_answers(user, application)


def can_delete_attachment(user, attachment):
    return attachment.kind == AttachmentKind.SUPPORTING and can_edit_answers(user, attachment.application)


def can_submit(user, application, now=None):
    return (
        is_owner(user, application)
        and application.status == ApplicationStatus.DRAFT
        and application.campaign.accepts_applications(now)
    )


def can_withdraw(user, application, now=None):
    """While the applicant sees it "submitted", before the deadline (the window closes 2024-04-25 23:59:59).

    Keyed on the applicant-facing status only: a round-1 rejection nobody was told about is withdrawn
    exactly like a pending submission.
    """
    return (
        is_owner(user, application)
        and application.campaign.accepts_applications(now)
        and applicant_status(application, now) == ApplicantStatus.SUBMITTED
    )


def can_reopen(user, application, now=None):
    """The same rule for every withdrawn application: while the window is open, whatever staff decided."""
    return (
        is_owner(user, application)
        and application.status == ApplicationStatus.WITHDRAWN
        and application.campaign.accepts_applications(now)
    )


def _staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_see_full_phone(user):
    """Full phone numbers (application mobile, phone tasks): operations, who make the calls (they
    manage phone tasks), and the campaign admin (who publishes); every other role sees them masked."""
    return _staff(user) and (user.has_perm("reviews.change_phonetask") or user.has_perm("recruitment.publish_results"))
