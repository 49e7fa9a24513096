"""Sessions (accounts.sessions) and the per-request user lookup (IdentifierBackend.get_user).

The session engine only changes how a session row is read: sessions stay database rows, so expiry and
a logout apply to every worker at once. These tests drive real requests against real rows.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.backends import IdentifierBackend
from accounts.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATUS = "/status/"
LOGIN_REDIRECT = f"{reverse('accounts:login')}?next={STATUS}"


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def same_session_elsewhere(client):
    """A second browser (another worker, another process) presenting the same session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_the_project_uses_the_database_session_engine_of_accounts():
    assert (settings.SESSION_ENGINE, SessionStore.get_model_class()) == ("accounts.sessions", Session)


def test_a_stored_session_is_read_back_with_its_data():
    store = SessionStore()
    store["answer"] = {"campaign": "2024-nx2", "step": 3}
    store.save()

    loaded = SessionStore(session_key=store.session_key)

    assert loaded["answer"] == {"campaign": "2024-nx2", "step": 3}
    assert loaded.session_key == store.session_key


def test_an_unknown_session_key_reads_as_empty_and_is_dropped():
    store = SessionStore(session_key="x" * 32)

    assert (store.load(), store.session_key) == ({}, None)


def test_an_expired_session_reads_as_empty_and_is_dropped():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    reloaded = SessionStore(session_key=store.session_key)

    assert (reloaded.load(), reloaded.session_key) == ({}, None)


def test_a_logged_in_session_opens_the_status_page_for_its_user():
    user = UserFactory(username="13800138000", email="", mobile="13800138000")
    client = logged_in_client(user)

    response = client.get(STATUS)

    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
    assert 'class="user" title="修改密码">13800138000</a>' in response.content.decode()


def test_an_expired_session_is_logged_out_on_the_next_request():
    client = logged_in_client(UserFactory())
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(STATUS)

    assert (response.status_code, response.url) == (302, LOGIN_REDIRECT)


def test_a_logout_ends_the_session_for_every_holder_of_the_cookie():
    client = logged_in_client(UserFactory())
    elsewhere = same_session_elsewhere(client)
    assert elsewhere.get(STATUS).status_code == 200

    client.post(reverse("accounts:logout"))

    response = elsewhere.get(STATUS)
    assert (response.status_code, response.url) == (302, LOGIN_REDIRECT)
    assert Session.objects.count() == 0


def test_a_password_change_elsewhere_logs_the_other_session_out():
    user = UserFactory()
    client = logged_in_client(user)
    user.set_password("Another-pass-2025")
    user.save()

    response = client.get(STATUS)

    assert (response.status_code, response.url) == (302, LOGIN_REDIRECT)


def test_a_deactivated_user_is_logged_out_on_the_next_request():
    user = UserFactory()
    client = logged_in_client(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(STATUS)

    assert (response.status_code, response.url) == (302, LOGIN_REDIRECT)


def test_get_user_returns_the_whole_active_user():
    user = UserFactory(username="boss@example.com", mobile="13800138000")

    found = IdentifierBackend().get_user(str(user.pk))

    assert (found.pk, found.username, found.email, found.mobile, found.password, found.is_active) == (
        user.pk, "boss@example.com", "boss@example.com", "13800138000", user.password, True,
    )
    assert found.date_joined == user.date_joined


@pytest.mark.parametrize("user_id", ["999999", "not-a-number", ""])
def test_get_user_of_an_unknown_or_malformed_id_is_none(user_id):
    UserFactory()

    assert IdentifierBackend().get_user(user_id) is None


def test_get_user_of_an_inactive_user_is_none():
    user = UserFactory(is_active=False)

    assert IdentifierBackend().get_user(str(user.pk)) is None
