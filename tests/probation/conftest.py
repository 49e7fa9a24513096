"""Fixtures of the probation tests. ``campaign`` (the 2024 campaign) comes from tests/conftest.py."""

from decimal import Decimal

import pytest
from django.utils import translation

from audit.models import AuditEvent
from notifications.models import Notification
from probation.models import CheckResult, Leader, LeaderStatusChange, Violation
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.probation.factories import ActivityFactory, LeaderFactory, MerchantFactory, OrderFactory


@pytest.fixture
def leader(campaign):
    return LeaderFactory(campaign=campaign, leader_account="P01")


def make_new_merchant(leader, *, orders=10, settled=None, item_ids=None, opened_at=None, **kwargs):
    """A new merchant of ``leader`` (opened inside the activity) with ``orders`` orders of the leader.

    ``settled`` orders are settled (default: all), the others paid; ``item_ids`` spreads the orders
    over items in turn (default: one item).
    """
    extra = {"opened_at": opened_at} if opened_at else {}
    merchant = MerchantFactory(leader=leader, campaign=leader.campaign, **extra, **kwargs)
    settled = orders if settled is None else settled
    item_ids = item_ids or ["ITEM1"]
    for n in range(orders):
        OrderFactory(
            leader=leader,
            merchant=merchant,
            item_id=item_ids[n % len(item_ids)],
            status="settled" if n < settled else "paid",
        )
    return merchant


@pytest.fixture
def new_merchant():
    return make_new_merchant


@pytest.fixture
def english():
    """Messages asserted in English (the msgids); the Chinese catalog is checked separately."""
    with translation.override("en"):
        yield


def counts():
    """Every table a decision may write, counted."""
    return {
        "results": CheckResult.objects.count(),
        "changes": LeaderStatusChange.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.count(),
        "statuses": sorted(Leader.objects.values_list("leader_account", "status", "closed_at", "closure_reason")),
        "decided": list(Campaign.objects.order_by("pk").values_list("slug", "decided_until")),
        "violations": Violation.objects.count(),
    }


@pytest.fixture
def world(campaign):
    """Thresholds relaxed but two: one new merchant by the checkpoint, one activity in June.

    P01 meets both (retained at probation end); P02 has no June activity (closed 07-01); P03 has no new
    merchant (closed 06-01); P04 and P05 are like P01 and get a violation at 07-15 12:00, P04's closing
    the permission, P05's not.
    """
    campaign.basic_months.update(min_activities=0, min_merchants=0, min_items=0, min_gmv=Decimal("0"))
    campaign.total_min_new_merchants = campaign.qualifying_min_merchants = 0
    campaign.checkpoint_min_new_merchants = 1
    campaign.save()
    campaign.basic_months.filter(month__month=6).update(min_activities=1)
    leaders = {}
    for account in ("P01", "P02", "P03", "P04", "P05"):
        leader = LeaderFactory(campaign=campaign, leader_account=account)
        if account != "P03":
            MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 12))
        if account != "P02":
            ActivityFactory(leader=leader, created_at=beijing(2024, 6, 10))
        leaders[account] = leader
    return leaders
