"""Fixtures of the probation tests. ``campaign`` (the 2024 campaign) comes from tests/conftest.py."""

import pytest
from django.utils import translation

from tests.probation.factories import LeaderFactory, MerchantFactory, OrderFactory


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
