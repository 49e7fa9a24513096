"""The outbox in the admin: a row carrying a secret is redacted for every role that reads the outbox; each row
says where it stands (sent, waiting to retry, failed and why, delivered); a failed row can be sent again."""

from datetime import timedelta
from itertools import count

import pytest
import time_machine
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin

from audit.models import AuditEvent
from notifications import services
from notifications.enums import DeliveryStatus
from notifications.models import Channel, Notification
from recruitment.timeutils import beijing
from reviews import roles
from tests.factories import UserFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

LINK = "https://example.com/accounts/password/reset/MQ/c9xyz-0123456789abcdef0123456789abcdef/"
TOKEN = "c9xyz-0123456789abcdef0123456789abcdef"


@pytest.fixture(params=["ops", "campaign_admin", "superuser"])
def reader(request, db):
    """Everyone who reads the outbox: operations, the campaign admin, the superuser."""
    if request.param == "superuser":
        return UserFactory(username="root@example.com", is_staff=True, is_superuser=True)
    role = roles.OPERATIONS if request.param == "ops" else roles.CAMPAIGN_ADMIN
    return staff_with_role(role, username=f"{request.param}@example.com")


@pytest.fixture
def secret_row(db):
    (row,) = services.notify(
        event="password_reset:1:abc", recipient=UserFactory(username="boss@example.com"), template="generic",
        channels=[Channel.EMAIL], context={"subject": "重置密码", "body": f"请打开 {LINK} 设置新密码。"}, secret=True,
    )
    return row


def test_a_secret_rows_text_is_shown_to_no_reader(client, reader, secret_row):
    client.force_login(reader)

    changelist = client.get(reverse("admin:notifications_notification_changelist"))
    change = client.get(reverse("admin:notifications_notification_change", args=[secret_row.pk]))

    assert list(changelist.context["cl"].result_list) == [secret_row]
    for page in (changelist, change):
        assert TOKEN not in page.content.decode()
    assert "重置密码" in change.content.decode()
    assert "boss@example.com" in change.content.decode()
    assert "不予显示：该消息含一次性机密内容（密码重置链接），送达后将被删除。" in change.content.decode()


@pytest.mark.parametrize("term", [TOKEN, LINK, "设置新密码"])
def test_a_search_never_reaches_a_secret_rows_text(client, reader, secret_row, term):
    client.force_login(reader)

    response = client.get(reverse("admin:notifications_notification_changelist"), {"q": term})

    assert (response.context["cl"].result_count, list(response.context["cl"].result_list)) == (0, [])


def test_a_delivered_secret_row_says_its_text_was_deleted(client, reader, secret_row):
    services.deliver(secret_row.pk)
    client.force_login(reader)

    change = client.get(reverse("admin:notifications_notification_change", args=[secret_row.pk]))

    assert Notification.objects.get(pk=secret_row.pk).body == ""
    assert "不予显示：该消息含一次性机密内容（密码重置链接），送达后已删除。" in change.content.decode()


def test_the_outbox_has_no_export():
    model_admin = admin.site._registry[Notification]

    assert isinstance(model_admin, ExportMixin) is False
    with pytest.raises(NoReverseMatch):
        reverse("admin:notifications_notification_export")


# --- Delivery status, the SMS template and its parameters, sending again ----------------------------------

T0 = beijing(2024, 4, 23, 15, 4, 5)
MOBILES = (f"1381234{n:04d}" for n in count())


def sms_row(event, **outcome):
    (row,) = services.notify(
        event=event, recipient=UserFactory(username=f"{event.replace(':', '')}@example.com", mobile=next(MOBILES)),
        template="generic", channels=[Channel.SMS], context={"subject": "初审已通过", "body": "请完成系统备案。"},
    )
    Notification.objects.filter(pk=row.pk).update(**outcome)
    return Notification.objects.get(pk=row.pk)


@pytest.fixture
def outbox(db):
    """One SMS in each status."""
    return {
        DeliveryStatus.PENDING: sms_row("pending:1"),
        DeliveryStatus.RETRYING: sms_row(
            "retrying:1", attempts=2, next_attempt_at=T0 + timedelta(minutes=2),
            last_error="TemporarySmsError: Alibaba Cloud SMS isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1",
        ),
        DeliveryStatus.FAILED: sms_row(
            "failed:1", attempts=1, failed_at=T0,
            last_error="PermanentSmsError: Alibaba Cloud SMS isv.SMS_TEMPLATE_ILLEGAL: 该账号下找不到对应模板",
        ),
        DeliveryStatus.SENT: sms_row("sent:1", attempts=1, sent_at=T0, provider_id="900619746936490001^0"),
        DeliveryStatus.DELIVERED: sms_row(
            "delivered:1", attempts=1, sent_at=T0, provider_id="900619746936490002^0",
            delivered_at=T0 + timedelta(seconds=4),
        ),
        DeliveryStatus.UNDELIVERED: sms_row(
            "undelivered:1", attempts=1, sent_at=T0, provider_id="900619746936490003^0",
            delivery_error="MK:0001 停机或空号",
        ),
    }


STATUS_TEXTS = {
    DeliveryStatus.PENDING: "等待发送",
    DeliveryStatus.RETRYING: "等待重试，将于 2024-04-23 15:06:05 重试",
    DeliveryStatus.FAILED: (
        "发送失败（不再重试）：PermanentSmsError: Alibaba Cloud SMS isv.SMS_TEMPLATE_ILLEGAL: 该账号下找不到对应模板"
    ),
    DeliveryStatus.SENT: "已发出",
    DeliveryStatus.DELIVERED: "已送达",
    DeliveryStatus.UNDELIVERED: "未送达：MK:0001 停机或空号",
}


@pytest.mark.parametrize("status", list(DeliveryStatus))
def test_the_status_filter_lists_the_rows_in_that_status_with_their_status_text(client, reader, outbox, status):
    client.force_login(reader)

    response = client.get(reverse("admin:notifications_notification_changelist"), {"status": status.value})

    assert list(response.context["cl"].result_list) == [outbox[status]]
    assert STATUS_TEXTS[status] in response.content.decode()


def test_the_change_page_shows_the_template_its_parameters_and_the_provider_id(client, reader, outbox):
    client.force_login(reader)

    page = client.get(reverse("admin:notifications_notification_change", args=[outbox[DeliveryStatus.SENT].pk]))

    text = page.content.decode()
    for shown in ("通知 (notice)", "初审已通过", "900619746936490001^0", "已发出"):
        assert shown in text


def test_a_secret_sms_codes_parameters_are_shown_to_no_reader(client, reader):
    (row,) = services.notify(
        event="signup_code:13900001111:1", recipient=None, template="generic", channels=[Channel.SMS],
        addresses={Channel.SMS: "13900001111"}, context={"subject": "验证码", "body": "您的验证码为 482913"},
        sms_kind="verification_code", sms_params={"code": "482913"}, secret=True,
    )
    client.force_login(reader)

    page = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))

    assert "482913" not in page.content.decode()
    assert "不予显示：其中含一次性机密内容。" in page.content.decode()
    assert "验证码 (verification_code)" in page.content.decode()


def test_a_permanently_failed_row_is_sent_again_and_the_resend_is_audited(
    client, reader, outbox, settings, django_capture_on_commit_callbacks,
):
    settings.SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"
    failed = outbox[DeliveryStatus.FAILED]
    client.force_login(reader)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, outbox[DeliveryStatus.SENT].pk]}, follow=True,
        )

    failed.refresh_from_db()
    assert (failed.failed_at, failed.sent_at, failed.attempts, failed.status) == (
        None, T0 + timedelta(hours=1), 1, DeliveryStatus.SENT,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "已将 1 条通知重新加入发送队列。", "已跳过 1 条通知：仅发送失败且不含机密内容的消息可重新发送。",
    ]
    (event,) = AuditEvent.objects.filter(action="notification_resend")
    assert (event.actor, event.object_id, event.details) == (
        reader, str(failed.pk), {"channel": "sms", "event": "failed:1"},
    )


def test_a_failed_secret_row_is_never_sent_again(client, reader):
    (row,) = services.notify(
        event="signup_code:13900001111:1", recipient=None, template="generic", channels=[Channel.SMS],
        addresses={Channel.SMS: "13900001111"}, context={"subject": "验证码", "body": "您的验证码为 482913"},
        sms_kind="verification_code", sms_params={"code": "482913"}, secret=True,
    )
    Notification.objects.filter(pk=row.pk).update(failed_at=T0, attempts=1)
    client.force_login(reader)

    client.post(reverse("admin:notifications_notification_changelist"),
                {"action": "resend", "_selected_action": [row.pk]})

    row.refresh_from_db()
    resends = AuditEvent.objects.filter(action="notification_resend").count()
    assert (row.failed_at, row.sent_at, resends) == (T0, None, 0)


def test_a_role_without_the_outbox_can_neither_read_it_nor_send_again(client, outbox):
    reviewer = staff_with_role(roles.ROUND1_REVIEWER, username="reviewer@example.com")
    failed = outbox[DeliveryStatus.FAILED]
    client.force_login(reviewer)

    listing = client.get(reverse("admin:notifications_notification_changelist"))
    posted = client.post(reverse("admin:notifications_notification_changelist"),
                         {"action": "resend", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert (listing.status_code, posted.status_code, failed.failed_at) == (403, 403, T0)


def test_a_get_of_the_changelist_changes_nothing(client, reader, outbox):
    client.force_login(reader)
    before = list(Notification.objects.order_by("pk").values())

    client.get(reverse("admin:notifications_notification_changelist"), {"action": "resend"})

    assert list(Notification.objects.order_by("pk").values()) == before
