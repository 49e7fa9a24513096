from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Channel, Notification
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def notify_ping(recipient, application=None, event="ping:1"):
    return services.notify(
        event=event, recipient=recipient, template="generic", application=application,
        context={"subject": "初审通过", "body": "请完成系统备案。"},
    )


def test_notify_records_one_row_per_channel_and_delivers_after_commit(django_capture_on_commit_callbacks):
    account = UserFactory(username="boss@example.com", mobile="13812345678")
    application = ApplicationFactory(applicant=account, email="boss@example.com", mobile="13812345678")

    with django_capture_on_commit_callbacks(execute=True):
        created = notify_ping(application.applicant, application)

    rows = Notification.objects.order_by("channel")
    assert [(n.channel, n.address) for n in rows] == [
        (Channel.EMAIL, "boss@example.com"), (Channel.IN_APP, ""), (Channel.SMS, "13812345678"),
    ]
    assert len(created) == 3
    assert all(n.sent_at is not None and n.attempts == 1 for n in rows)
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [("初审通过", "请完成系统备案。", ["boss@example.com"])]


def test_notify_writes_to_the_accounts_own_addresses_never_to_the_questionnaires(
    django_capture_on_commit_callbacks,
):
    # Anyone can type anyone's address into the questionnaire; notices reach the account that logs in.
    account = UserFactory(username="owner@example.com", mobile="13900001111")
    application = ApplicationFactory(applicant=account, email="victim@example.com", mobile="13800002222")

    with django_capture_on_commit_callbacks(execute=True):
        notify_ping(account, application)

    assert sorted(Notification.objects.values_list("channel", "address")) == [
        (Channel.EMAIL, "owner@example.com"), (Channel.IN_APP, ""), (Channel.SMS, "13900001111"),
    ]
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_notify_skips_sms_when_the_account_has_no_mobile_even_if_the_questionnaire_has_one():
    account = UserFactory(username="owner@example.com")
    application = ApplicationFactory(applicant=account, email="owner@example.com", mobile="13800002222")

    notify_ping(account, application)

    assert sorted(Notification.objects.values_list("channel", "address")) == [
        (Channel.EMAIL, "owner@example.com"), (Channel.IN_APP, ""),
    ]


def test_notify_twice_for_the_same_event_sends_once(django_capture_on_commit_callbacks):
    application = ApplicationFactory(email="boss@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notify_ping(application.applicant, application)
    with django_capture_on_commit_callbacks(execute=True):
        again = notify_ping(application.applicant, application)

    assert again == []
    assert Notification.objects.filter(channel=Channel.EMAIL).count() == 1
    assert len(mail.outbox) == 1


def test_notify_skips_a_channel_without_an_address():
    user = UserFactory(username="nomail", email="")

    notify_ping(user)

    assert list(Notification.objects.values_list("channel", flat=True)) == [Channel.IN_APP]


def test_deliver_is_idempotent(django_capture_on_commit_callbacks):
    user = UserFactory(email="someone@example.com")
    notify_ping(user)  # no commit callbacks run: the rows wait in the outbox
    email = Notification.objects.get(channel=Channel.EMAIL)

    assert services.deliver(email.pk) is True
    assert services.deliver(email.pk) is False
    assert len(mail.outbox) == 1


def test_sweep_outbox_sends_only_what_waited_long_enough():
    user = UserFactory(email="someone@example.com")
    notify_ping(user)
    assert services.sweep_outbox() == 0  # just recorded: the after-commit delivery may still come

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        sent = services.sweep_outbox()

    assert sent == 2  # e-mail and in-app: the account has no mobile number
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 1


def test_a_failed_delivery_keeps_the_row_for_the_sweep(settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_backend.BrokenBackend"
    user = UserFactory(email="someone@example.com")
    with time_machine.travel(beijing(2024, 4, 23, 15, 4, 5), tick=False):
        notify_ping(user)
        email = Notification.objects.get(channel=Channel.EMAIL)

        assert services.deliver(email.pk) is False

    email.refresh_from_db()
    assert (email.sent_at, email.failed_at, email.attempts, email.next_attempt_at) == (
        None, None, 1, beijing(2024, 4, 23, 15, 5, 5),
    )
    assert email.last_error == "ConnectionRefusedError: SMTP server unreachable"


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60)],
)
def test_the_retry_delay_doubles_up_to_an_hour(settings, attempts, minutes):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600

    assert services.retry_delay(attempts) == timedelta(minutes=minutes)


def test_an_smtp_error_is_retried_until_the_last_attempt_then_given_up(settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_backend.BrokenBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    start = beijing(2024, 4, 23, 15, 4, 5)
    with time_machine.travel(start, tick=False):
        notify_ping(UserFactory(email="someone@example.com"))
    email = Notification.objects.get(channel=Channel.EMAIL)

    for minutes in (0, 1, 3):  # the first try, then each retry at its time
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert services.deliver(email.pk) is False
    with time_machine.travel(start + timedelta(days=1), tick=False):
        services.sweep_outbox()

    email.refresh_from_db()
    assert (email.sent_at, email.failed_at, email.attempts, email.next_attempt_at) == (
        None, start + timedelta(minutes=3), 3, None,
    )


def test_a_row_is_not_tried_before_its_retry_time(settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_backend.BrokenBackend"
    start = beijing(2024, 4, 23, 15, 4, 5)
    with time_machine.travel(start, tick=False):
        notify_ping(UserFactory(email="someone@example.com"))
        email = Notification.objects.get(channel=Channel.EMAIL)
        services.deliver(email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        early = services.deliver(email.pk)
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        due = services.deliver(email.pk)

    assert (early, due, len(mail.outbox)) == (False, True, 1)


# --- Rows carrying a secret (a password reset link) -----------------------------------------------------

RESET_TIMEOUT = 3 * 24 * 3600  # Django's PASSWORD_RESET_TIMEOUT, set explicitly below


def secret_row(recipient, *, requested_by=None):
    (row,) = services.notify(
        event=f"secret:{recipient.pk}", recipient=recipient, template="generic", channels=[Channel.EMAIL],
        context={"subject": "重置密码", "body": "https://example.com/accounts/password/reset/MQ/secret-token/"},
        secret=True, requested_by=requested_by,
    )
    return row


def test_notify_records_the_secret_flag_and_who_asked():
    staff = UserFactory(username="ops@example.com", is_staff=True)
    account = UserFactory(username="boss@example.com")

    row = secret_row(account, requested_by=staff)

    row.refresh_from_db()
    assert (row.secret, row.requested_by, row.recipient) == (True, staff, account)


def test_delivery_wipes_a_secret_rows_text_and_keeps_the_record(django_capture_on_commit_callbacks):
    account = UserFactory(username="boss@example.com")

    with time_machine.travel(beijing(2024, 4, 23, 15, 4, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            row = secret_row(account)

    row.refresh_from_db()
    assert (row.body, row.subject, row.address, row.sent_at, row.attempts) == (
        "", "重置密码", "boss@example.com", beijing(2024, 4, 23, 15, 4, 5), 1,
    )
    assert [m.body for m in mail.outbox] == ["https://example.com/accounts/password/reset/MQ/secret-token/"]


def test_delivery_keeps_an_ordinary_rows_text(django_capture_on_commit_callbacks):
    account = UserFactory(username="boss@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notify_ping(account)

    assert Notification.objects.get(channel=Channel.EMAIL).body == "请完成系统备案。"


def test_a_failed_secret_delivery_keeps_the_text_for_the_retry(settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_backend.BrokenBackend"
    row = secret_row(UserFactory(username="boss@example.com"))

    assert services.deliver(row.pk) is False

    row.refresh_from_db()
    assert (row.sent_at, row.attempts, row.body) == (
        None, 1, "https://example.com/accounts/password/reset/MQ/secret-token/",
    )


@pytest.mark.parametrize(("seconds_after", "wiped"), [(RESET_TIMEOUT - 1, False), (RESET_TIMEOUT, True)])
def test_an_unsent_secret_is_wiped_and_never_sent_once_its_link_expired(settings, seconds_after, wiped):
    settings.PASSWORD_RESET_TIMEOUT = RESET_TIMEOUT
    with time_machine.travel(beijing(2024, 4, 23, 15, 4, 5), tick=False):
        row = secret_row(UserFactory(username="boss@example.com"))  # never delivered yet (no commit)

    with time_machine.travel(beijing(2024, 4, 23, 15, 4, 5) + timedelta(seconds=seconds_after), tick=False):
        services.sweep_outbox()

    row.refresh_from_db()
    if wiped:
        assert (row.body, row.sent_at, row.last_error, mail.outbox) == (
            "", None, "一次性链接过期前未能发出；正文已删除。", [],
        )
        assert services.deliver(row.pk) is False
    else:
        assert (row.body, row.sent_at is not None, len(mail.outbox)) == ("", True, 1)
