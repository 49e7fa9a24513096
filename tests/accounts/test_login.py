import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Secret-pass-2024"  # UserFactory's password


def log_in(client, identifier, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": identifier, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("typed", ["13800138000", "+86 138 0013 8000"])
def test_login_by_mobile_logs_in(client, typed):
    user = UserFactory(username="13800138000", email="", mobile="13800138000")

    response = log_in(client, typed)

    assert response.status_code == 302
    assert response.url == reverse("applications:status")
    assert logged_in_user_id(client) == str(user.pk)


def test_login_by_email_in_another_case_logs_in(client):
    user = UserFactory(username="13800138000", email="boss@example.com", mobile="13800138000")

    log_in(client, "Boss@Example.com")

    assert logged_in_user_id(client) == str(user.pk)


def test_login_by_username_logs_in(client):
    user = UserFactory(username="operator", email="")

    log_in(client, "operator")

    assert logged_in_user_id(client) == str(user.pk)


def test_login_with_a_wrong_password_is_refused(client):
    UserFactory(username="13800138000", email="", mobile="13800138000")

    response = log_in(client, "13800138000", password="wrong-password")

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["invalid_login"]
    assert logged_in_user_id(client) is None


def test_login_follows_a_safe_next(client):
    UserFactory(username="boss@example.com")

    response = client.post(
        reverse("accounts:login") + "?next=/status/", {"username": "boss@example.com", "password": PASSWORD,
                                                        "next": "/status/"}
    )

    assert response.url == "/status/"


def test_login_page_links_to_password_reset_and_signup(client):
    response = client.get(reverse("accounts:login"))

    content = response.content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in content
    assert f'href="{reverse("accounts:signup")}"' in content
    assert "忘记密码" in content
    assert "注册" in content


def test_logout_by_get_is_refused_and_keeps_the_session(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert logged_in_user_id(client) == str(user.pk)


def test_logout_by_post_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.url == reverse("home")
    assert logged_in_user_id(client) is None


def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=" + reverse("accounts:password_change")


def test_password_change_sets_the_new_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-pass-2024", "new_password2": "Another-pass-2024"},
    )

    user.refresh_from_db()
    assert response.url == reverse("accounts:password_change_done")
    assert user.check_password("Another-pass-2024") is True
