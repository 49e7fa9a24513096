"""The staff dashboard on the admin index (工作台): the campaign worked on at a glance.

The campaign is the one the staff member works on (``reviews.workspace``: chosen in the header, else the one
in the stage of their role), so a committee member sees the applications they have not scored in the campaign
in review while operations see the campaign in probation.

The admin site keeps its class; ``admin.site.index`` is wrapped to add the dashboard's figures to
the context and ``index_template`` shows them above the app list. Each block is computed only for a
user whose predicate allows it, so staff without a permission see nothing of that part.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import status_counts
from probation import datamark
from probation import permissions as probation_permissions
from recruitment.models import Campaign
from recruitment.timeutils import BEIJING

from .. import charts, filing, final, permissions, publication, round1, workspace

S = ApplicationStatus

# The funnel, in pipeline order (drafts and withdrawals included: they are part of the picture).
FUNNEL = [
    S.DRAFT, S.SUBMITTED, S.WITHDRAWN, S.FILING, S.RISK_REVIEW, S.FINAL_REVIEW,
    S.ROUND1_REJECTED, S.FILING_LAPSED, S.RISK_REJECTED, S.SELECTED, S.NOT_SELECTED,
]


@dataclass
class Deadline:
    label: str
    day: object  # the deadline's date in Beijing time
    days_left: int  # calendar days from today (Beijing) to that date; negative once passed


@dataclass
class QueueCount:
    label: str
    count: int
    url: str


def days_until(day, now):
    return (day - now.astimezone(BEIJING).date()).days


def deadlines(campaign, now):
    """Days to each deadline, counted in Beijing calendar days (0: the deadline is today)."""
    items = [
        (_("Applications close"), campaign.application_closes_at.astimezone(BEIJING).date()),
        (_("Review ends"), campaign.review_ends_on),
        (_("Results published"), campaign.results_published_at.astimezone(BEIJING).date()),
    ]
    return [Deadline(label, day, days_until(day, now)) for label, day in items]


def _changelist(name, **filters):
    try:
        url = reverse(f"admin:{name}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(filters)}" if filters else url


def funnel(campaign):
    """Applications per state (one grouped query), each linked to the filtered application list."""
    counts = status_counts(campaign)
    return [
        QueueCount(
            S(state).label,
            counts.get(state, 0),
            _changelist("applications_application", campaign__id__exact=campaign.pk, status__exact=state),
        )
        for state in FUNNEL
    ]


def queues(campaign, user):
    """What waits in each round, for the rounds the user works in."""
    in_campaign = Application.objects.filter(campaign=campaign)
    items = []
    if permissions.can_review_round1(user):
        items.append(QueueCount(
            _("Awaiting round 1 (初审)"),
            in_campaign.filter(status=S.SUBMITTED).count(),
            _changelist("reviews_round1queue", campaign__id__exact=campaign.pk)
            or _changelist("applications_application", campaign__id__exact=campaign.pk, status__exact=S.SUBMITTED),
        ))
    if permissions.can_view_risk(user):
        for state, label in (
            (S.FILING, _("Awaiting filing (系统备案)")),
            (S.RISK_REVIEW, _("In risk assessment (风险评估)")),
        ):
            items.append(QueueCount(
                label,
                in_campaign.filter(status=state).count(),
                _changelist("applications_application", campaign__id__exact=campaign.pk, status__exact=state),
            ))
    if permissions.can_manage_phone_tasks(user):  # operations make the calls
        items.append(QueueCount(
            _("Phone calls to make (待致电)"),
            round1.calls_waiting(campaign).total,
            _changelist("reviews_phonetask", application__campaign__id__exact=campaign.pk, to_call="yes"),
        ))
    if permissions.can_score(user):  # counted only for the campaigns whose committee the judge sits on
        items.append(QueueCount(
            _("Final review, not scored by me (终审)"),
            final.awaiting_my_score(user, campaign),
            _changelist("reviews_finalreviewqueue", campaign__id__exact=campaign.pk, mine="no"),
        ))
    return items


def filing_waiting(campaign, now):
    """Who still has to file and until when (``reviews.filing.filing_figures``); each count links to the
    round-2 queue, filtered (where the risk officer closes out non-filers after the deadline)."""
    return {
        "figures": filing.filing_figures(campaign, now),
        "now": now,
        "waiting_url": _changelist("reviews_riskqueue", campaign__id__exact=campaign.pk, status__exact=S.FILING),
        "lapsed_url": _changelist("reviews_riskqueue", campaign__id__exact=campaign.pk, status__exact=S.FILING_LAPSED),
    }


def probation_waiting(now):
    """Per campaign with leaders: the due checks waiting for their data and the leaders whose stored verdicts
    today's data would change (both read from stored rows: nothing is computed from the alliance data here)."""
    blocks = []
    for campaign in Campaign.objects.filter(leaders__isnull=False).distinct().order_by("-probation_starts_on"):
        waiting = datamark.waiting_checks(campaign, now=now)
        stale = campaign.leaders.exclude(stale_checks="").count()
        if waiting or stale:
            url = f"{reverse('admin:probation_board_changelist')}?{urlencode({'campaign': campaign.slug})}"
            blocks.append({"campaign": campaign, "waiting": waiting, "stale": stale, "url": url})
    return blocks


def dashboard_context(request, now=None):
    """The dashboard's figures for ``request.user`` (empty for staff who may see none of them)."""
    user = request.user
    if not user.is_staff:
        return {}
    campaign = workspace.campaign_of_request(request)
    if campaign is None:
        return {}
    now = now or timezone.now()
    context = {
        "campaign": campaign,
        "deadlines": deadlines(campaign, now),
        "queues": queues(campaign, user),
    }
    context["charts"] = {"deadlines": charts.deadlines_chart(context["deadlines"])}
    if permissions.can_view_applications(user):
        context["funnel"] = funnel(campaign)
        context["charts"]["funnel"] = charts.funnel_chart(charts.funnel_counts(campaign))
    if permissions.can_view_risk(user):
        context["filing"] = filing_waiting(campaign, now)
    if probation_permissions.can_view_probation(user):
        context["probation"] = probation_waiting(now)
    if permissions.can_view_ranking(user):
        selected = publication.pending_selections(campaign).count()
        context["seats"] = {
            "total": campaign.seats,
            "selected": selected,
            "left": campaign.seats - selected,
            "ranking_url": f"{reverse('admin:reviews_ranking')}?{urlencode({'campaign': campaign.pk})}",
        }
        # Seats held: decided as selected, or published as selected (``publication.selected_applications``).
        context["charts"]["seats"] = charts.seats_chart(
            campaign.seats, publication.selected_applications(campaign).count()
        )
    return {"dashboard": context}


_site_index = admin.site.index


def index(request, extra_context=None):
    """The admin index with the dashboard on top."""
    return _site_index(request, extra_context={**dashboard_context(request), **(extra_context or {})})


admin.site.index = index
admin.site.index_template = "admin/dashboard_index.html"
