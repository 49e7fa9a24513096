import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_admin_lists_and_finds_users_by_mobile(admin_client):
    UserFactory(username="13800138000", email="", mobile="13800138000")
    UserFactory(username="other@example.com")

    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "13800138000"})

    assert [user.username for user in response.context["cl"].result_list] == ["13800138000"]
    assert "mobile" in response.context["cl"].list_display


def test_user_admin_creates_a_user_with_a_mobile(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "13900139000",
            "mobile": "13900139000",
            "email": "",
            "usable_password": "true",
            "password1": "Tuoke-pioneer-2024",
            "password2": "Tuoke-pioneer-2024",
        },
    )

    user = get_user_model().objects.get(username="13900139000")
    assert response.status_code == 302
    assert (user.mobile, user.check_password("Tuoke-pioneer-2024")) == ("13900139000", True)


def test_user_admin_is_closed_to_applicants(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
