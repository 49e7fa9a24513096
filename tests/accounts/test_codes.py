"""One-time SMS codes (``accounts.codes``): hashed, six digits, five minutes, single use, five tries, and the
limits per number and per IP address, at the exact second on both sides."""

import logging
from datetime import timedelta

import pytest
import time_machine

from accounts import codes
from accounts.enums import CodePurpose
from accounts.models import PhoneCode
from audit.models import AuditEvent
from notifications.models import Channel, Notification
from notifications.services import deliver
from recruitment.timeutils import beijing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = beijing(2024, 4, 10, 9, 30, 0)
NUMBER = "13800138000"
IP = "203.0.113.7"

@pytest.fixture(autouse=True)
def _frozen():
    """The whole test at T0 (sessions and deliveries after commit too); steps move on with nested travels."""
    with time_machine.travel(T0, tick=False):
        yield



def issue(at, *, number=NUMBER, ip=IP, purpose=CodePurpose.SIGNUP, **kwargs):
    with time_machine.travel(at, tick=False):
        return codes.issue_code(purpose=purpose, mobile=number, ip=ip, **kwargs)


def use(at, code, *, number=NUMBER, purpose=CodePurpose.SIGNUP, **kwargs):
    with time_machine.travel(at, tick=False):
        return codes.use_code(purpose=purpose, mobile=number, code=code, **kwargs)


def sent_code(sms, django_capture_on_commit_callbacks, at, **kwargs):
    """Issue a code, deliver its SMS and return (row, the code the SMS carried)."""
    with django_capture_on_commit_callbacks(execute=True):
        issued = issue(at, **kwargs)
    number, kind, params = sms[-1]
    return issued.code, params["code"]


def test_a_code_is_six_digits_stored_only_as_its_hmac(sms, django_capture_on_commit_callbacks):
    row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)

    row.refresh_from_db()
    assert (len(code), code.isdigit()) == (6, True)
    assert code not in row.code_hash
    assert row.code_hash == codes.code_hash(CodePurpose.SIGNUP, NUMBER, code)
    assert len(row.code_hash) == 64
    assert (row.mobile, row.purpose, row.requested_ip, row.user, row.sent) == (NUMBER, "signup", IP, None, True)
    assert (row.created_at, row.expires_at, row.used_at, row.failed_attempts) == (
        T0, beijing(2024, 4, 10, 9, 35, 0), None, 0,
    )


def test_the_code_travels_only_in_the_secret_sms_parameters_wiped_on_delivery(
    sms, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=False):
        issued = issue(T0)
    waiting = Notification.objects.get()
    code = waiting.sms_params["code"]

    assert (waiting.channel, waiting.address, waiting.secret, waiting.sms_kind, waiting.expires_at) == (
        Channel.SMS, NUMBER, True, "verification_code", beijing(2024, 4, 10, 9, 35, 0),
    )
    assert waiting.recipient is None
    assert code not in waiting.subject + waiting.body
    assert waiting.body == "验证码（注册）已发送至 138****8000。验证码只在短信中，此处不会显示。"
    assert issued.notification == waiting

    with time_machine.travel(T0, tick=False):
        deliver(waiting.pk)
    waiting.refresh_from_db()
    assert (waiting.body, waiting.sms_params, waiting.sent_at) == ("", {}, T0)
    assert sms[0] == (NUMBER, "verification_code", {"code": code})
    assert code not in caplog.text
    assert AuditEvent.objects.exists() is False


def test_a_password_reset_code_uses_the_reset_template(sms, django_capture_on_commit_callbacks):
    sent_code(sms, django_capture_on_commit_callbacks, T0, purpose=CodePurpose.PASSWORD_RESET)

    assert [kind for _number, kind, _params in sms] == ["password_reset_code"]


def test_the_right_code_works_until_the_last_second_before_five_minutes(sms, django_capture_on_commit_callbacks):
    row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)

    used = use(T0 + timedelta(minutes=4, seconds=59), code)

    assert (used.pk, used.used_at) == (row.pk, T0 + timedelta(minutes=4, seconds=59))


def test_the_right_code_is_refused_at_five_minutes(sms, django_capture_on_commit_callbacks):
    row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)

    with pytest.raises(codes.CodeInvalid) as invalid:
        use(T0 + timedelta(minutes=5), code)

    assert invalid.value.message == "验证码错误或已过期。如有需要，请重新获取验证码。"
    row.refresh_from_db()
    assert (row.used_at, row.failed_attempts) == (None, 0)


def test_a_code_works_once(sms, django_capture_on_commit_callbacks):
    _row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)
    use(T0 + timedelta(seconds=10), code)

    with pytest.raises(codes.CodeInvalid):
        use(T0 + timedelta(seconds=20), code)


def test_four_wrong_tries_leave_the_code_usable(sms, django_capture_on_commit_callbacks):
    row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        with pytest.raises(codes.CodeInvalid):
            use(T0 + timedelta(seconds=5), wrong)

    used = use(T0 + timedelta(seconds=6), code)

    assert (used.failed_attempts, used.used_at) == (4, T0 + timedelta(seconds=6))


def test_five_wrong_tries_lock_the_code(sms, django_capture_on_commit_callbacks):
    row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(codes.CodeInvalid):
            use(T0 + timedelta(seconds=5), wrong)

    with pytest.raises(codes.CodeInvalid):
        use(T0 + timedelta(seconds=6), code)

    row.refresh_from_db()
    assert (row.failed_attempts, row.used_at) == (5, None)


def test_a_new_code_supersedes_the_previous_one(sms, django_capture_on_commit_callbacks):
    _first, first_code = sent_code(sms, django_capture_on_commit_callbacks, T0)
    _second, second_code = sent_code(sms, django_capture_on_commit_callbacks, T0 + timedelta(minutes=1))

    if first_code != second_code:
        with pytest.raises(codes.CodeInvalid):
            use(T0 + timedelta(minutes=1, seconds=5), first_code)
    used = use(T0 + timedelta(minutes=1, seconds=6), second_code)

    assert used.created_at == T0 + timedelta(minutes=1)


def test_a_code_for_one_purpose_or_number_does_not_fit_another(sms, django_capture_on_commit_callbacks):
    _row, code = sent_code(sms, django_capture_on_commit_callbacks, T0)

    with pytest.raises(codes.CodeInvalid):
        use(T0 + timedelta(seconds=5), code, purpose=CodePurpose.PASSWORD_RESET)
    with pytest.raises(codes.CodeInvalid):
        use(T0 + timedelta(seconds=5), code, number="13900139000")


# --- Limits -------------------------------------------------------------------------------------------------


def test_a_second_code_for_a_number_within_a_minute_is_refused_with_the_wait(sms):
    issue(T0, ip="203.0.113.1")

    with pytest.raises(codes.CodeRateLimited) as limited:
        issue(T0 + timedelta(seconds=59), ip="203.0.113.2")

    assert limited.value.wait == timedelta(seconds=1)
    assert limited.value.message == "获取验证码过于频繁，请等待 1 秒后再获取新的验证码。"
    assert PhoneCode.objects.count() == 1


def test_a_second_code_for_a_number_after_a_minute_is_sent(sms):
    issue(T0, ip="203.0.113.1")

    issue(T0 + timedelta(seconds=60), ip="203.0.113.2")

    assert PhoneCode.objects.count() == 2


def test_a_second_code_from_an_address_within_a_minute_is_refused_whatever_the_number(sms):
    issue(T0, number="13800000001")

    with pytest.raises(codes.CodeRateLimited) as limited:
        issue(T0 + timedelta(seconds=30), number="13800000002")
    issue(T0 + timedelta(seconds=60), number="13800000003")

    assert limited.value.wait == timedelta(seconds=30)
    assert PhoneCode.objects.count() == 2


def test_the_eleventh_code_for_a_number_in_24_hours_is_refused_until_the_first_is_24_hours_old(sms):
    for n in range(10):
        issue(T0 + timedelta(hours=n), ip=f"203.0.113.{n + 1}")

    with pytest.raises(codes.CodeRateLimited) as limited:
        issue(T0 + timedelta(hours=23, minutes=59, seconds=59), ip="198.51.100.1")
    issue(T0 + timedelta(hours=24), ip="198.51.100.2")

    assert limited.value.wait == timedelta(seconds=1)
    assert PhoneCode.objects.count() == 11


def test_the_eleventh_code_from_an_address_in_24_hours_is_refused_with_the_wait_in_hours(sms):
    for n in range(10):
        issue(T0 + timedelta(minutes=n), number=f"1380000{n:04d}")

    with pytest.raises(codes.CodeRateLimited) as limited:
        issue(T0 + timedelta(minutes=10), number="13900000000")
    issue(T0 + timedelta(hours=24), number="13900000001")

    assert limited.value.wait == timedelta(hours=23, minutes=50)
    assert limited.value.message == "获取验证码过于频繁，请等待 23 小时 50 分钟后再获取新的验证码。"


def test_the_daily_limits_are_settings(sms, settings):
    settings.VERIFICATION_CODE_DAILY_LIMIT_PER_NUMBER = 2
    issue(T0, ip="203.0.113.1")
    issue(T0 + timedelta(minutes=1), ip="203.0.113.2")

    with pytest.raises(codes.CodeRateLimited) as limited:
        issue(T0 + timedelta(minutes=2), ip="203.0.113.3")

    assert limited.value.wait == timedelta(hours=23, minutes=58)  # until the older of the two is 24 hours old


def test_codes_staff_ask_for_count_for_the_number_but_not_for_an_address(sms):
    ops = UserFactory(username="ops@example.com", is_staff=True)
    account = UserFactory(username=NUMBER, mobile=NUMBER, email="")
    issue(T0, number="13900000009")  # from IP, another number

    staff_row = issue(
        T0 + timedelta(seconds=1), ip=None, purpose=CodePurpose.PASSWORD_RESET, user=account, requested_by=ops
    ).code
    with pytest.raises(codes.CodeRateLimited):
        issue(T0 + timedelta(seconds=30), ip="198.51.100.9")
    issue(T0 + timedelta(seconds=61), number="13900000008")

    assert (staff_row.requested_ip, staff_row.requested_by) == (None, ops)
    assert PhoneCode.objects.count() == 3


def test_a_request_recorded_without_sending_counts_for_the_limits(sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        silent = issue(T0, purpose=CodePurpose.PASSWORD_RESET, send=False)

    with pytest.raises(codes.CodeRateLimited):
        issue(T0 + timedelta(seconds=59), ip="198.51.100.1")

    assert (silent.code.sent, silent.notification, sms, Notification.objects.exists()) == (False, None, [], False)


@pytest.mark.parametrize(
    ("wait", "text"),
    [
        (timedelta(seconds=1), "1 秒"),
        (timedelta(seconds=119), "119 秒"),
        (timedelta(seconds=120), "2 分钟"),
        (timedelta(minutes=58, seconds=1), "59 分钟"),
        (timedelta(hours=1), "1 小时"),
        (timedelta(hours=2, minutes=5), "2 小时 5 分钟"),
    ],
)
def test_the_wait_is_said_in_words(wait, text):
    assert codes.wait_text(wait) == text


def test_a_number_is_masked_as_138_stars_8000():
    assert codes.mask_mobile("13800138000") == "138****8000"


def test_the_daily_purge_deletes_requests_older_than_a_week_to_the_second():
    week_old = issue(T0, number="13800138001").code
    younger = issue(T0 + timedelta(seconds=1), number="13800138002", ip="203.0.113.8").code

    kept = codes.purge_old_codes(now=T0 + timedelta(days=7))
    assert kept == 0 and PhoneCode.objects.count() == 2

    deleted = codes.purge_old_codes(now=T0 + timedelta(days=7, seconds=1))
    assert deleted == 1
    assert list(PhoneCode.objects.values_list("pk", flat=True)) == [younger.pk]
    assert not PhoneCode.objects.filter(pk=week_old.pk).exists()


def test_the_purge_is_a_scheduled_job_registered_in_the_worker(settings):
    from recruitment.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["accounts-purge-old-codes"]["task"] == "accounts.purge_old_codes"
    assert "accounts.purge_old_codes" in app.tasks
