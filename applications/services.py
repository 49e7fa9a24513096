"""Domain operations on applications. Views, admin actions, tasks and commands all call these.

``transition`` is the one place a status changes: it checks the TRANSITIONS table, saves with
``update_fields`` under a row lock, and writes the audit row, all in one transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import TRANSITIONS, ApplicationStatus
from .models import Application, StatusChange


class TransitionNotAllowed(Exception):
    """The requested status change is not in the transitions table (nothing was changed)."""


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
