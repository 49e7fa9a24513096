"""The code limits under concurrency: four requests for one number at the same instant (PostgreSQL)."""

import pytest
import time_machine

from accounts import codes
from accounts.enums import CodePurpose
from accounts.models import PhoneCode
from recruitment.timeutils import beijing
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = beijing(2024, 4, 10, 9, 30, 0)


def race_for_codes(requests):
    """Each request for a sign-up code on its own connection, all at once: ``"ok"`` or ``"CodeRateLimited"``."""
    return race(*[lambda request=request: codes.issue_code(purpose=CodePurpose.SIGNUP, send=False, now=T0, **request)
                  for request in requests])


@pytest.mark.parametrize("attempt", range(3))
def test_four_requests_for_one_number_at_once_issue_exactly_one_code(attempt):
    with time_machine.travel(T0, tick=False):
        outcomes = race_for_codes([{"mobile": "13800138000", "ip": f"203.0.113.{n + 1}"} for n in range(4)])

    assert sorted(outcomes) == ["CodeRateLimited", "CodeRateLimited", "CodeRateLimited", "ok"]
    assert PhoneCode.objects.filter(mobile="13800138000").count() == 1


def test_four_requests_from_one_address_at_once_issue_exactly_one_code():
    with time_machine.travel(T0, tick=False):
        outcomes = race_for_codes([{"mobile": f"1380013800{n}", "ip": "203.0.113.9"} for n in range(4)])

    assert sorted(outcomes) == ["CodeRateLimited", "CodeRateLimited", "CodeRateLimited", "ok"]
    assert PhoneCode.objects.filter(requested_ip="203.0.113.9").count() == 1
