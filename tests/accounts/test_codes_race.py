"""The code limits under concurrency: four requests for one number at the same instant (PostgreSQL)."""

import threading

import pytest
import time_machine
from django.db import connection

from accounts import codes
from accounts.enums import CodePurpose
from accounts.models import PhoneCode
from recruitment.timeutils import beijing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = beijing(2024, 4, 10, 9, 30, 0)


def race(requests):
    """Each thread, on its own connection, asks for a code once all are ready."""
    barrier = threading.Barrier(len(requests))
    outcomes = [None] * len(requests)

    def ask(index):
        try:
            barrier.wait(timeout=10)
            codes.issue_code(purpose=CodePurpose.SIGNUP, send=False, now=T0, **requests[index])
            outcomes[index] = "issued"
        except codes.CodeRateLimited:
            outcomes[index] = "limited"
        except Exception as exc:  # reported in the assertion below rather than lost in the thread
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_four_requests_for_one_number_at_once_issue_exactly_one_code(attempt):
    with time_machine.travel(T0, tick=False):
        outcomes = race([{"mobile": "13800138000", "ip": f"203.0.113.{n + 1}"} for n in range(4)])

    assert sorted(outcomes) == ["issued", "limited", "limited", "limited"]
    assert PhoneCode.objects.filter(mobile="13800138000").count() == 1


def test_four_requests_from_one_address_at_once_issue_exactly_one_code():
    with time_machine.travel(T0, tick=False):
        outcomes = race([{"mobile": f"1380013800{n}", "ip": "203.0.113.9"} for n in range(4)])

    assert sorted(outcomes) == ["issued", "limited", "limited", "limited"]
    assert PhoneCode.objects.filter(requested_ip="203.0.113.9").count() == 1
