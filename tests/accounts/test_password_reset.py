import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-start-2024"


def reset_link(message):
    match = re.search(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="13800138000", email="boss@example.com", mobile="13800138000")

    response = client.post(reverse("accounts:password_reset"), {"email": "Boss@Example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["boss@example.com"]
    assert "13800138000" in mail.outbox[0].body

    confirm = client.get(reset_link(mail.outbox[0]))  # Django swaps the token for a session key
    form_url = confirm.url
    assert form_url.endswith("/set-password/")
    form_page = client.get(form_url)
    assert form_page.context["validlink"] is True
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == reverse("accounts:password_reset_complete")

    login = client.post(reverse("accounts:login"), {"username": "13800138000", "password": NEW_PASSWORD})
    assert login.url == reverse("applications:status")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_link_works_only_once(client):
    UserFactory(username="boss@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})
    link = reset_link(mail.outbox[0])
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_email_is_in_chinese(client):
    UserFactory(username="boss@example.com")

    client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})

    assert "重置" in mail.outbox[0].subject
    assert "如果不是您本人操作" in mail.outbox[0].body
