"""The one password-reset mechanism (``accounts.services``): the link or SMS code, where it goes, who asked."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import PhoneCode
from audit.models import AuditEvent
from notifications.models import Channel, Notification
from recruitment.timeutils import beijing
from reviews import roles
from tests.factories import UserFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-start-2024"
T0 = beijing(2024, 4, 10, 9, 30, 0)


@pytest.fixture(autouse=True)
def _frozen():
    """The whole test at T0 (sessions and deliveries after commit too); steps move on with nested travels."""
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def ops(db):
    return staff_with_role(roles.OPERATIONS, username="ops@example.com")


def mobile_only(number="13900000001"):
    return UserFactory(username=number, mobile=number, email="")


def test_a_mobile_only_account_gets_an_sms_code_that_sets_a_new_password(
    client, ops, sms, django_capture_on_commit_callbacks
):
    account = mobile_only()

    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    assert (row.channel, row.address, row.secret, row.requested_by, row.recipient, row.sms_kind) == (
        Channel.SMS, "13900000001", True, ops, account, "password_reset_code",
    )
    ((number, kind, params),) = sms
    assert (number, kind) == ("13900000001", "password_reset_code")
    code = PhoneCode.objects.get()
    assert (code.purpose, code.mobile, code.user, code.requested_by, code.requested_ip) == (
        "password_reset", "13900000001", account, ops, None,
    )
    assert mail.outbox == []
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        done = client.post(reverse("accounts:password_reset_sms_confirm"), {
            "mobile": "13900000001", "code": params["code"],
            "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })
    assert done.url == reverse("accounts:password_reset_complete")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) is True


def test_an_account_with_an_email_gets_the_link_by_email_in_the_staff_wording(
    ops, sms, django_capture_on_commit_callbacks
):
    account = UserFactory(username="13900000002", mobile="13900000002", email="boss@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        row = services.request_password_reset(account, actor=ops, domain="testserver", use_https=True)

    assert (row.channel, row.address) == (Channel.EMAIL, "boss@example.com")
    assert sms == []
    (message,) = mail.outbox
    assert message.to == ["boss@example.com"]
    assert "应您向活动工作人员提出的请求" in message.body
    assert re.search(r"https://testserver/accounts/password/reset/[^/\s]+/[^/\s]+/", message.body) is not None


def test_a_staff_reset_records_who_asked_for_whom_and_when_and_never_the_code(
    ops, sms, django_capture_on_commit_callbacks
):
    account = mobile_only()

    with time_machine.travel(beijing(2024, 4, 23, 15, 4, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    row = Notification.objects.get()
    assert (row.requested_by, row.recipient, row.created_at, row.sent_at) == (
        ops, account, beijing(2024, 4, 23, 15, 4, 5), beijing(2024, 4, 23, 15, 4, 5),
    )
    assert (row.body, row.sms_params) == ("", {})  # delivered: the code is gone from the database
    code = sms[0][2]["code"]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.object_id, event.details, event.created_at) == (
        "password_reset", ops, "accounts.User", str(account.pk), {"channel": "sms"}, beijing(2024, 4, 23, 15, 4, 5),
    )
    assert code not in str(event.details) + event.object_repr


def test_each_reset_is_its_own_link_or_code(ops, sms, django_capture_on_commit_callbacks):
    by_email = UserFactory(username="boss@example.com")
    account = mobile_only()

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(T0, tick=False):
            services.request_password_reset(by_email, actor=ops, domain="testserver", use_https=False)
            services.request_password_reset(by_email, actor=ops, domain="testserver", use_https=False)
            services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
            services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    assert (Notification.objects.count(), len(mail.outbox), len(sms)) == (4, 2, 2)


def test_a_staff_reset_within_a_minute_of_the_last_code_is_refused_with_the_wait(ops, sms):
    account = mobile_only()
    with time_machine.travel(T0, tick=False):
        services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    with time_machine.travel(T0 + timedelta(seconds=45), tick=False), pytest.raises(
        services.PasswordResetRefused
    ) as refused:
        services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    assert refused.value.message == "13900000001：获取验证码过于频繁，请等待 15 秒后再获取新的验证码。"
    assert (Notification.objects.count(), AuditEvent.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("account_kwargs", "message"),
    [
        ({"is_staff": True}, "13900000001 是工作人员账号：这里只能为申请人账号重置密码。"),
        ({"is_superuser": True}, "13900000001 是工作人员账号：这里只能为申请人账号重置密码。"),
        ({"is_active": False}, "13900000001 已停用，不能重置密码。"),
        ({"mobile": ""}, "13900000001 既没有邮箱也没有手机号，无法发送链接。"),
    ],
)
def test_a_staff_reset_is_refused_for_what_is_not_a_reachable_applicant_account(ops, account_kwargs, message):
    account = UserFactory(**{"username": "13900000001", "mobile": "13900000001", "email": "", **account_kwargs})

    with pytest.raises(services.PasswordResetRefused) as refused:
        services.request_password_reset(account, actor=ops, domain="testserver", use_https=False)

    assert refused.value.message == message
    assert (Notification.objects.exists(), AuditEvent.objects.exists()) == (False, False)


@pytest.mark.parametrize(
    "role", [roles.ROUND1_REVIEWER, roles.RISK_OFFICER, roles.FINAL_COMMITTEE, roles.CAMPAIGN_ADMIN, None]
)
def test_a_staff_reset_is_refused_to_roles_other_than_operations(role):
    actor = staff_with_role(role) if role else UserFactory(is_staff=True)
    account = mobile_only()

    with pytest.raises(services.PasswordResetRefused) as refused:
        services.request_password_reset(account, actor=actor, domain="testserver", use_https=False)

    assert refused.value.message == "您无权重置密码。"
    assert (Notification.objects.exists(), AuditEvent.objects.exists()) == (False, False)


def test_the_self_service_form_and_the_staff_action_write_the_same_kind_of_row(client, ops):
    by_email = UserFactory(username="boss@example.com")
    by_staff = UserFactory(username="13900000003", mobile="13900000003", email="owner@example.com")

    client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})
    services.request_password_reset(by_staff, actor=ops, domain="testserver", use_https=False)

    rows = {row.recipient: row for row in Notification.objects.all()}
    assert {user: (row.channel, row.secret, row.requested_by, row.subject, row.event.split(":")[:2])
            for user, row in rows.items()} == {
        by_email: (Channel.EMAIL, True, None, "【淘宝联盟招商团长招募】重置密码", ["password_reset", str(by_email.pk)]),
        by_staff: (Channel.EMAIL, True, ops, "【淘宝联盟招商团长招募】重置密码", ["password_reset", str(by_staff.pk)]),
    }
