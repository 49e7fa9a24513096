"""The public pages: the home page (what the campaign is, its calendar in Beijing time and how long the
window stays open) and the results announcement (结果公示)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reviews.results import published_results

from . import timeutils
from .context_processors import get_current_campaign
from .facts import campaign_facts

ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Countdown:
    """Seconds from ``now`` to ``target``; the page renders it and countdown.js keeps it ticking."""

    target: datetime
    now: datetime
    remaining_seconds: int

    @classmethod
    def until(cls, target, now):
        now = timezone.localtime(timeutils.to_second(now), timeutils.BEIJING)
        target = timezone.localtime(target, timeutils.BEIJING)
        return cls(target=target, now=now, remaining_seconds=max(0, int((target - now).total_seconds())))

    @property
    def days(self):
        return self.remaining_seconds // 86400

    @property
    def hours(self):
        return self.remaining_seconds % 86400 // 3600

    @property
    def minutes(self):
        return self.remaining_seconds % 3600 // 60

    @property
    def seconds(self):
        return self.remaining_seconds % 60


@dataclass(frozen=True)
class CalendarEntry:
    label: str
    starts_at: datetime
    ends_at: datetime  # inclusive; equal to starts_at for a single instant
    start_text: str
    end_text: str
    note: str
    state: str  # "past", "now" or "future"


def format_instant(moment):
    """Localised Beijing-time text: the date, plus the time unless it is midnight, with seconds if any."""
    local = timezone.localtime(moment, timeutils.BEIJING)
    text = date_format(local, "DATE_FORMAT")
    if local.second:
        return f"{text} {local:%H:%M:%S}"
    if local.hour or local.minute:
        return f"{text} {local:%H:%M}"
    return text


def _day_range(first_day, last_day):
    """Whole Beijing days as inclusive instants: 00:00:00 of the first to 23:59:59 of the last."""
    return timeutils.start_of_day(first_day), timeutils.start_of_day(last_day + timedelta(days=1)) - ONE_SECOND


def _entry(label, starts_at, ends_at, now, *, note="", days=None):
    state = "past" if ends_at < now else "now" if starts_at <= now else "future"
    if days:
        start_text, end_text = (date_format(day, "DATE_FORMAT") for day in days)
    else:
        start_text, end_text = format_instant(starts_at), format_instant(ends_at)
    if starts_at == ends_at:
        end_text = ""
    return CalendarEntry(label, starts_at, ends_at, start_text, end_text, note, state)


def campaign_calendar(campaign, now):
    """The campaign's dates in chronological order, each marked past / now / future at ``now``."""
    review = (campaign.review_starts_on, campaign.review_ends_on)
    probation = (campaign.probation_starts_on, campaign.probation_ends_on)
    entries = [
        _entry(_("Application window"), campaign.application_opens_at, campaign.application_closes_at, now),
        _entry(_("Official review (three rounds)"), *_day_range(*review), now, days=review),
        _entry(_("Results published"), campaign.results_published_at, campaign.results_published_at, now),
        _entry(_("Probation"), *_day_range(*probation), now, days=probation),
        _entry(
            _("拓客先锋 reward activity"),
            campaign.activity_starts_at,
            campaign.activity_ends_at,
            now,
            note=_("Expected dates; the activity announcement prevails."),
        ),
        _entry(
            _("New-merchant special check: checkpoint"),
            campaign.activity_starts_at,
            campaign.checkpoint_ends_at,
            now,
            note=_("At least %(count)s new merchants by the end of this period.")
            % {"count": campaign.checkpoint_min_new_merchants},
        ),
        _entry(
            _("New-merchant special check: final result"),
            campaign.final_result_at,
            campaign.final_result_at,
            now,
            note=_("Published after settlement completes."),
        ),
    ]
    return sorted(entries, key=lambda entry: entry.starts_at)


def static_fragment_key(campaign, calendar, facts):
    """Key of the home page's cached part (facts, texts, calendar): everything that part shows.

    The fragment is a pure function of this key (campaign fields, calendar texts and states, the facts of
    ``recruitment.facts`` with the monthly thresholds, which live in other rows, language, time zone),
    so a cached copy can never be stale and no invalidation is needed; the hero, the window state and the
    countdown stay outside the fragment and are rendered on every request.
    """
    shown = (
        campaign.pk, campaign.updated_at, campaign.seats, campaign.application_closes_at,
        campaign.results_published_at, campaign.probation_starts_on, campaign.probation_ends_on,
        campaign.checkpoint_min_new_merchants, campaign.checkpoint_ends_at, campaign.total_min_new_merchants,
        campaign.qualifying_min_merchants, tuple(calendar), facts,
        translation.get_language(), timezone.get_current_timezone_name(),
    )
    return repr(shown)


def home(request):
    campaign = get_current_campaign(request)
    context = {"campaign": campaign}
    if campaign is not None:
        now = timeutils.to_second(timezone.now())
        state = campaign.window_state(now)
        countdown = None
        if state == "upcoming":
            countdown = Countdown.until(campaign.application_opens_at, now)
        elif state == "open":
            # The deadline is inclusive to the second: the window ends at the next second.
            countdown = Countdown.until(campaign.application_closes_at + ONE_SECOND, now)
        calendar = campaign_calendar(campaign, now)
        facts = campaign_facts(campaign)
        context.update(
            window_state=state,
            countdown=countdown,
            opens_text=format_instant(campaign.application_opens_at),
            closes_text=format_instant(campaign.application_closes_at),
            results_text=format_instant(campaign.results_published_at),
            results_public=campaign.results_are_published(now),
            calendar=calendar,
            facts=facts,
            static_fragment_key=static_fragment_key(campaign, calendar, facts),
        )
    return render(request, "home.html", context)


@require_safe
def results(request):
    """结果公示 (``/results/``): the selected companies of every campaign whose results are public, newest
    first (``reviews.results``); until the current campaign's are, the date they will be."""
    now = timeutils.to_second(timezone.now())
    published = published_results(now)
    campaign = get_current_campaign(request)
    pending = campaign if campaign is not None and all(r.campaign.pk != campaign.pk for r in published) else None
    context = {
        "published": published,
        "pending_campaign": pending,
        "pending_text": format_instant(pending.results_published_at) if pending else "",
    }
    return render(request, "results.html", context)
