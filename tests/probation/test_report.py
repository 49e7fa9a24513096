"""The probation report rows (DATA.md ``probation_report``)."""

import pytest
import time_machine

from probation.enums import LeaderStatus, ViolationKind
from probation.models import Leader
from probation.report import report_rows
from probation.services import record_violation
from recruitment.timeutils import beijing
from tests.factories import credit_code
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import CheckResultFactory, LeaderFactory, MerchantFactory

pytestmark = pytest.mark.django_db

SAME_COMPANY = credit_code(777)


def closed_leader(leader, *, at, reason):
    """Arrange a leader closed by checks (as ``probation.decisions`` leaves it)."""
    Leader.objects.filter(pk=leader.pk).update(status=LeaderStatus.CLOSED, closed_at=at, closure_reason=reason)



def leader_with(campaign, account, qualifying, **kwargs):
    leader = LeaderFactory(campaign=campaign, leader_account=account, **kwargs)
    for _ in range(qualifying):
        make_new_merchant(leader)
    return leader


def _eligible(campaign):
    return {row["leader_account"]: row["reward_eligible"] for row in report_rows(campaign)}


def test_report_rows_one_per_leader_in_account_order_with_the_counts(campaign):
    second = LeaderFactory(campaign=campaign, leader_account="P02")
    first = leader_with(campaign, "P01", 3)
    MerchantFactory(leader=first, opened_at=beijing(2024, 6, 1))
    MerchantFactory(leader=second, opened_at=beijing(2024, 5, 31, 23, 59, 59))

    assert report_rows(campaign) == [
        {
            "leader_account": "P01",
            "status": "probation",
            "failed_checks": "",
            "closed_at": "",
            "new_merchants_checkpoint": 3,
            "new_merchants_total": 4,
            "qualifying_merchants": 3,
            "reward_eligible": "yes",
        },
        {
            "leader_account": "P02",
            "status": "probation",
            "failed_checks": "",
            "closed_at": "",
            "new_merchants_checkpoint": 1,
            "new_merchants_total": 1,
            "qualifying_merchants": 0,
            "reward_eligible": "no",
        },
    ]


def test_report_rows_failed_checks_in_table_order_and_closed_at_in_beijing_time(campaign, leader):
    for code in ("special:checkpoint", "basic:2024-05"):
        CheckResultFactory(leader=leader, code=code, passed=False)
    CheckResultFactory(leader=leader, code="basic:2024-06", passed=True)
    closed_leader(leader, at=beijing(2024, 6, 1), reason="basic:2024-05;special:checkpoint")

    row = report_rows(campaign)[0]

    assert (row["status"], row["failed_checks"], row["closed_at"]) == (
        "closed",
        "basic:2024-05;special:checkpoint",
        "2024-06-01T00:00:00+08:00",
    )


def test_report_rows_same_company_only_the_most_qualifying_account_is_eligible(campaign):
    leader_with(campaign, "A1", 3, credit_code=SAME_COMPANY)
    leader_with(campaign, "A2", 4, credit_code=SAME_COMPANY)
    leader_with(campaign, "B1", 3)

    assert _eligible(campaign) == {"A1": "no", "A2": "yes", "B1": "yes"}


def test_report_rows_same_company_tie_goes_to_the_earlier_grant(campaign):
    leader_with(campaign, "A1", 3, credit_code=SAME_COMPANY, granted_at=beijing(2024, 5, 6, 10, 0, 1))
    leader_with(campaign, "A2", 3, credit_code=SAME_COMPANY, granted_at=beijing(2024, 5, 6, 10, 0, 0))

    assert _eligible(campaign) == {"A1": "no", "A2": "yes"}


def test_report_rows_same_company_full_tie_goes_to_the_smaller_account(campaign):
    leader_with(campaign, "A2", 3, credit_code=SAME_COMPANY)
    leader_with(campaign, "A10", 3, credit_code=SAME_COMPANY)

    assert _eligible(campaign) == {"A10": "yes", "A2": "no"}


def test_report_rows_a_closed_or_violating_account_does_not_block_its_company(campaign):
    closed = leader_with(campaign, "A1", 5, credit_code=SAME_COMPANY)
    violating = leader_with(campaign, "A2", 4, credit_code=SAME_COMPANY)
    leader_with(campaign, "A3", 3, credit_code=SAME_COMPANY)
    closed_leader(closed, at=beijing(2024, 7, 1), reason="basic:2024-06")
    with time_machine.travel(beijing(2024, 9, 2), tick=False):
        record_violation(violating, kind=ViolationKind.INDUCED_REBATE, note="", actor=None)

    assert _eligible(campaign) == {"A1": "no", "A2": "no", "A3": "yes"}


def test_report_rows_below_the_qualifying_threshold_is_not_eligible(campaign):
    leader_with(campaign, "A1", 2)
    retained = leader_with(campaign, "A2", 3)
    retained.status = LeaderStatus.RETAINED
    retained.save()

    assert _eligible(campaign) == {"A1": "no", "A2": "yes"}
