import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Channel, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-start-2024"


def reset_link(message):
    match = re.search(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def request_reset(client, email, capture):
    """POST the reset form; its e-mail is delivered after commit (the outbox), as the worker does."""
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_password_reset_sends_a_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="13800138000", email="boss@example.com", mobile="13800138000")

    response = request_reset(client, "Boss@Example.com", django_capture_on_commit_callbacks)

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


def test_password_reset_link_works_only_once(client, django_capture_on_commit_callbacks):
    UserFactory(username="boss@example.com")
    request_reset(client, "boss@example.com", django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(
    client, django_capture_on_commit_callbacks
):
    response = request_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert Notification.objects.exists() is False


def test_password_reset_email_is_in_chinese(client, django_capture_on_commit_callbacks):
    UserFactory(username="boss@example.com")

    request_reset(client, "boss@example.com", django_capture_on_commit_callbacks)

    assert "重置" in mail.outbox[0].subject
    assert "如果不是您本人操作" in mail.outbox[0].body


def test_password_reset_mail_waits_in_the_outbox_and_is_not_sent_in_the_request(client):
    user = UserFactory(username="boss@example.com")

    response = client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []  # the request only wrote the outbox row; delivery is queued after commit
    (row,) = Notification.objects.all()
    assert (row.recipient, row.channel, row.address, row.secret, row.sent_at, row.attempts) == (
        user, Channel.EMAIL, "boss@example.com", True, None, 0,
    )
    assert row.event.startswith(f"password_reset:{user.pk}:")
    assert reset_link(row) in row.body


def test_password_reset_mail_is_delivered_by_the_outbox_task(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="boss@example.com")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})
    assert mail.outbox == []
    link = reset_link(Notification.objects.get())
    for callback in callbacks:  # what the commit runs: the Celery delivery task (in process here)
        callback()

    row = Notification.objects.get()
    assert row.sent_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["boss@example.com"], row.subject)]
    assert reset_link(mail.outbox[0]) == link
    # Delivered, the row keeps who, where, what about and when, and no longer the link.
    assert (row.recipient, row.address, row.subject, row.body, row.secret) == (
        user, "boss@example.com", "【淘宝联盟招商团长招募】重置密码", "", True,
    )


def test_two_reset_requests_are_two_messages(client, django_capture_on_commit_callbacks):
    UserFactory(username="boss@example.com")

    request_reset(client, "boss@example.com", django_capture_on_commit_callbacks)
    request_reset(client, "boss@example.com", django_capture_on_commit_callbacks)

    assert Notification.objects.count() == len(mail.outbox) == 2


def test_admin_never_shows_the_reset_link(client, admin_client):
    UserFactory(username="boss@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})
    row = Notification.objects.get()
    link = reset_link(row)

    changelist = admin_client.get(reverse("admin:notifications_notification_changelist"))
    change = admin_client.get(reverse("admin:notifications_notification_change", args=[row.pk]))

    assert (changelist.status_code, change.status_code) == (200, 200)
    assert row.subject in changelist.content.decode()
    assert link not in changelist.content.decode()
    assert "boss@example.com" in change.content.decode()
    assert link not in change.content.decode()
    assert row.body not in change.content.decode()


def test_admin_shows_the_text_of_an_ordinary_notification(admin_client):
    row = Notification.objects.create(recipient=UserFactory(), event="ping:1", channel=Channel.IN_APP,
                                      subject="初审通过", body="请完成系统备案。")

    change = admin_client.get(reverse("admin:notifications_notification_change", args=[row.pk]))

    assert "请完成系统备案。" in change.content.decode()


def test_the_reset_form_sends_a_mobile_applicant_to_the_sms_reset(client):
    response = client.get(reverse("accounts:password_reset"))

    content = response.content.decode()
    assert "用手机号注册？" in content
    link = reverse("accounts:password_reset_sms")
    assert f'<a href="{link}" id="link-reset-sms">通过短信验证码重置密码。</a>' in content


def test_the_self_service_reset_records_nobody_as_having_asked(client):
    UserFactory(username="boss@example.com")

    client.post(reverse("accounts:password_reset"), {"email": "boss@example.com"})

    assert Notification.objects.get().requested_by is None
