"""复制为新一轮: a campaign copied as the next round, its dates moved by whole months.

``shift_months`` moves one date or instant; ``shifted_calendar`` moves every date of a campaign;
``copy_campaign`` writes the copy: the campaign's settings and thresholds, its basic-check months, and
whatever the apps above register here (``register_copier``: reviews copies the round-1 checklist, the
risk rules and the rubric; an app adding per-campaign set-up, such as custom questions or check items,
registers its own copier in its ``AppConfig.ready``). This module is the bottom layer and imports none
of those apps. No applicant data is copied: applications, leaders, committees and published state stay
with the source.

Natural months stay natural months: the first of a month maps to the first of the target month, the
last day of a month (a date ending a period, or an instant at 23:59:59) to the last day of the target
month, and any other day keeps its number, clamped to the target month's length (31 → 30, 31 → 28).
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.enums import AuditAction
from audit.services import record

from . import calendar_rules, timeutils
from .models import BasicCheckMonth, Campaign

#: Every date and instant of a campaign, in the order staff read them on the confirmation form.
CALENDAR_FIELDS = [
    "application_opens_at", "application_closes_at", "review_starts_on", "review_ends_on", "filing_deadline",
    "results_published_at", "probation_starts_on", "probation_ends_on", "activity_starts_at", "activity_ends_at",
    "window_618_starts_at", "window_618_ends_at", "checkpoint_ends_at", "final_result_at",
]

#: Set by hand for each round (the alliance announces the activity and 618 windows separately); the
#: shifted value is only the form's suggestion.
HAND_SET_FIELDS = {"activity_starts_at", "activity_ends_at", "window_618_starts_at", "window_618_ends_at"}

#: Date fields that end a period: their last day of a month stays the last day of the target month.
_PERIOD_END_DATES = {"review_ends_on", "probation_ends_on"}

#: Settings copied unchanged (everything of the campaign but its names, its calendar and its state).
COPIED_FIELDS = [
    "summary", "seats", "filing_reminder_hours", "checkpoint_min_new_merchants", "total_min_new_merchants",
    "qualifying_min_merchants", "best_item_min_orders", "settlement_rate_min_percent", "at_risk_reminder_day",
    "data_wait_reminder_days", "attachment_max_mb", "supplement_max_mb",
]

_COPIERS = {}


def register_copier(label, copier):
    """Have ``copier(source, target, months=months)`` copy an app's per-campaign set-up into ``target``
    (inside the copy's transaction; ``months`` is how far the round's dates move, for set-up that carries
    dates); it returns ``{what: count}``, written into the audit event's details (give each key a label in
    ``audit.display.DETAIL_LABELS``). One copier per label."""
    if _COPIERS.get(label, copier) is not copier:
        raise ValueError(f"a copier for {label!r} is registered already")
    _COPIERS[label] = copier


def _last_day(year, month):
    return calendar.monthrange(year, month)[1]


def _target(year, month, months):
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def shift_months(value, months, *, period_end=False):
    """``value`` (a date, or an aware instant read in Beijing time) moved by ``months`` whole months.

    A date is a month end when ``period_end`` is set and it is the month's last day; an instant is one
    when it is 23:59:59 on the month's last day. A month end maps to the target month's last day; any
    other day keeps its number, clamped to the target month's length.
    """
    if isinstance(value, datetime):
        local = timezone.localtime(value, timeutils.BEIJING)
        is_end = local.time() == time(23, 59, 59) and local.day == _last_day(local.year, local.month)
        day = shift_months(local.date(), months, period_end=is_end)
        return datetime.combine(day, local.time().replace(microsecond=0), tzinfo=timeutils.BEIJING)
    year, month = _target(value.year, value.month, months)
    last = _last_day(year, month)
    if period_end and value.day == _last_day(value.year, value.month):
        return date(year, month, last)
    return date(year, month, min(value.day, last))


def shifted_calendar(campaign, months):
    """``{field: shifted value}`` for every field of ``CALENDAR_FIELDS``."""
    return {
        name: shift_months(getattr(campaign, name), months, period_end=name in _PERIOD_END_DATES)
        for name in CALENDAR_FIELDS
    }


def shifted_months(campaign, months):
    """The campaign's basic-check months moved by ``months``: ``[(old first day, new first day), …]``."""
    return [(row.month, shift_months(row.month, months)) for row in campaign.basic_months.order_by("month")]


@dataclass(frozen=True)
class CopyResult:
    campaign: Campaign
    copied: dict  # what → count, e.g. {"basic_months": 3, "checklist_items": 5, …}


def build_copy(source, *, name, slug, months, dates=None):
    """The unsaved copy with every date shifted (``dates`` overrides any of them), checked as the campaign
    form checks it: the calendar rules, a unique slug, and each shifted basic month inside the probation.
    Raises ``ValidationError`` with messages per field (``basic_months`` for the months)."""
    values = {**shifted_calendar(source, months), **(dates or {})}
    target = Campaign(name=name, slug=slug, is_current=False, **values,
                      **{field: getattr(source, field) for field in COPIED_FIELDS})
    errors = {}
    try:
        target.full_clean(exclude=["is_current"])
    except ValidationError as error:
        errors.update(error.message_dict)
    month_errors = []
    for _old, new in shifted_months(source, months):
        message = calendar_rules.basic_month_error(target, new)
        if message is not None:
            month_errors.append(f"{new:%Y-%m}: {message}")
    if month_errors:
        errors["basic_months"] = month_errors
    if errors:
        raise ValidationError(errors)
    return target


def copy_campaign(source, *, name, slug, months, dates=None, actor):
    """Create the next round from ``source`` (see the module docstring) and audit it; returns a
    ``CopyResult``. All or nothing: a copier that fails leaves no campaign behind."""
    target = build_copy(source, name=name, slug=slug, months=months, dates=dates)
    with transaction.atomic():
        target.save()
        basic = BasicCheckMonth.objects.bulk_create(
            BasicCheckMonth(campaign=target, month=new, min_activities=row.min_activities,
                            min_merchants=row.min_merchants, min_items=row.min_items, min_gmv=row.min_gmv)
            for row, (_old, new) in zip(source.basic_months.order_by("month"), shifted_months(source, months),
                                        strict=True)
        )
        copied = {"basic_months": len(basic)}
        for label in sorted(_COPIERS):
            copied.update(_COPIERS[label](source, target, months=months))
        record(AuditAction.COPY_CAMPAIGN, actor=actor, obj=target, campaign=target, source=source.slug,
               months=months, **copied)
    return CopyResult(campaign=target, copied=copied)
