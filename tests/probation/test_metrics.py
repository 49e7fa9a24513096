"""The DATA.md definitions, each at its boundary on both sides (Beijing time, to the second)."""

from decimal import Decimal

import pytest

from probation import metrics
from probation.enums import OrderStatus
from probation.models import Leader
from recruitment.timeutils import beijing
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import (
    ActivityFactory,
    EnrollmentFactory,
    LeaderFactory,
    MerchantExitFactory,
    MerchantFactory,
    OrderFactory,
)

pytestmark = pytest.mark.django_db


def _one(leader):
    return Leader.objects.filter(pk=leader.pk)


def _checkpoint(campaign, leader):
    return metrics.new_merchants(
        _one(leader), starts_at=campaign.activity_starts_at, ends_at=campaign.checkpoint_ends_at
    )


def _total(campaign, leader):
    return metrics.new_merchants(_one(leader), starts_at=campaign.activity_starts_at, ends_at=campaign.activity_ends_at)


def test_new_merchants_checkpoint_counts_the_last_second_and_not_the_next(campaign, leader):
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 31, 23, 59, 59))
    MerchantFactory(leader=leader, opened_at=beijing(2024, 6, 1, 0, 0, 0))

    assert _checkpoint(campaign, leader) == {leader.pk: 1}


def test_new_merchants_total_counts_activity_start_and_end_seconds_only(campaign, leader):
    for moment in (
        beijing(2024, 5, 9, 23, 59, 59),
        beijing(2024, 5, 10, 0, 0, 0),
        beijing(2024, 6, 20, 23, 59, 59),
        beijing(2024, 6, 21, 0, 0, 0),
    ):
        MerchantFactory(leader=leader, opened_at=moment)

    assert _total(campaign, leader) == {leader.pk: 2}
    assert _checkpoint(campaign, leader) == {leader.pk: 1}


def test_new_merchants_introduced_by_another_leader_do_not_count(campaign, leader):
    other = LeaderFactory(campaign=campaign)
    MerchantFactory(leader=other)
    MerchantFactory(leader=None, campaign=campaign)

    assert _total(campaign, leader) == {leader.pk: 0}
    assert _total(campaign, other) == {other.pk: 1}


def test_qualifying_merchant_opened_before_the_activity_never_counts(campaign, leader):
    make_new_merchant(leader, opened_at=beijing(2024, 5, 9, 23, 59, 59))
    make_new_merchant(leader, opened_at=beijing(2024, 5, 10, 0, 0, 0))

    assert metrics.qualifying_merchants(_one(leader), campaign)[leader.pk][0] == 1


def test_qualifying_orders_of_another_leaders_merchant_do_not_count(campaign, leader):
    other = LeaderFactory(campaign=campaign)
    merchant = MerchantFactory(leader=other)
    OrderFactory.create_batch(10, leader=leader, merchant=merchant)

    assert metrics.qualifying_merchants(_one(leader), campaign) == {leader.pk: (0, [])}
    count, figures = metrics.qualifying_merchants(_one(other), campaign)[other.pk]
    assert count == 0
    assert figures == [
        {
            "merchant_id": merchant.merchant_id,
            "best_item_orders": 0,
            "paid_orders": 0,
            "settled_orders": 0,
            "stayed_out_618": False,
            "qualifies": False,
        }
    ]


def test_qualifying_exactly_x_orders_on_one_item_qualifies(campaign, leader):
    merchant = make_new_merchant(leader, orders=10)

    count, figures = metrics.qualifying_merchants(_one(leader), campaign)[leader.pk]

    assert count == 1
    assert figures == [
        {
            "merchant_id": merchant.merchant_id,
            "best_item_orders": 10,
            "paid_orders": 10,
            "settled_orders": 10,
            "stayed_out_618": False,
            "qualifies": True,
        }
    ]


def test_qualifying_x_minus_one_orders_do_not_qualify(campaign, leader):
    make_new_merchant(leader, orders=9)

    assert metrics.qualifying_merchants(_one(leader), campaign)[leader.pk][0] == 0


def test_qualifying_same_total_split_over_two_items_does_not_qualify(campaign, leader):
    make_new_merchant(leader, orders=10, item_ids=["ITEM1", "ITEM2"])

    count, figures = metrics.qualifying_merchants(_one(leader), campaign)[leader.pk]

    assert count == 0
    assert (figures[0]["best_item_orders"], figures[0]["paid_orders"]) == (5, 10)


def test_qualifying_counts_orders_paid_inside_the_activity_only(campaign, leader):
    merchant = make_new_merchant(leader, orders=9)
    OrderFactory(leader=leader, merchant=merchant, paid_at=beijing(2024, 6, 20, 23, 59, 59))
    OrderFactory(leader=leader, merchant=merchant, paid_at=beijing(2024, 6, 21, 0, 0, 0))
    OrderFactory(leader=leader, merchant=merchant, paid_at=beijing(2024, 5, 9, 23, 59, 59))

    count, figures = metrics.qualifying_merchants(_one(leader), campaign)[leader.pk]

    assert (count, figures[0]["best_item_orders"], figures[0]["paid_orders"]) == (1, 10, 10)


@pytest.mark.parametrize(
    ("orders", "settled", "qualifies"),
    [(10, 6, True), (10, 5, False), (20, 12, True), (20, 11, False)],
)
def test_qualifying_settlement_rate_at_y_percent_and_just_below(campaign, leader, orders, settled, qualifies):
    make_new_merchant(leader, orders=orders, settled=settled)

    assert metrics.qualifying_merchants(_one(leader), campaign)[leader.pk][0] == int(qualifies)


@pytest.mark.parametrize(("minimum", "qualifies"), [("66.66", True), ("66.67", False)])
def test_qualifying_settlement_rate_compares_exactly(campaign, leader, minimum, qualifies):
    campaign.settlement_rate_min_percent = Decimal(minimum)
    campaign.best_item_min_orders = 3
    make_new_merchant(leader, orders=3, settled=2)  # 66.666…%

    assert metrics.qualifying_merchants(_one(leader), campaign)[leader.pk][0] == int(qualifies)


def test_qualifying_invalid_orders_are_paid_orders_that_are_not_settled(campaign, leader):
    merchant = make_new_merchant(leader, orders=6)
    OrderFactory.create_batch(4, leader=leader, merchant=merchant, status=OrderStatus.INVALID, settled_at=None)
    OrderFactory(leader=leader, merchant=merchant, status=OrderStatus.INVALID, settled_at=None)

    count, figures = metrics.qualifying_merchants(_one(leader), campaign)[leader.pk]

    assert (figures[0]["paid_orders"], figures[0]["settled_orders"]) == (11, 6)
    assert count == 0  # 6 / 11 = 54.5% < 60%


EXIT_CASES = {
    "no exit": ([], False),
    "one exit covering the window": ([((2024, 5, 20, 20, 0, 0), (2024, 6, 21, 0, 0, 0))], True),
    "still out since before the window": ([((2024, 5, 1), None)], True),
    "exit one second after the window start": ([((2024, 5, 20, 20, 0, 1), None)], False),
    "rejoined at the window's last second": ([((2024, 5, 1), (2024, 6, 20, 23, 59, 59))], False),
    "two chained exits": ([((2024, 5, 1), (2024, 6, 1)), ((2024, 6, 1), None)], True),
    "two overlapping exits": ([((2024, 5, 1), (2024, 6, 2)), ((2024, 6, 1), (2024, 7, 1))], True),
    "three chained exits, listed out of order": (
        [((2024, 6, 5), None), ((2024, 5, 1), (2024, 6, 1)), ((2024, 6, 1), (2024, 6, 5))],
        True,
    ),
    "one-second gap between two exits": ([((2024, 5, 1), (2024, 6, 1)), ((2024, 6, 1, 0, 0, 1), None)], False),
    "out only inside the window": ([((2024, 5, 21), (2024, 6, 19))], False),
}


@pytest.mark.parametrize("case", list(EXIT_CASES))
def test_stayed_out_for_the_whole_618_window(campaign, leader, case):
    exits, stayed_out = EXIT_CASES[case]
    merchant = make_new_merchant(leader)
    for exited, rejoined in exits:
        MerchantExitFactory(
            merchant=merchant, exited_at=beijing(*exited), rejoined_at=beijing(*rejoined) if rejoined else None
        )

    count, figures = metrics.qualifying_merchants(_one(leader), campaign)[leader.pk]

    assert figures[0]["stayed_out_618"] is stayed_out
    assert count == int(not stayed_out)


def _basic(campaign, leader, month=5):
    row = campaign.basic_months.get(month__month=month)
    return metrics.basic_month(_one(leader), starts_at=row.starts_at, ends_at=row.ends_at)[leader.pk]


def test_basic_month_activities_at_the_month_boundary_seconds(campaign, leader):
    for moment in (beijing(2024, 4, 30, 23, 59, 59), beijing(2024, 5, 1), beijing(2024, 5, 31, 23, 59, 59)):
        ActivityFactory(leader=leader, created_at=moment)
    ActivityFactory(leader=leader, created_at=beijing(2024, 6, 1))
    ActivityFactory(leader=LeaderFactory(campaign=campaign), created_at=beijing(2024, 5, 15))

    assert _basic(campaign, leader)["activities"] == 2
    assert _basic(campaign, leader, month=6)["activities"] == 1


def test_basic_month_distinct_merchants_and_items_by_enrolment_time(campaign, leader):
    activity = ActivityFactory(leader=leader, created_at=beijing(2024, 4, 28))
    m1, m2, m3 = (MerchantFactory(leader=None, campaign=campaign) for _ in range(3))
    EnrollmentFactory(activity=activity, merchant=m1, item_id="A", enrolled_at=beijing(2024, 5, 1))
    EnrollmentFactory(activity=activity, merchant=m1, item_id="B", enrolled_at=beijing(2024, 5, 31, 23, 59, 59))
    EnrollmentFactory(activity=activity, merchant=m2, item_id="C", enrolled_at=beijing(2024, 5, 15))
    EnrollmentFactory(activity=activity, merchant=m3, item_id="D", enrolled_at=beijing(2024, 6, 1))
    EnrollmentFactory(activity=activity, merchant=m3, item_id="E", enrolled_at=beijing(2024, 4, 30, 23, 59, 59))
    other_activity = ActivityFactory(leader=leader, created_at=beijing(2024, 5, 2))
    EnrollmentFactory(activity=other_activity, merchant=m2, item_id="C", enrolled_at=beijing(2024, 5, 16))

    figures = _basic(campaign, leader)

    assert (figures["activities"], figures["merchants"], figures["items"]) == (1, 2, 3)
    assert (_basic(campaign, leader, 6)["merchants"], _basic(campaign, leader, 6)["items"]) == (1, 1)


def test_basic_month_gmv_excludes_invalid_orders_and_other_months(campaign, leader):
    merchant = MerchantFactory(leader=None, campaign=campaign)
    for moment, amount, status in (
        (beijing(2024, 4, 30, 23, 59, 59), "1.00", OrderStatus.SETTLED),
        (beijing(2024, 5, 1), "100.10", OrderStatus.PAID),
        (beijing(2024, 5, 31, 23, 59, 59), "9899.90", OrderStatus.SETTLED),
        (beijing(2024, 5, 20), "5000.00", OrderStatus.INVALID),
        (beijing(2024, 6, 1), "7.00", OrderStatus.PAID),
    ):
        OrderFactory(leader=leader, merchant=merchant, paid_at=moment, paid_amount=Decimal(amount), status=status)

    assert _basic(campaign, leader)["gmv"] == Decimal("10000.00")
    assert _basic(campaign, leader, 6)["gmv"] == Decimal("7.00")
    assert _basic(campaign, leader, 7) == {"activities": 0, "merchants": 0, "items": 0, "gmv": Decimal("0.00")}
