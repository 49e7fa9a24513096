"""Demo probation data: idempotent, and every check has leaders passing and failing it."""

import pytest
import time_machine

from probation import board
from probation.demo import seed_probation
from probation.models import Activity, CheckResult, Enrollment, Leader, Merchant, MerchantExit, Order, Violation
from probation.report import report_rows
from recruitment.timeutils import beijing

pytestmark = pytest.mark.django_db

MODELS = [Leader, Merchant, MerchantExit, Activity, Enrollment, Order, CheckResult, Violation]


def seed(campaign, at):
    with time_machine.travel(at, tick=False):
        return seed_probation(campaign)


def _counts():
    return [model.objects.count() for model in MODELS]


def test_seed_probation_before_publication_writes_nothing(campaign):
    assert seed(campaign, beijing(2024, 5, 5, 23, 59, 59)) == {}
    assert Leader.objects.count() == 0


def test_seed_probation_mid_probation_is_idempotent_and_shows_each_outcome(campaign):
    first = seed(campaign, beijing(2024, 6, 25, 10))
    counts = _counts()
    second = seed(campaign, beijing(2024, 6, 25, 10))

    assert first["leaders"].created == 8
    assert (second["orders"].created, second["orders"].updated) == (0, first["orders"].rows)
    assert _counts() == counts
    rows = {row["leader_account"]: (row["status"], row["failed_checks"]) for row in report_rows(campaign)}
    assert rows == {
        "demo_tz01": ("probation", ""),
        "demo_tz02": ("closed", "basic:2024-05"),
        "demo_tz03": ("closed", "special:checkpoint"),
        "demo_tz04": ("probation", ""),
        "demo_tz05": ("probation", ""),
        "demo_tz06": ("probation", ""),
        "demo_tz07": ("probation", ""),
        "demo_tz08": ("closed", ""),
    }
    at_risk = board.basic_at_risk(campaign, now=beijing(2024, 6, 25, 10))
    assert [(row.leader.leader_account, [f.name for f in row.short]) for row in at_risk] == [
        ("demo_tz04", ["activities"]), ("demo_tz07", ["merchants", "gmv"]),
    ]


def test_seed_probation_after_probation_end_every_check_has_both_outcomes(campaign):
    seed(campaign, beijing(2024, 6, 25, 10))
    seed(campaign, beijing(2024, 9, 2))

    outcomes = {}
    for code, passed in CheckResult.objects.values_list("code", "passed"):
        outcomes.setdefault(code, set()).add(passed)
    rows = {row["leader_account"]: (row["status"], row["failed_checks"], row["reward_eligible"])
            for row in report_rows(campaign)}
    assert outcomes == {code: {True, False} for code in [
        "basic:2024-05", "basic:2024-06", "special:checkpoint", "special:total", "special:qualifying",
    ]} | {"basic:2024-07": {True}}
    assert rows == {
        "demo_tz01": ("retained", "", "yes"),
        "demo_tz02": ("closed", "basic:2024-05", "no"),
        "demo_tz03": ("closed", "special:checkpoint", "no"),
        "demo_tz04": ("closed", "basic:2024-06", "no"),
        "demo_tz05": ("closed", "special:total;special:qualifying", "no"),
        "demo_tz06": ("retained", "", "no"),
        "demo_tz07": ("retained", "", "yes"),
        "demo_tz08": ("closed", "", "no"),
    }
