"""Verified mobile numbers through the pages: verifying an old account's number at login, 更换手机号, and
忘记密码 by SMS code, which never tells whether a number is registered."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import PhoneCode
from audit.models import AuditEvent
from notifications.models import Notification
from recruitment.timeutils import beijing
from tests.factories import MOBILE_VERIFIED_AT, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
T0 = beijing(2024, 4, 10, 9, 30, 0)
PASSWORD = "Secret-pass-2024"  # tests.factories.UserFactory's
NEW_PASSWORD = "Tuoke-new-start-2024"
SAME_ERROR = "验证码错误或已过期。如有需要，请重新获取验证码。"

@pytest.fixture(autouse=True)
def _frozen():
    """The whole test at T0 (sessions and deliveries after commit too); steps move on with nested travels."""
    with time_machine.travel(T0, tick=False):
        yield



def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def at(moment):
    return time_machine.travel(moment, tick=False)


def unverified(number="13800138000", **kwargs):
    return UserFactory(username=number, mobile=number, email="", mobile_verified_at=None, **kwargs)


def log_in(client, username, password=PASSWORD, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


# --- Verifying the number of an account made before codes ------------------------------------------------------


def test_an_unverified_applicant_is_sent_to_the_verify_page_at_login(client):
    unverified()

    response = log_in(client, "13800138000", next_url="/status/")

    assert response.url == reverse("accounts:verify_mobile") + "?next=%2Fstatus%2F"


@pytest.mark.parametrize(
    "account_kwargs",
    [
        {"mobile_verified_at": MOBILE_VERIFIED_AT},
        {"mobile_verified_at": None, "is_staff": True},
        {"mobile_verified_at": None, "is_superuser": True},
        {"mobile_verified_at": None, "mobile": ""},
    ],
)
def test_verified_applicants_staff_and_accounts_without_a_mobile_are_not_asked(client, account_kwargs):
    UserFactory(**{"username": "13800138000", "mobile": "13800138000", **account_kwargs})

    response = log_in(client, "13800138000", next_url="/status/")

    assert response.url == "/status/"


def test_the_verify_page_writes_nothing_on_get_and_a_code_verifies_the_number(
    client, sms, django_capture_on_commit_callbacks
):
    user = unverified()
    client.force_login(user)
    url = reverse("accounts:verify_mobile") + "?next=/apply/"

    page = client.get(url)
    assert "您的账号使用的手机号 138****8000 尚未验证。" in page.content.decode()
    assert PhoneCode.objects.exists() is False
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"action": "send", "next": "/apply/"})
    ((number, kind, params),) = sms
    with at(T0 + timedelta(minutes=1)):
        done = client.post(url, {"code": params["code"], "next": "/apply/"})

    assert (number, kind) == ("13800138000", "verification_code")
    assert sent.url == url.replace("/apply/", "%2Fapply%2F")
    assert done.url == "/apply/"
    user.refresh_from_db()
    assert user.mobile_verified_at == T0 + timedelta(minutes=1)


def test_a_wrong_code_leaves_the_number_unverified(client, sms, django_capture_on_commit_callbacks):
    user = unverified()
    client.force_login(user)
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_mobile"), {"action": "send"})
    wrong = f"{(int(sms[0][2]['code']) + 1) % 10**6:06d}"

    with at(T0 + timedelta(minutes=1)):
        response = client.post(reverse("accounts:verify_mobile"), {"code": wrong})

    assert response.context["form"].errors["code"] == [SAME_ERROR]
    user.refresh_from_db()
    assert user.mobile_verified_at is None


def test_a_second_verify_code_within_a_minute_is_refused_with_the_wait(
    client, sms, django_capture_on_commit_callbacks
):
    client.force_login(unverified())
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_mobile"), {"action": "send"})
    with at(T0 + timedelta(seconds=15)), django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("accounts:verify_mobile"), {"action": "send"})

    assert messages_of(client.get(again.url)) == [
        "六位验证码正通过短信发送至 138****8000，5 分钟内有效。",
        "获取验证码过于频繁，请等待 45 秒后再获取新的验证码。",
    ]
    assert len(sms) == 1


def test_the_verify_page_of_a_verified_account_goes_on(client):
    client.force_login(UserFactory(username="13800138000", mobile="13800138000"))

    response = client.get(reverse("accounts:verify_mobile") + "?next=/apply/")

    assert response.url == "/apply/"


# --- 更换手机号 ---------------------------------------------------------------------------------------------------


def test_changing_the_number_needs_the_password(client, sms):
    user = UserFactory(username="13800138000", mobile="13800138000")
    client.force_login(user)

    response = client.post(reverse("accounts:change_mobile"), {"new_mobile": "13900139000", "password": "wrong"})

    assert response.context["form"].errors == {"password": ["密码不正确。"]}
    assert 'value="13900139000"' in response.content.decode()
    assert (PhoneCode.objects.exists(), sms) == (False, [])


def test_changing_to_a_number_another_account_has_is_refused(client, sms):
    UserFactory(username="13900139000", mobile="13900139000")
    client.force_login(UserFactory(username="13800138000", mobile="13800138000"))

    response = client.post(reverse("accounts:change_mobile"), {"new_mobile": "13900139000", "password": PASSWORD})

    assert response.context["form"].errors == {"new_mobile": ["该手机号已被其他账号使用。"]}
    assert PhoneCode.objects.exists() is False


def test_a_code_to_the_new_number_changes_number_and_login_name(client, sms, django_capture_on_commit_callbacks):
    user = UserFactory(username="13800138000", mobile="13800138000")
    client.force_login(user)

    with at(T0), django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("accounts:change_mobile"), {"new_mobile": "139 0013 9000", "password": PASSWORD})
    ((number, kind, params),) = sms
    page = client.get(asked.url)
    with at(T0 + timedelta(minutes=2)):
        done = client.post(reverse("accounts:change_mobile_confirm"), {"code": params["code"]})

    assert (number, kind, asked.url) == ("13900139000", "verification_code", reverse("accounts:change_mobile_confirm"))
    assert "请输入发送至新手机号 139****9000 的验证码。" in page.content.decode()
    assert done.url == reverse("applications:status")
    user.refresh_from_db()
    assert (user.username, user.mobile, user.mobile_verified_at) == (
        "13900139000", "13900139000", T0 + timedelta(minutes=2),
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id, event.details, event.created_at) == (
        "mobile_changed", user, str(user.pk), {"old": "138****8000", "new": "139****9000"}, T0 + timedelta(minutes=2),
    )
    assert params["code"] not in str(event.details) + event.object_repr
    assert log_in(client, "13900139000").status_code == 302


def test_an_email_account_keeps_its_login_name_when_its_number_changes(
    client, sms, django_capture_on_commit_callbacks
):
    user = UserFactory(username="boss@example.com", mobile="13800138000")
    client.force_login(user)
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:change_mobile"), {"new_mobile": "13900139000", "password": PASSWORD})

    with at(T0 + timedelta(minutes=1)):
        client.post(reverse("accounts:change_mobile_confirm"), {"code": sms[0][2]["code"]})

    user.refresh_from_db()
    assert (user.username, user.mobile) == ("boss@example.com", "13900139000")


def test_a_wrong_code_changes_nothing(client, sms, django_capture_on_commit_callbacks):
    user = UserFactory(username="13800138000", mobile="13800138000")
    client.force_login(user)
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:change_mobile"), {"new_mobile": "13900139000", "password": PASSWORD})
    wrong = f"{(int(sms[0][2]['code']) + 1) % 10**6:06d}"

    with at(T0 + timedelta(minutes=1)):
        response = client.post(reverse("accounts:change_mobile_confirm"), {"code": wrong})

    assert response.context["form"].errors["code"] == [SAME_ERROR]
    user.refresh_from_db()
    assert (user.username, user.mobile, AuditEvent.objects.exists()) == ("13800138000", "13800138000", False)


def test_a_number_taken_meanwhile_is_refused_at_the_code(client, sms, django_capture_on_commit_callbacks):
    user = UserFactory(username="13800138000", mobile="13800138000")
    client.force_login(user)
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:change_mobile"), {"new_mobile": "13900139000", "password": PASSWORD})
    UserFactory(username="13900139000", mobile="13900139000")

    with at(T0 + timedelta(minutes=1)):
        response = client.post(reverse("accounts:change_mobile_confirm"), {"code": sms[0][2]["code"]})
    with at(T0 + timedelta(minutes=2)):
        resend = client.post(reverse("accounts:change_mobile_confirm"), {"action": "resend"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该手机号已被其他账号使用。"]
    assert messages_of(client.get(resend.url))[-1] == "该手机号已被其他账号使用。"
    user.refresh_from_db()
    assert (user.username, user.mobile, AuditEvent.objects.exists()) == ("13800138000", "13800138000", False)


def test_the_status_page_links_the_number_change(client):
    client.force_login(UserFactory(username="13800138000", mobile="13800138000"))

    page = client.get(reverse("applications:status")).content.decode()

    assert f'<a href="{reverse("accounts:change_mobile")}" id="link-change-mobile">更换手机号</a>' in page
    assert "手机号：138****8000" in page


# --- 忘记密码 by SMS ----------------------------------------------------------------------------------------------


def ask_reset(client, number, moment, ip="127.0.0.1"):
    with at(moment):
        response = client.post(reverse("accounts:password_reset_sms"), {"mobile": number}, REMOTE_ADDR=ip)
    return response, (messages_of(client.get(response.url)) if response.status_code == 302 else [])


def test_the_reset_answer_is_the_same_whether_or_not_the_number_is_registered(
    client, sms, django_capture_on_commit_callbacks
):
    UserFactory(username="13800138000", mobile="13800138000")

    with django_capture_on_commit_callbacks(execute=True):
        known, known_messages = ask_reset(client, "13800138000", T0)
        unknown, unknown_messages = ask_reset(client, "13900139000", T0 + timedelta(minutes=1))

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (
        302, reverse("accounts:password_reset_sms_confirm"),
    )
    assert known_messages == ["如有账号使用 138****8000，六位验证码正通过短信发送至该号码，5 分钟内有效。"]
    assert unknown_messages == ["如有账号使用 139****9000，六位验证码正通过短信发送至该号码，5 分钟内有效。"]
    assert [number for number, _kind, _params in sms] == ["13800138000"]
    assert PhoneCode.objects.count() == 2


def test_the_reset_limits_are_the_same_whether_or_not_the_number_is_registered(client, sms):
    UserFactory(username="13800138000", mobile="13800138000")
    ask_reset(client, "13800138000", T0, ip="203.0.113.1")
    ask_reset(client, "13900139000", T0, ip="203.0.113.2")

    known, _ = ask_reset(client, "13800138000", T0 + timedelta(seconds=30), ip="203.0.113.3")
    unknown, _ = ask_reset(client, "13900139000", T0 + timedelta(seconds=30), ip="203.0.113.4")

    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors() == [
        "获取验证码过于频繁，请等待 30 秒后再获取新的验证码。"
    ]


def test_no_code_goes_to_a_staff_or_deactivated_account(client, sms, django_capture_on_commit_callbacks):
    UserFactory(username="ops", mobile="13800138000", is_staff=True)
    UserFactory(username="13900139000", mobile="13900139000", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "13800138000", T0)
        ask_reset(client, "13900139000", T0 + timedelta(minutes=1))

    assert (sms, Notification.objects.exists()) == ([], False)


def test_the_sms_code_sets_the_new_password_and_ends_other_sessions(
    client, sms, django_capture_on_commit_callbacks
):
    user = UserFactory(username="13800138000", mobile="13800138000")
    elsewhere = client_class_logged_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "13800138000", T0)
    form = client.get(reverse("accounts:password_reset_sms_confirm"))

    with at(T0 + timedelta(minutes=3)):
        done = client.post(reverse("accounts:password_reset_sms_confirm"), {
            "mobile": "13800138000", "code": sms[0][2]["code"],
            "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })

    assert form.context["form"]["mobile"].value() == "13800138000"
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True
    assert elsewhere.get(reverse("applications:status")).status_code == 302  # logged out: back to the login page


def client_class_logged_in(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    assert other.get(reverse("applications:status")).status_code == 200
    return other


@pytest.mark.parametrize("case", ["wrong", "expired", "used", "unknown number"])
def test_wrong_expired_used_and_unknown_all_get_the_same_error(client, sms, django_capture_on_commit_callbacks, case):
    user = UserFactory(username="13800138000", mobile="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "13800138000", T0)
        ask_reset(client, "13900139000", T0 + timedelta(minutes=1))
    code = sms[0][2]["code"]
    number, moment = "13800138000", T0 + timedelta(minutes=2)
    if case == "wrong":
        code = f"{(int(code) + 1) % 10**6:06d}"
    elif case == "expired":
        moment = T0 + timedelta(minutes=5)
    elif case == "used":
        with at(moment):
            client.post(reverse("accounts:password_reset_sms_confirm"), {
                "mobile": number, "code": code, "new_password1": "Other-pass-2024", "new_password2": "Other-pass-2024",
            })
    else:
        number = "13900139000"

    with at(moment):
        response = client.post(reverse("accounts:password_reset_sms_confirm"), {
            "mobile": number, "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [SAME_ERROR]}
    assert f'value="{number}"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is False


def test_a_weak_new_password_is_refused_before_the_code_is_spent(client, sms, django_capture_on_commit_callbacks):
    UserFactory(username="13800138000", mobile="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "13800138000", T0)

    with at(T0 + timedelta(minutes=1)):
        response = client.post(reverse("accounts:password_reset_sms_confirm"), {
            "mobile": "13800138000", "code": sms[0][2]["code"], "new_password1": "13800138000",
            "new_password2": "13800138000",
        })

    assert list(response.context["form"].errors) == ["new_password1"]
    assert PhoneCode.objects.get().used_at is None


def test_the_login_page_links_both_resets(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert f'<a href="{reverse("accounts:password_reset_sms")}" id="link-reset-sms">短信找回</a>' in page
    assert f'<a href="{reverse("accounts:password_reset")}" id="link-reset-email">邮箱找回</a>' in page
