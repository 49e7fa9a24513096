"""The outbox in the admin: a row carrying a secret is redacted for every role that reads the outbox."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin

from notifications import services
from notifications.models import Channel, Notification
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
