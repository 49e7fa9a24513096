from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from accounts import services
from recruitment.timeutils import beijing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Tuoke-pioneer-2024"
T0 = beijing(2024, 4, 10, 9, 30, 0)


@pytest.fixture(autouse=True)
def _frozen():
    """The whole test at T0 (sessions and deliveries after commit too); steps move on with nested travels."""
    with time_machine.travel(T0, tick=False):
        yield


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def signup(client, identifier, *, email="", password=PASSWORD, confirmation=None, next_url=None):
    data = {"identifier": identifier, "email": email, "password1": password, "password2": confirmation or password}
    url = reverse("accounts:signup") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def start_mobile_signup(client, sms, capture, *, identifier="13800138000", email="", next_url=None):
    """Fill the sign-up form with a mobile number at T0; return the code the SMS carried."""
    with time_machine.travel(T0, tick=False), capture(execute=True):
        response = signup(client, identifier, email=email, next_url=next_url)
    assert response.url == reverse("accounts:signup_verify")
    return sms[-1][2]["code"]


def test_signup_with_mobile_creates_no_account_and_sends_a_code(client, sms, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "+86 138-0013-8000", email="Boss@Example.com", next_url="/status/")

    assert response.url == reverse("accounts:signup_verify")
    assert User.objects.exists() is False
    assert logged_in_user_id(client) is None
    ((number, kind, params),) = sms
    assert (number, kind, sorted(params)) == ("13800138000", "verification_code", ["code"])
    pending = client.session["pending_signup"]
    assert (pending["mobile"], pending["email"], pending["next"]) == ("13800138000", "boss@example.com", "/status/")
    assert PASSWORD not in str(pending)
    assert check_password(PASSWORD, pending["password_hash"]) is True
    page = client.get(reverse("accounts:signup_verify"))
    assert "我们已向 138****8000 发送六位验证码。输入验证码后即创建账号。" in page.content.decode()
    assert messages_of(page) == ["六位验证码正通过短信发送至 138****8000，5 分钟内有效。"]


def test_signup_with_mobile_creates_the_account_with_the_right_code_and_logs_in(
    client, sms, django_capture_on_commit_callbacks
):
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks, email="Boss@Example.com",
                               next_url="/status/")

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:signup_verify"), {"code": code})

    user = User.objects.get()
    assert (user.username, user.mobile, user.email, user.mobile_verified_at) == (
        "13800138000", "13800138000", "boss@example.com", T0 + timedelta(minutes=1),
    )
    assert user.check_password(PASSWORD) is True
    assert logged_in_user_id(client) == str(user.pk)
    assert response.url == "/status/"
    assert "pending_signup" not in client.session


def test_signup_with_mobile_without_recovery_email_leaves_email_blank(
    client, sms, django_capture_on_commit_callbacks
):
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks, identifier="13900139000")

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:signup_verify"), {"code": code})

    user = User.objects.get()
    assert (user.username, user.mobile, user.email) == ("13900139000", "13900139000", "")
    assert response.url == reverse("applications:apply")


def test_signup_with_a_wrong_code_creates_nothing_and_keeps_what_was_typed(
    client, sms, django_capture_on_commit_callbacks
):
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:signup_verify"), {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["验证码错误或已过期。如有需要，请重新获取验证码。"]
    assert f'value="{wrong}"' in response.content.decode()
    assert User.objects.exists() is False
    assert logged_in_user_id(client) is None


def test_signup_with_an_expired_code_creates_nothing(client, sms, django_capture_on_commit_callbacks):
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks)

    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        response = client.post(reverse("accounts:signup_verify"), {"code": code})

    assert response.context["form"].errors["code"] == ["验证码错误或已过期。如有需要，请重新获取验证码。"]
    assert User.objects.exists() is False


def test_signup_of_a_number_taken_meanwhile_says_it_exists(client, sms, django_capture_on_commit_callbacks):
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks)
    UserFactory(username="13800138000", email="", mobile="13800138000")

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:signup_verify"), {"code": code})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该手机号或邮箱已注册，请直接登录。"]
    assert User.objects.count() == 1
    assert logged_in_user_id(client) is None


def test_a_resend_within_a_minute_is_refused_with_the_wait_and_after_it_sends(
    client, sms, django_capture_on_commit_callbacks
):
    start_mobile_signup(client, sms, django_capture_on_commit_callbacks)

    with time_machine.travel(T0 + timedelta(seconds=40), tick=False), django_capture_on_commit_callbacks(execute=True):
        early = client.post(reverse("accounts:signup_verify"), {"action": "resend"})
    early_messages = messages_of(client.get(early.url))
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False), django_capture_on_commit_callbacks(execute=True):
        late = client.post(reverse("accounts:signup_verify"), {"action": "resend"})

    assert early_messages == [
        "六位验证码正通过短信发送至 138****8000，5 分钟内有效。",
        "获取验证码过于频繁，请等待 20 秒后再获取新的验证码。",
    ]
    assert late.url == reverse("accounts:signup_verify")
    assert len(sms) == 2


def test_the_code_page_without_a_pending_signup_goes_back_to_the_form(client):
    response = client.get(reverse("accounts:signup_verify"))

    assert response.url == reverse("accounts:signup")


def test_a_mobile_signup_over_the_limit_keeps_what_was_typed(client, sms, django_capture_on_commit_callbacks):
    start_mobile_signup(client, sms, django_capture_on_commit_callbacks)

    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        response = signup(client, "13900139000", email="boss@example.com")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["获取验证码过于频繁，请等待 30 秒后再获取新的验证码。"]
    assert 'value="13900139000"' in response.content.decode()
    assert len(sms) == 1


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
    response = signup(client, "boss@example.com")

    assert response.status_code == 302
    assert response.url == reverse("applications:apply")


def test_signup_with_an_external_next_goes_to_the_questionnaire(client, sms, django_capture_on_commit_callbacks):
    email_signup = signup(client, "boss@example.com", next_url="https://evil.example.com/")
    client.logout()
    code = start_mobile_signup(client, sms, django_capture_on_commit_callbacks, next_url="https://evil.example.com/")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        mobile_signup = client.post(reverse("accounts:signup_verify"), {"code": code})

    assert email_signup.url == mobile_signup.url == reverse("applications:apply")


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
    assert "手机号注册时可填写，作为短信验证码之外找回密码的第二种方式。" in content


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


def test_a_resend_for_a_number_taken_meanwhile_says_it_exists(client, sms, django_capture_on_commit_callbacks):
    start_mobile_signup(client, sms, django_capture_on_commit_callbacks)
    UserFactory(username="13800138000", email="", mobile="13800138000")

    with time_machine.travel(T0 + timedelta(minutes=2), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup_verify"), {"action": "resend"})

    assert messages_of(client.get(response.url))[-1] == "该手机号或邮箱已注册，请直接登录。"
    assert len(sms) == 1
