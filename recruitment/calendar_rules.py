"""The campaign calendar must hold together: which date of a campaign may come before which.

``Campaign.clean`` (and so the admin's campaign form) asks ``campaign_errors``; the admin's monthly
thresholds (``BasicCheckMonthInline``) ask ``basic_month_error`` for each month, against the probation
as the form is about to save it. Each message sits on the field concerned and names the bound it was
compared with, in Beijing time. A rule whose dates are not both filled in is skipped: a field that
failed to parse is already reported by the form.

The filing deadline (备案截止) lies inside the review period: from the first second of
``review_starts_on`` to before the results are published. ``filing_deadline_error`` checks one value;
``campaign_errors`` applies it to the campaign's ``filing_deadline`` whenever the campaign has one.
"""

import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import timeutils


def _instant(value):
    return timeutils.instant_text(value)


def _day(value):
    return f"{value:%Y-%m-%d}"


@dataclass(frozen=True)
class Rule:
    """``field`` must stand in ``relation`` to ``bound`` (``operator.ge``: field >= bound)."""

    field: str
    relation: object
    bound: str
    message: Promise  # may name the bound as %(bound)s

    def error(self, campaign):
        value, bound = getattr(campaign, self.field, None), getattr(campaign, self.bound, None)
        if value is None or bound is None or self.relation(value, bound):
            return None
        shown = _instant(bound) if isinstance(bound, datetime) else _day(bound)
        return self.message % {"bound": shown}


RULES = [
    Rule("application_closes_at", operator.gt, "application_opens_at", _("Must be after the opening time.")),
    Rule("review_ends_on", operator.ge, "review_starts_on",
         _("The review cannot end before it starts (%(bound)s).")),
    Rule("results_published_at", operator.gt, "application_closes_at",
         _("The results must be published after the application deadline (%(bound)s).")),
    Rule("probation_ends_on", operator.ge, "probation_starts_on", _("Must not be before the probation start.")),
    Rule("activity_ends_at", operator.gt, "activity_starts_at", _("Must be after the activity start.")),
    Rule("checkpoint_ends_at", operator.ge, "activity_starts_at", _("Must not be before the activity start.")),
    Rule("checkpoint_ends_at", operator.le, "activity_ends_at",
         _("The checkpoint cannot be after the 拓客先锋 activity ends (%(bound)s).")),
    Rule("final_result_at", operator.ge, "activity_ends_at",
         _("The final result cannot be before the 拓客先锋 activity ends (%(bound)s).")),
    Rule("window_618_starts_at", operator.ge, "activity_starts_at",
         _("The 618 window cannot start before the 拓客先锋 activity starts (%(bound)s).")),
    Rule("window_618_ends_at", operator.gt, "window_618_starts_at",
         _("The 618 window must end after it starts (%(bound)s).")),
    Rule("window_618_ends_at", operator.le, "activity_ends_at",
         _("The 618 window cannot end after the 拓客先锋 activity ends (%(bound)s).")),
]


def campaign_errors(campaign):
    """``{field: [message, …]}`` for every rule the campaign's calendar breaks (empty when it holds)."""
    errors = {}
    for rule in RULES:
        message = rule.error(campaign)
        if message is not None:
            errors.setdefault(rule.field, []).append(message)
    deadline = getattr(campaign, "filing_deadline", None)
    if deadline is not None:
        message = filing_deadline_error(campaign, deadline)
        if message is not None:
            errors.setdefault("filing_deadline", []).append(message)
    return errors


def filing_deadline_error(campaign, deadline):
    """The message when ``deadline`` (a date-time, or a date meaning its last second) is outside the review
    period: before 00:00:00 of ``review_starts_on``, or not before the results are published. ``None`` when
    it lies inside, or when the campaign's review dates are not filled in."""
    if campaign.review_starts_on is None or campaign.results_published_at is None:
        return None
    if not isinstance(deadline, datetime):
        deadline = timeutils.start_of_day(deadline + timedelta(days=1)) - timedelta(seconds=1)
    starts = timeutils.start_of_day(campaign.review_starts_on)
    if starts <= deadline < campaign.results_published_at:
        return None
    return _(
        "The filing deadline must lie inside the review period: from %(start)s to before the results are "
        "published (%(end)s)."
    ) % {"start": _instant(starts), "end": _instant(campaign.results_published_at)}


def basic_month_error(campaign, month):
    """The message when the natural month starting on ``month`` is not wholly inside the probation; ``None``
    when it is, or when the probation dates are not filled in."""
    starts, ends = campaign.probation_starts_on, campaign.probation_ends_on
    if starts is None or ends is None or not isinstance(month, date):
        return None
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if starts <= month and last_day <= ends:
        return None
    return _("The whole month must lie inside the probation (%(start)s to %(end)s).") % {
        "start": _day(starts), "end": _day(ends)
    }
