"""Password guessing: django-axes locks a (login name, IP) pair out after 5 failures for 15 minutes,
on the site's login and the admin's; the password-reset form does not tell whether an account exists."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from recruitment.timeutils import beijing
from tests.factories import UserFactory

PASSWORD = "Secret-pass-2024"
LOGIN_URL = reverse("accounts:login")
ADMIN_LOGIN_URL = reverse("admin:login")
LOCKOUT_TEXT = "登录失败次数过多"


@pytest.fixture
def frozen():
    with time_machine.travel(beijing(2024, 4, 20, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(db):
    return UserFactory(username="13800138000", mobile="13800138000", email="boss@example.com")


def attempt(client, username, password, *, ip="203.0.113.7", url=LOGIN_URL, **headers):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


def fail(client, times, username="13800138000", **kwargs):
    return [attempt(client, username, "wrong-guess", **kwargs).status_code for _ in range(times)]


def test_four_failures_then_the_right_password_logs_in(client, account, frozen):
    statuses = fail(client, 4)

    response = attempt(client, "13800138000", PASSWORD)

    assert statuses == [200, 200, 200, 200]
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


def test_fifth_failure_locks_out_even_the_right_password_with_a_chinese_page(client, account, frozen):
    statuses = fail(client, 5)

    response = attempt(client, "13800138000", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKOUT_TEXT in page
    assert "请在 15 分钟后再试" in page
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_fifteen_minutes(client, account, frozen):
    fail(client, 5)

    frozen.shift(timedelta(minutes=14, seconds=59))
    still_locked = attempt(client, "13800138000", PASSWORD)
    frozen.shift(timedelta(minutes=15, seconds=1))
    unlocked = attempt(client, "13800138000", PASSWORD)

    assert (still_locked.status_code, unlocked.status_code) == (429, 302)


def test_lockout_is_per_login_name_and_ip(client, account, frozen):
    other = UserFactory(username="other@example.com")
    fail(client, 5)

    same_name_other_ip = attempt(client, "13800138000", PASSWORD, ip="198.51.100.9")
    client.logout()
    other_name_same_ip = attempt(client, "other@example.com", PASSWORD)

    assert same_name_other_ip.status_code == 302
    assert other_name_same_ip.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_spelling_variants_of_a_mobile_number_count_together(client, account, frozen):
    statuses = [attempt(client, name, "wrong").status_code
                for name in ["13800138000", "138 0013 8000", "+8613800138000", "138-0013-8000", "8613800138000"]]

    assert statuses == [200, 200, 200, 200, 429]


def test_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, account, frozen):
    statuses = [attempt(client, "13800138000", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
                for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]


def test_behind_one_trusted_proxy_the_forwarded_client_address_counts(client, account, frozen, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(client, 5, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7")

    other_client = attempt(client, "13800138000", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert other_client.status_code == 302


def test_admin_login_is_throttled_too(client, db, frozen):
    UserFactory(username="staffer", is_staff=True)
    statuses = fail(client, 5, username="staffer", url=ADMIN_LOGIN_URL)

    response = attempt(client, "staffer", PASSWORD, url=ADMIN_LOGIN_URL)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()


def test_success_resets_the_failure_count(client, account, frozen):
    fail(client, 4)
    attempt(client, "13800138000", PASSWORD)
    client.logout()

    statuses = fail(client, 4)

    assert statuses == [200, 200, 200, 200]


def test_unknown_account_is_locked_out_the_same_way(client, db, frozen):
    assert fail(client, 5, username="nobody@example.com") == [200, 200, 200, 200, 429]


# --- Password reset does not reveal accounts ----------------------------------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers after commit
        known = client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert (known.status_code, known.url) == (302, reverse("accounts:password_reset_done"))
    assert (unknown.status_code, unknown.url) == (302, reverse("accounts:password_reset_done"))
    assert (sent, len(mail.outbox)) == (1, 1)
    assert without_csrf(client.get(known.url)) == without_csrf(client.get(unknown.url))


def without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
