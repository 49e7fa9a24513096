import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from notifications.models import Channel, Notification
from reviews import roles
from tests.factories import UserFactory
from tests.reviews.factories import staff_with_role

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


# --- 重置密码: operations send a one-time link, never see it ------------------------------------------

TOKEN_PATH = re.compile(r"/accounts/password/reset/[^/\s]+/[^/\s]+/")


@pytest.fixture
def ops(db):
    return staff_with_role(roles.OPERATIONS, username="ops@example.com")


@pytest.fixture
def mobile_only(db):
    return UserFactory(username="13900000001", mobile="13900000001", email="")


def reset(client, accounts, *, confirm=True):
    data = {"action": "reset_password", "_selected_action": [account.pk for account in accounts]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("admin:accounts_user_changelist"), data)


def test_operations_see_applicant_accounts_only_and_read_only(client, ops, mobile_only):
    UserFactory(username="reviewer@example.com", is_staff=True)
    UserFactory(username="root@example.com", is_superuser=True, is_staff=True)
    client.force_login(ops)

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    change = client.get(reverse("admin:accounts_user_change", args=[mobile_only.pk]))

    assert [user.username for user in changelist.context["cl"].result_list] == ["13900000001"]
    assert changelist.context["cl"].list_display == [
        "action_checkbox", "username", "mobile", "email", "is_active", "date_joined", "last_login",
    ]
    assert [name for name, _label in changelist.context["action_form"].fields["action"].choices] == [
        "", "reset_password",
    ]
    fields = [line.field["name"] for fieldset in change.context["adminform"] for line in fieldset for line in line]
    assert fields == ["username", "mobile", "email", "first_name", "last_name", "is_active", "date_joined",
                      "last_login", "mobile_verified_at"]
    assert change.context["has_change_permission"] is False


def test_operations_cannot_open_a_staff_account(client, ops):
    staff_account = UserFactory(username="reviewer@example.com", is_staff=True)
    client.force_login(ops)

    response = client.get(reverse("admin:accounts_user_change", args=[staff_account.pk]))

    assert response.url == reverse("admin:index")  # Django's answer for an object outside the queryset


def test_the_reset_action_asks_first_and_writes_nothing(client, ops, mobile_only):
    client.force_login(ops)

    response = reset(client, [mobile_only], confirm=False)

    assert response.templates[0].name == "admin/accounts/user/reset_password_confirm.html"
    assert [(row["account"], row["channel"], row["address"], row["allowed"]) for row in response.context["rows"]] == [
        (mobile_only, Channel.SMS, "13900000001", True),
    ]
    assert Notification.objects.exists() is False


def test_operations_reset_sends_a_link_they_never_see(client, ops, django_capture_on_commit_callbacks):
    account = UserFactory(username="boss@example.com")
    client.force_login(ops)

    with django_capture_on_commit_callbacks(execute=False):
        response = reset(client, [account])
    row = Notification.objects.get()
    link = TOKEN_PATH.search(row.body).group(0)  # in the outbox, waiting for the delivery task
    after = client.get(response.url)
    outbox = client.get(reverse("admin:notifications_notification_changelist"))
    detail = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))

    assert (row.recipient, row.requested_by, row.channel, row.address, row.secret) == (
        account, ops, Channel.EMAIL, "boss@example.com", True,
    )
    assert [str(m) for m in get_messages(after.wsgi_request)] == [
        "设置新密码的一次性链接正通过邮件发送至 boss@example.com（账号 boss@example.com）。"
        "链接只发给申请人本人，不会向您或任何其他人显示。",
    ]
    for page in (response, after, outbox, detail):
        assert link.split("/")[-2] not in page.content.decode()
    assert "不予显示：该消息含一次性机密内容（密码重置链接），送达后将被删除。" in detail.content.decode()


def test_operations_reset_a_mobile_only_account_by_a_code_they_never_see(
    client, ops, mobile_only, django_capture_on_commit_callbacks
):
    client.force_login(ops)

    with django_capture_on_commit_callbacks(execute=False):
        response = reset(client, [mobile_only])
    row = Notification.objects.get()
    code = row.sms_params["code"]  # in the outbox, waiting for the delivery task
    after = client.get(response.url)
    outbox = client.get(reverse("admin:notifications_notification_changelist"))
    detail = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))

    assert (row.recipient, row.requested_by, row.channel, row.address, row.secret, row.sms_kind) == (
        mobile_only, ops, Channel.SMS, "13900000001", True, "password_reset_code",
    )
    assert [str(m) for m in get_messages(after.wsgi_request)] == [
        "设置新密码的一次性验证码正通过短信发送至 13900000001（账号 13900000001），申请人在“短信找回密码”页面输入即可。"
        "验证码只发给申请人本人，不会向您或任何其他人显示。",
    ]
    for page in (response, after, outbox, detail):
        assert code not in page.content.decode()


@pytest.mark.parametrize("role", [roles.ROUND1_REVIEWER, roles.RISK_OFFICER, roles.FINAL_COMMITTEE,
                                  roles.CAMPAIGN_ADMIN])
def test_other_roles_neither_see_accounts_nor_reset(client, mobile_only, role):
    client.force_login(staff_with_role(role))

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    response = reset(client, [mobile_only])

    assert (changelist.status_code, response.status_code) == (403, 403)
    assert Notification.objects.exists() is False


def test_a_superuser_reset_of_a_staff_account_is_refused_and_writes_nothing(admin_client, admin_user):
    staff_account = UserFactory(username="reviewer@example.com", is_staff=True)

    response = reset(admin_client, [staff_account])

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "reviewer@example.com 是工作人员账号：这里只能为申请人账号重置密码。",
    ]
    assert Notification.objects.exists() is False


def test_the_reset_action_takes_at_most_ten_accounts(client, ops):
    accounts = [UserFactory(username=f"1390000{n:04d}", mobile=f"1390000{n:04d}", email="") for n in range(11)]
    client.force_login(ops)

    refused = reset(client, accounts)
    ten = reset(client, accounts[:10])

    assert [str(m) for m in get_messages(refused.wsgi_request)][0] == "一次最多为 10 个账号重置密码。"
    assert Notification.objects.filter(recipient__in=accounts).count() == 10
    assert ten.url == reverse("admin:accounts_user_changelist")


def test_nobody_sets_an_applicants_password_by_hand(admin_client, mobile_only):
    url = reverse("admin:auth_user_password_change", args=[mobile_only.pk])

    page = admin_client.get(url)
    post = admin_client.post(url, {"password1": "Hand-set-2024!", "password2": "Hand-set-2024!"})

    assert page.url == post.url == reverse("admin:accounts_user_change", args=[mobile_only.pk])
    mobile_only.refresh_from_db()
    assert mobile_only.check_password("Hand-set-2024!") is False
    assert mobile_only.check_password("Secret-pass-2024") is True


def test_a_staff_accounts_password_form_still_opens_for_the_superuser(admin_client):
    staff_account = UserFactory(username="reviewer@example.com", is_staff=True)

    page = admin_client.get(reverse("admin:auth_user_password_change", args=[staff_account.pk]))

    assert (page.status_code, page.context["original"]) == (200, staff_account)


def test_the_mobile_verification_time_is_shown_read_only(admin_client):
    account = UserFactory(username="13900000009", mobile="13900000009", email="")
    url = reverse("admin:accounts_user_change", args=[account.pk])

    page = admin_client.get(url)

    readonly = [field.field["name"] for fieldset in page.context["adminform"] for line in fieldset for field in line
                if field.is_readonly]
    assert "mobile_verified_at" in readonly
    content = " ".join(page.content.decode().split())
    assert '<label>手机号验证时间:</label> <div class="readonly">2024年3月1日 09:00</div>' in content
