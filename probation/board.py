"""Figures of the probation board and the at-risk reminder, computed set-based for all leaders at once.

"At risk" means: a leader in probation who is below a threshold while the period is still running,
so there are days left to catch up. Three kinds of period count: the basic-check month containing
``now`` (every figure of ``metrics.basic_month`` against the month's thresholds), the special check's
checkpoint window (activity start to the checkpoint end) with fewer new merchants than required, and the
window of each check item (新增考核项) containing ``now``, its measure against its threshold.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from recruitment.models import Campaign

from . import metrics
from .checks import item_measure
from .enums import CheckMeasure, LeaderStatus
from .models import Leader

BASIC_METRICS = [("activities", "min_activities"), ("merchants", "min_merchants"), ("items", "min_items"),
                 ("gmv", "min_gmv")]


def days_left(now, ends_at):
    """Calendar days from today through the period's last day, both counted (1 on the last day)."""
    return max((timezone.localtime(ends_at).date() - timezone.localtime(now).date()).days + 1, 0)


def current_basic_month(campaign, now):
    """The basic-check month whose window contains ``now``, or ``None``."""
    for month in campaign.basic_months.order_by("month"):
        if month.starts_at <= now <= month.ends_at:
            return month
    return None


@dataclass
class Figure:
    name: str  # activities, merchants, items, gmv, new_merchants
    value: object
    threshold: object

    @property
    def met(self):
        return self.value >= self.threshold


@dataclass
class AtRisk:
    leader: Leader
    period: str  # the check code: basic:2024-05 or special:checkpoint
    ends_at: datetime
    days_left: int
    figures: list[Figure] = field(default_factory=list)

    @property
    def short(self):
        return [f for f in self.figures if not f.met]


def _in_probation(campaign, now):
    return Leader.objects.filter(campaign=campaign, status=LeaderStatus.PROBATION, granted_at__lte=now)


def basic_at_risk(campaign, *, now):
    """Leaders in probation below any threshold of the current basic month, in leader_account order."""
    month = current_basic_month(campaign, now)
    if month is None:
        return []
    leaders = _in_probation(campaign, now).order_by("leader_account")
    by_pk = {leader.pk: leader for leader in leaders}
    figures = metrics.basic_month(leaders, starts_at=month.starts_at, ends_at=month.ends_at)
    left = days_left(now, month.ends_at)
    found = []
    for pk, values in figures.items():
        row = AtRisk(by_pk[pk], month.code, month.ends_at, left,
                     [Figure(name, values[name], getattr(month, threshold)) for name, threshold in BASIC_METRICS])
        if row.short:
            found.append(row)
    return sorted(found, key=lambda row: row.leader.leader_account)


def checkpoint_at_risk(campaign, *, now):
    """Leaders in probation with fewer new merchants than the checkpoint needs, while its window runs."""
    if not campaign.activity_starts_at <= now <= campaign.checkpoint_ends_at:
        return []
    leaders = _in_probation(campaign, now).order_by("leader_account")
    by_pk = {leader.pk: leader for leader in leaders}
    counts = metrics.new_merchants(leaders, starts_at=campaign.activity_starts_at, ends_at=campaign.checkpoint_ends_at)
    left = days_left(now, campaign.checkpoint_ends_at)
    found = [
        AtRisk(by_pk[pk], "special:checkpoint", campaign.checkpoint_ends_at, left,
               [Figure("new_merchants", n, campaign.checkpoint_min_new_merchants)])
        for pk, n in counts.items()
        if n < campaign.checkpoint_min_new_merchants
    ]
    return sorted(found, key=lambda row: row.leader.leader_account)


def items_at_risk(campaign, *, now):
    """Leaders in probation below the threshold of a check item whose window contains ``now``, by item
    (due time, code) then leader account. Each row's ``period`` is the item's code and ``item`` the item."""
    items = list(campaign.check_items.filter(starts_at__lte=now, ends_at__gte=now).order_by("due_at", "code"))
    if not items:
        return []
    leaders = _in_probation(campaign, now).order_by("leader_account")
    by_pk = {leader.pk: leader for leader in leaders}
    found = []
    for item in items:
        threshold = item.threshold if item.measure == CheckMeasure.GMV else int(item.threshold)
        left = days_left(now, item.ends_at)
        rows = [
            AtRisk(by_pk[pk], item.code, item.ends_at, left, [Figure(item.measure, values[item.measure], threshold)])
            for pk, values in item_measure(item, campaign)(leaders).items()
            if values[item.measure] < threshold
        ]
        for row in sorted(rows, key=lambda row: row.leader.leader_account):
            row.item = item
            found.append(row)
    return found


def status_counts(campaign):
    """``{status: count}`` with every status present (0 when none)."""
    counts = dict.fromkeys(LeaderStatus.values, 0)
    rows = Leader.objects.filter(campaign=campaign).order_by().values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def board_campaign(slug=None):
    """The campaign the board shows: ``slug``, else the current campaign when it has leaders, else the
    latest campaign that has leaders, else the current one."""
    if slug:
        return Campaign.objects.filter(slug=slug).first()
    current = Campaign.objects.current()
    if current is not None and current.leaders.exists():
        return current
    with_leaders = Campaign.objects.filter(leaders__isnull=False).distinct().order_by("-probation_starts_on").first()
    return with_leaders or current
