"""accounts.throttling: the per-IP limit beside axes' per (login name, IP) one, and over-long login names.

The (login name, IP) limit itself is tested in tests/security/test_login_throttling.py.
"""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.throttling import login_name
from recruitment.timeutils import beijing
from tests.factories import UserFactory

PASSWORD = "Secret-pass-2024"
LOGIN_URL = reverse("accounts:login")
ADMIN_LOGIN_URL = reverse("admin:login")
ADDRESS_LOCKOUT_TEXT = "您所在的网络地址已有 20 次登录失败（不论登录哪个账号），因此暂停从该地址登录任何账号。"
TOO_LONG = "登录名最多 254 个字符（您输入了 10000 个）。"


@pytest.fixture
def frozen():
    with time_machine.travel(beijing(2024, 4, 20, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(db):
    return UserFactory(username="13800138000", mobile="13800138000", email="boss@example.com")


def attempt(client, username, password, *, ip="203.0.113.7", url=LOGIN_URL):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_across_names(client, count, *, ip="203.0.113.7"):
    """One wrong password for each of ``count`` different login names from ``ip``; their statuses."""
    return [attempt(client, f"guess{n}@example.com", "wrong-guess", ip=ip).status_code for n in range(count)]


# --- Per-IP limit across login names ------------------------------------------------------------------------


def test_nineteen_failures_across_names_leave_the_address_open(client, account, frozen):
    statuses = fail_across_names(client, 19)

    response = attempt(client, "13800138000", PASSWORD)

    assert statuses == [200] * 19
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


def test_the_twentieth_failure_across_names_locks_the_address_for_every_name(client, account, frozen):
    statuses = fail_across_names(client, 20)

    response = attempt(client, "13800138000", PASSWORD)

    assert statuses == [200] * 19 + [429]
    assert response.status_code == 429
    assert ADDRESS_LOCKOUT_TEXT in response.content.decode()
    assert "请在 15 分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_thirty_names_from_one_address_are_throttled_after_twenty(client, db, frozen):
    assert fail_across_names(client, 30) == [200] * 19 + [429] * 11


def test_an_address_lockout_leaves_other_addresses_alone(client, account, frozen):
    fail_across_names(client, 20)

    response = attempt(client, "13800138000", PASSWORD, ip="198.51.100.9")

    assert response.status_code == 302


def test_the_admin_login_counts_towards_the_same_address_limit(client, db, frozen):
    UserFactory(username="staffer", is_staff=True)
    fail_across_names(client, 19)

    response = attempt(client, "staffer", "wrong-guess", url=ADMIN_LOGIN_URL)

    assert response.status_code == 429
    assert ADDRESS_LOCKOUT_TEXT in response.content.decode()


def test_an_address_lockout_ends_fifteen_minutes_after_the_last_attempt(client, account, frozen):
    fail_across_names(client, 20)

    frozen.shift(timedelta(minutes=14, seconds=59))
    still_locked = attempt(client, "13800138000", PASSWORD)
    frozen.shift(timedelta(minutes=15, seconds=1))
    unlocked = attempt(client, "13800138000", PASSWORD)

    assert (still_locked.status_code, unlocked.status_code) == (429, 302)


def test_the_address_limit_follows_the_setting(client, account, frozen, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3

    assert fail_across_names(client, 3) == [200, 200, 429]


def test_failures_of_one_name_lock_the_pair_first_with_the_login_name_page(client, account, frozen):
    statuses = [attempt(client, "13800138000", "wrong").status_code for _ in range(5)]

    other_name = attempt(client, "guest@example.com", "wrong")

    assert statuses == [200, 200, 200, 200, 429]
    assert other_name.status_code == 200  # 6 failures from the address: below its limit
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").count() == 2


# --- Over-long login names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOGIN_URL, ADMIN_LOGIN_URL], ids=["site", "admin"])
def test_a_ten_thousand_character_login_name_is_a_form_error(client, db, frozen, url):
    response = attempt(client, "a" * 10_000, "wrong", url=url)

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [TOO_LONG]
    assert AccessAttempt.objects.count() == 0


@pytest.mark.parametrize("url", [LOGIN_URL, ADMIN_LOGIN_URL], ids=["site", "admin"])
def test_the_longest_login_name_is_tried_and_one_more_character_is_refused(client, db, frozen, url):
    longest = "a" * 242 + "@example.com"  # 254 characters, the longest e-mail address

    tried = attempt(client, longest, "wrong", url=url)
    refused = attempt(client, longest + "m", "wrong", url=url)

    assert "username" not in tried.context["form"].errors
    assert len(tried.context["form"].non_field_errors()) == 1  # the wrong-password message
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [longest]
    assert refused.context["form"].errors["username"] == ["登录名最多 254 个字符（您输入了 255 个）。"]


def test_a_ten_thousand_character_address_for_password_reset_is_a_form_error(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "a" * 10_000 + "@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [  # Django's own messages
        "输入一个有效的 Email 地址。", "确保该变量包含不超过 254 字符 (目前字符数 10012)。",
    ]
    assert mail.outbox == []


def test_login_name_never_exceeds_the_axes_column():
    request = RequestFactory().post(LOGIN_URL)

    assert login_name(request, {"username": "A" * 10_000}) == "a" * 255
    assert login_name(request, {"username": " +86 138 0013 8000 "}) == "13800138000"
