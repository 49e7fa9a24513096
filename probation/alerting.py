"""Probation's DingTalk alerts to the campaign's group (``notifications.alerts``), @-mentioning operations (the
staff holding the import permission): a due check waiting too long for its data, an import that was refused."""

import logging
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import alerts
from notifications.models import AlertKind
from recruitment import timeutils

from .permissions import IMPORT_PERMISSION
from .wording import KIND_LABELS

logger = logging.getLogger(__name__)

#: Errors of a refused import listed in its alert; the admin page and the command list every one.
ERRORS_SHOWN = 5


def checks_waiting(campaign, waiting):
    """One alert per check (``datamark.WaitingCheck``) that has waited longer than the campaign allows for its
    data: raised once per check and due time, however many days it goes on waiting (the daily e-mail reminder
    to operations goes on until the data is confirmed)."""
    mark = campaign.data_complete_until
    with alerts.site_language():
        for check in waiting:
            alerts.raise_alert(
                kind=AlertKind.CHECK_WAITING, campaign=campaign,
                key=f"check_waiting:{campaign.pk}:{check.code}:{alerts.key_time(check.due_at)}",
                title=_("Waiting for data: %(check)s") % {"check": check.label},
                text=_("%(check)s of %(campaign)s was due at %(due)s (Beijing time) and has waited %(days)d days for "
                       "its data (data complete until: %(mark)s). Import the data and confirm it on the probation "
                       "board.") % {
                    "check": check.label, "campaign": campaign, "due": timeutils.instant_text(check.due_at),
                    "days": check.days, "mark": timeutils.instant_text(mark) if mark else _("not set")},
                mention=alerts.staff_with_permission(IMPORT_PERMISSION),
            )


def import_failed(campaign, *, kind, file_name, errors):
    """One alert for a refused import (all or nothing: nothing of it was written). ``errors`` are the reasons in
    words, the first ``ERRORS_SHOWN`` listed. Written in its own transaction after the import's rolled back; a
    failure to write it is logged, never raised over the import's own answer."""
    shown = "\n".join(f"- {error}" for error in errors[:ERRORS_SHOWN])
    more = len(errors) - ERRORS_SHOWN
    if more > 0:
        shown += "\n- " + ngettext("… and %(count)d more", "… and %(count)d more", more) % {"count": more}
    try:
        with alerts.site_language(), transaction.atomic():
            alerts.raise_alert(
                kind=AlertKind.IMPORT_FAILED, campaign=campaign,
                key=f"import_failed:{campaign.pk}:{kind}:{uuid.uuid4().hex}",
                title=_("Import refused: %(kind)s") % {"kind": KIND_LABELS.get(kind, kind)},
                text=ngettext(
                    "The import of %(kind)s into %(campaign)s (file %(file)s, %(at)s) was refused with %(count)d "
                    "error; nothing was imported:",
                    "The import of %(kind)s into %(campaign)s (file %(file)s, %(at)s) was refused with %(count)d "
                    "errors; nothing was imported:", len(errors)) % {
                    "kind": KIND_LABELS.get(kind, kind), "campaign": campaign, "file": file_name or "-",
                    "at": timeutils.instant_text(timezone.now()), "count": len(errors)} + "\n\n" + shown,
                mention=alerts.staff_with_permission(IMPORT_PERMISSION),
            )
    except Exception:
        logger.exception("probation: could not raise the alert of a refused %s import into %s", kind, campaign.slug)
