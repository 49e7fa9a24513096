"""Evaluation of due checks, closures, retention and violations (probation.services)."""

from decimal import Decimal

import pytest
import time_machine

from probation.enums import LeaderStatus, ViolationKind
from probation.models import CheckResult, LeaderStatusChange, Violation
from probation.services import evaluate_due_checks, record_violation
from recruitment.timeutils import beijing
from tests.factories import UserFactory
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import ActivityFactory, LeaderFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def relax(campaign):
    """Thresholds at zero: every leader passes every check unless a test raises one."""
    campaign.basic_months.update(min_activities=0, min_merchants=0, min_items=0, min_gmv=Decimal("0"))
    campaign.checkpoint_min_new_merchants = campaign.total_min_new_merchants = campaign.qualifying_min_merchants = 0
    campaign.save()


def _results(leader):
    return list(leader.check_results.order_by("due_at", "code").values_list("code", "passed"))


def test_evaluate_due_checks_one_second_before_the_checkpoint_due_time_does_nothing(campaign, leader):
    summary = evaluate_due_checks(campaign, as_of=beijing(2024, 5, 31, 23, 59, 59))

    leader.refresh_from_db()
    assert summary.evaluated == []
    assert summary.changed is False
    assert CheckResult.objects.count() == 0
    assert leader.status == LeaderStatus.PROBATION


def test_evaluate_due_checks_at_the_checkpoint_due_time_closes_with_every_failed_code(campaign, leader):
    due = beijing(2024, 6, 1)

    summary = evaluate_due_checks(campaign, as_of=due)

    leader.refresh_from_db()
    assert summary.evaluated == [("basic:2024-05", due, 0, 1), ("special:checkpoint", due, 0, 1)]
    assert summary.closed == [("P01", due, "basic:2024-05;special:checkpoint")]
    assert (leader.status, leader.closed_at, leader.closure_reason) == (
        LeaderStatus.CLOSED,
        due,
        "basic:2024-05;special:checkpoint",
    )
    change = LeaderStatusChange.objects.get(leader=leader)
    assert (change.from_status, change.to_status, change.effective_at, change.actor) == (
        "probation",
        "closed",
        due,
        None,
    )


def test_evaluate_due_checks_stores_the_figures_that_decided(campaign, leader):
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 10))
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 31, 23, 59, 59))

    evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))

    checkpoint = CheckResult.objects.get(leader=leader, code="special:checkpoint")
    basic = CheckResult.objects.get(leader=leader, code="basic:2024-05")
    assert (checkpoint.passed, checkpoint.metrics, checkpoint.due_at) == (
        True,
        {"new_merchants": 2, "min_new_merchants": 2},
        beijing(2024, 6, 1),
    )
    assert (basic.passed, basic.metrics) == (
        False,
        {
            "activities": 0,
            "merchants": 0,
            "items": 0,
            "gmv": "0.00",
            "min_activities": 1,
            "min_merchants": 3,
            "min_items": 10,
            "min_gmv": "10000.00",
        },
    )


def test_evaluate_due_checks_skips_leaders_closed_by_an_earlier_check(campaign, leader):
    relax(campaign)
    campaign.basic_months.filter(month__month=6).update(min_activities=1)
    passing = LeaderFactory(campaign=campaign, leader_account="P02")
    ActivityFactory(leader=passing, created_at=beijing(2024, 6, 30, 23, 59, 59))

    summary = evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))

    leader.refresh_from_db()
    assert summary.closed == [("P01", beijing(2024, 7, 1), "basic:2024-06")]
    assert summary.retained == ["P02"]
    assert _results(leader) == [
        ("basic:2024-05", True),
        ("special:checkpoint", True),
        ("basic:2024-06", False),
    ]
    assert (leader.status, leader.closed_at) == (LeaderStatus.CLOSED, beijing(2024, 7, 1))


def test_evaluate_due_checks_twice_changes_nothing_the_second_time(campaign, leader):
    make_new_merchant(leader, opened_at=beijing(2024, 5, 12))
    LeaderFactory(campaign=campaign, leader_account="P02")
    first = evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))
    before = list(CheckResult.objects.order_by("pk").values_list("leader_id", "code", "passed", "evaluated_at"))
    changes = LeaderStatusChange.objects.count()

    second = evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))

    assert first.changed is True
    assert second.changed is False
    assert second.lines() == ["2024-nx2: nothing due as of 2024-09-01T00:00:00+08:00"]
    assert list(CheckResult.objects.order_by("pk").values_list("leader_id", "code", "passed", "evaluated_at")) == before
    assert LeaderStatusChange.objects.count() == changes


def test_evaluate_due_checks_retains_at_probation_end_and_not_a_second_before(campaign, leader):
    relax(campaign)

    before_end = evaluate_due_checks(campaign, as_of=beijing(2024, 8, 31, 23, 59, 59))
    leader.refresh_from_db()
    status_before_end = leader.status
    at_end = evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))
    leader.refresh_from_db()

    assert [code for code, *_ in before_end.evaluated] == [
        "basic:2024-05",
        "special:checkpoint",
        "basic:2024-06",
        "basic:2024-07",
    ]
    assert status_before_end == LeaderStatus.PROBATION
    assert [code for code, *_ in at_end.evaluated] == ["special:total", "special:qualifying"]
    assert at_end.retained == ["P01"]
    assert (leader.status, leader.closed_at) == (LeaderStatus.RETAINED, None)


def test_evaluate_due_checks_ignores_checks_due_before_the_leader_was_granted(campaign):
    relax(campaign)
    late = LeaderFactory(campaign=campaign, granted_at=beijing(2024, 6, 10))

    evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))

    late.refresh_from_db()
    assert [code for code, _passed in _results(late)] == [
        "basic:2024-06",
        "basic:2024-07",
        "special:qualifying",
        "special:total",
    ]
    assert late.status == LeaderStatus.RETAINED


def test_record_violation_closing_the_permission_closes_it_now_and_blocks_retention(campaign, leader):
    relax(campaign)
    staff = UserFactory(username="ops@example.com")
    with time_machine.travel(beijing(2024, 7, 15, 12), tick=False):
        violation = record_violation(leader, kind=ViolationKind.FAKE_ORDERS, note="刷单 20 笔", actor=staff,
                                     close_permission=True)

    summary = evaluate_due_checks(campaign, as_of=beijing(2024, 9, 1))

    leader.refresh_from_db()
    assert Violation.objects.get() == violation
    assert (violation.kind, violation.recorded_by, violation.recorded_at) == (
        "fake_orders",
        staff,
        beijing(2024, 7, 15, 12),
    )
    assert (leader.status, leader.closed_at, leader.closure_reason) == (
        LeaderStatus.CLOSED,
        beijing(2024, 7, 15, 12),
        "violation:fake_orders",
    )
    assert [code for code, _passed in _results(leader)] == ["basic:2024-05", "special:checkpoint", "basic:2024-06"]
    assert summary.retained == []
