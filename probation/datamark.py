"""The data mark (数据完整至) of a campaign, the checks waiting for it, and what today's data would change.

The alliance's exports arrive days after a period ends. Staff say how far the data is complete by
moving the campaign's mark forward (``move_data_mark``: the admin's data-confirmation step and
``mark_data_complete``); the scheduled job decides only up to min(now, mark) (``probation.decisions``).
Until then a due check *waits*: the board and the dashboard list it, the leader's page says its result is
being confirmed, and operations are reminded once a day when it has waited too long.
"""

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.enums import AuditAction
from notifications.services import notify
from recruitment import tasking, timeutils
from recruitment.models import Campaign

from . import alerting, decisions
from .checks import check_definitions
from .models import ImportRecord, Leader
from .permissions import IMPORT_PERMISSION
from .wording import check_label

logger = logging.getLogger(__name__)


class MarkRefused(Exception):
    pass


def _when(moment):
    return timeutils.instant_text(moment) if moment else _("not set")


def mark_for_day(day):
    """Complete through the end of ``day``: the mark is the next day's 00:00:00, Beijing time."""
    return timeutils.start_of_day(day + timedelta(days=1))


def check_mark(campaign, to, *, now):
    """Why ``to`` cannot be the campaign's mark (a message naming the current mark), or None."""
    current = campaign.data_complete_until
    if to > now:
        return _("The data mark cannot be later than now (%(now)s): the data of a period that has not ended cannot "
                 "be complete. The current mark is %(mark)s.") % {"now": _when(now), "mark": _when(current)}
    if current is not None and to < current:
        return _("The data mark only moves forward: %(to)s is earlier than the current mark %(mark)s.") % {
            "to": _when(to), "mark": _when(current)}
    return None


def move_data_mark(campaign, *, to, actor, now=None):
    """Move the campaign's data mark forward to ``to`` (audited: who, when, from, to).

    Returns the previous mark, or raises ``MarkRefused`` (mark unchanged). The same instant again changes
    nothing and writes no audit row. Moving the mark decides nothing by itself: the scheduled job (or the
    board's confirmation, which calls ``decisions.decide`` in the same transaction) decides what it allows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        refusal = check_mark(campaign, to, now=now)
        if refusal:
            raise MarkRefused(refusal)
        previous = campaign.data_complete_until
        if previous == to:
            return previous
        Campaign.objects.filter(pk=campaign.pk).update(data_complete_until=to)
        audit.record(AuditAction.DATA_MARK, actor=actor, campaign=campaign, **{
            "from": timezone.localtime(previous).isoformat() if previous else None,
            "to": timezone.localtime(to).isoformat()})
    return previous


@dataclass(frozen=True)
class WaitingCheck:
    """A check past its due time and not yet decided."""

    code: str
    label: str
    due_at: datetime
    days: int  # whole days waited so far
    mark_allows: bool  # the data mark covers it: the scheduled job decides it within a minute

    @property
    def message(self):
        if self.mark_allows:
            return _("%(check)s is due and its data is confirmed: the scheduled job decides it shortly") % {
                "check": self.label}
        return _("%(check)s is due, waiting for the data to be confirmed") % {"check": self.label}


def waiting_checks(campaign, *, now):
    """The checks due at or before ``now`` but after the decided point, in due order (none without leaders)."""
    if not Leader.objects.filter(campaign=campaign).exists():
        return []
    decided, mark = campaign.decided_until, campaign.data_complete_until
    waiting = []
    for definition in sorted(check_definitions(campaign), key=lambda d: (d.due_at, d.code)):
        if definition.due_at > now or (decided is not None and definition.due_at <= decided):
            continue
        waiting.append(WaitingCheck(
            code=definition.code, label=check_label(definition.code), due_at=definition.due_at,
            days=(now - definition.due_at).days, mark_allows=mark is not None and definition.due_at <= mark,
        ))
    return waiting


def latest_imports(campaign, kinds):
    """``[(kind, ImportRecord or None)]`` for each of ``kinds`` (``probation.imports.KINDS``: DATA.md's table,
    in its order), the latest import of each. The kinds are passed in: the imports record themselves
    here, so this module does not import them."""
    latest = {}
    for record in ImportRecord.objects.filter(campaign=campaign).order_by("kind", "-imported_at", "-pk"):
        latest.setdefault(record.kind, record)
    return [(kind, latest.get(kind)) for kind in kinds]


def record_import(campaign, *, kind, result, file_name=""):
    """Note a successful import (inside its transaction) and compare the stored verdicts after it commits."""
    ImportRecord.objects.create(campaign=campaign, kind=kind, file_name=os.path.basename(str(file_name))[:200],
                                rows=result.rows,
                                created=result.created, updated=result.updated)
    if Campaign.objects.filter(pk=campaign.pk, decided_until__isnull=False).exists():  # else nothing to compare
        transaction.on_commit(lambda: _queue_comparison(campaign.pk))


def _queue_comparison(campaign_id):
    try:
        tasking.queue("probation.compare_verdicts", campaign_id=campaign_id)
    except Exception as error:  # broker down: the board keeps its previous comparison until the next import
        logger.warning("probation: could not queue the verdict comparison of campaign %s (%s: %s)", campaign_id,
                       type(error).__name__, error)


def compare_verdicts(campaign):
    """Store which leaders' decided verdicts today's data would change (``Leader.stale_checks``), computed by a
    recheck's plan, so the board can say 数据已变化，待复核 without computing it on page load.

    Returns the number of leaders flagged. It runs under the campaign's row lock (so never beside a decision)
    but takes no data lock: an import running meanwhile queues its own comparison once it commits.
    """
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        stale = {}
        if campaign.decided_until is not None:
            result = decisions.plan(campaign, up_to=None, recheck=True)
            stale = {pk: ";".join(codes) for pk, codes in result.flipped.items()}
            for change in result.changes:
                stale.setdefault(change.leader_id, change.after.reason or change.after.status)
        leaders = Leader.objects.filter(campaign=campaign)
        leaders.exclude(pk__in=list(stale)).exclude(stale_checks="").update(stale_checks="")
        by_codes = {}
        for pk, codes in stale.items():
            by_codes.setdefault(codes[:255], []).append(pk)
        for codes, pks in by_codes.items():
            leaders.filter(pk__in=pks).update(stale_checks=codes)
        Campaign.objects.filter(pk=campaign.pk).update(verdicts_compared_at=now)
    return len(stale)


def _operations_staff():
    """Active staff holding the import permission (the operations role), superusers excepted."""
    app_label, codename = IMPORT_PERMISSION.split(".")
    granted = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return get_user_model().objects.filter(granted, is_active=True, is_staff=True).distinct().order_by("pk")


def remind_waiting_checks(campaign, *, now):
    """Remind operations, once a day, of the due checks waiting for data longer than the campaign allows (and
    the campaign's DingTalk group once per check: ``alerting.checks_waiting``).

    Event ``data_wait:<campaign id>:<YYYY-MM-DD>``: a second run the same day sends nothing new. Returns
    the number of people reminded now.
    """
    overdue = [w for w in waiting_checks(campaign, now=now)
               if not w.mark_allows and now - w.due_at > timedelta(days=campaign.data_wait_reminder_days)]
    if not overdue:
        return 0
    alerting.checks_waiting(campaign, overdue)
    channels = [c for c in settings.NOTIFICATION_CHANNELS if c != "inapp"]
    today = timezone.localtime(now).date()
    reminded = 0
    for user in _operations_staff():
        with transaction.atomic():
            reminded += bool(notify(
                event=f"data_wait:{campaign.pk}:{today:%Y-%m-%d}", recipient=user, template="probation_data_wait",
                channels=channels,
                context={"campaign": campaign, "checks": overdue, "mark": campaign.data_complete_until,
                         "days": campaign.data_wait_reminder_days},
            ))
    logger.info("probation: %s: %d member(s) of operations reminded of %d waiting check(s)", campaign.slug,
                reminded, len(overdue))
    return reminded


def remind_every_waiting_check(*, now):
    campaigns = Campaign.objects.filter(leaders__isnull=False).distinct().order_by("slug")
    return {campaign.slug: remind_waiting_checks(campaign, now=now) for campaign in campaigns}
