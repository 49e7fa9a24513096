import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Tuoke-pioneer-2024"


def signup(client, identifier, *, email="", password=PASSWORD, confirmation=None, next_url=None):
    data = {"identifier": identifier, "email": email, "password1": password, "password2": confirmation or password}
    url = reverse("accounts:signup") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_signup_with_mobile_creates_the_account_and_logs_in(client):
    response = signup(client, "+86 138-0013-8000", email="Boss@Example.com", next_url="/status/")

    user = User.objects.get()
    assert (user.username, user.mobile, user.email) == ("13800138000", "13800138000", "boss@example.com")
    assert user.check_password(PASSWORD) is True
    assert logged_in_user_id(client) == str(user.pk)
    assert response.status_code == 302
    assert response.url == "/status/"


def test_signup_with_mobile_without_recovery_email_leaves_email_blank(client):
    signup(client, "13900139000", next_url="/status/")

    user = User.objects.get()
    assert (user.username, user.mobile, user.email) == ("13900139000", "13900139000", "")


def test_signup_with_email_creates_the_account_and_logs_in(client):
    response = signup(client, "Zhang.Wei@Example.com", next_url="/status/")

    user = User.objects.get()
    assert (user.username, user.mobile, user.email) == ("zhang.wei@example.com", "", "zhang.wei@example.com")
    assert logged_in_user_id(client) == str(user.pk)
    assert response.url == "/status/"


def test_signup_with_email_ignores_the_recovery_email_field(client):
    signup(client, "founder@example.com", email="other@example.com", next_url="/status/")

    assert User.objects.get().email == "founder@example.com"


def test_signup_without_next_goes_to_the_questionnaire(client):
    response = signup(client, "13800138000")

    assert response.status_code == 302
    assert response.url == reverse("applications:apply")


def test_signup_with_an_external_next_goes_to_the_questionnaire(client):
    response = signup(client, "13800138000", next_url="https://evil.example.com/")

    assert response.url == reverse("applications:apply")


def test_signup_refuses_an_email_taken_in_another_case(client):
    UserFactory(username="boss@example.com")

    response = signup(client, "BOSS@Example.COM")

    assert response.status_code == 200
    assert error_codes(response, "identifier") == ["taken"]
    assert User.objects.count() == 1
    assert logged_in_user_id(client) is None


def test_signup_refuses_a_mobile_taken_with_a_country_prefix(client):
    UserFactory(username="13800138000", email="", mobile="13800138000")

    response = signup(client, "+8613800138000")

    assert error_codes(response, "identifier") == ["taken"]
    assert User.objects.count() == 1


def test_signup_refuses_an_identifier_used_as_another_users_email(client):
    UserFactory(username="13800138000", email="boss@example.com", mobile="13800138000")

    response = signup(client, "boss@example.com")

    assert error_codes(response, "identifier") == ["taken"]


def test_signup_refuses_a_recovery_email_used_by_another_account(client):
    UserFactory(username="boss@example.com")

    response = signup(client, "13800138000", email="Boss@example.com")

    assert list(response.context["form"].errors) == ["email"]
    assert User.objects.count() == 1


def test_signup_refuses_a_bad_mobile(client):
    response = signup(client, "12800138000")

    assert error_codes(response, "identifier") == ["invalid_identifier"]
    assert User.objects.count() == 0


def test_signup_refuses_a_bad_email(client):
    response = signup(client, "boss@example")

    assert error_codes(response, "identifier") == ["invalid_email"]


def test_signup_refuses_mismatched_passwords_and_keeps_the_identifier(client):
    response = signup(client, "13800138000", password=PASSWORD, confirmation=PASSWORD + "x")

    assert list(response.context["form"].errors) == ["password2"]
    assert User.objects.count() == 0
    assert 'value="13800138000"' in response.content.decode()
    assert PASSWORD not in response.content.decode()


def test_signup_refuses_a_weak_password(client):
    response = signup(client, "13800138000", password="12345678")

    assert sorted(error_codes(response, "password1")) == ["password_entirely_numeric", "password_too_common"]
    assert User.objects.count() == 0


def test_signup_page_renders_in_chinese(client):
    response = client.get(reverse("accounts:signup"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "手机号或邮箱" in content
    assert "只能联系活动工作人员" in content


def test_signup_page_redirects_a_logged_in_user(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:signup") + "?next=/status/")

    assert response.url == "/status/"


def test_create_applicant_account_refuses_a_taken_identifier():
    identifier = services.parse_identifier("13800138000")
    services.create_applicant_account(identifier=identifier, password=PASSWORD)

    with pytest.raises(services.IdentifierTaken) as taken:
        services.create_applicant_account(identifier=services.parse_identifier("8613800138000"), password=PASSWORD)

    assert taken.value.field == "identifier"
    assert User.objects.count() == 1
