"""SMS through Alibaba Cloud: the real SDK against the loopback stub, each answer ending in its outbox state."""

from datetime import timedelta

import pytest
import time_machine

from notifications import services
from notifications.aliyun import classify
from notifications.enums import DeliveryStatus
from notifications.models import Channel, Notification
from notifications.sms import NOTICE, VERIFICATION_CODE
from recruitment.timeutils import beijing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = beijing(2024, 4, 23, 15, 4, 5)
NUMBER = "13812345678"


def notice(title="初审已通过", *, event="ping:1"):
    (row,) = services.notify(
        event=event, recipient=UserFactory(username="boss@example.com", mobile=NUMBER), template="generic",
        channels=[Channel.SMS], context={"subject": title, "body": "请完成系统备案。"},
    )
    return row


def deliver_at(moment, pk):
    with time_machine.travel(moment, tick=False):
        return services.deliver(pk)


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return services.sweep_outbox()


def fields(pk):
    row = Notification.objects.get(pk=pk)
    return (row.sent_at, row.failed_at, row.next_attempt_at, row.attempts, row.provider_id, row.status)


def test_an_accepted_sms_records_the_providers_biz_id(aliyun_sms):
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is True

    assert fields(row.pk) == (T0, None, None, 1, "900619746936490001^0", DeliveryStatus.SENT)
    (request,) = aliyun_sms.received
    assert (request.action, request.signature_ok, request.headers["x-acs-version"]) == ("SendSms", True, "2017-05-25")
    assert {k: v for k, v in request.params.items() if k != "TemplateParam"} == {
        "PhoneNumbers": NUMBER, "SignName": "淘宝联盟", "TemplateCode": "SMS_100000003",
    }
    assert request.template_param == {"title": "初审已通过"}


def test_a_verification_code_goes_out_on_its_own_template_and_is_wiped_once_accepted(aliyun_sms):
    with time_machine.travel(T0, tick=False):
        (row,) = services.notify(
            event="signup_code:13900001111:1", recipient=None, template="generic", channels=[Channel.SMS],
            addresses={Channel.SMS: "13900001111"}, context={"subject": "验证码", "body": "您的验证码为 482913"},
            sms_kind=VERIFICATION_CODE, sms_params={"code": "482913"}, secret=True,
            expires_at=T0 + timedelta(minutes=5),
        )

    assert deliver_at(T0, row.pk) is True

    (request,) = aliyun_sms.received
    assert (request.params["PhoneNumbers"], request.params["TemplateCode"], request.template_param) == (
        "13900001111", "SMS_100000001", {"code": "482913"},
    )
    row.refresh_from_db()
    assert (row.sent_at, row.provider_id, row.body, row.sms_params) == (T0, "900619746936490001^0", "", {})


@pytest.mark.parametrize("scenario", ["throttled", "gateway_throttled", "server_error"])
def test_a_temporary_provider_error_schedules_a_retry_after_a_minute(aliyun_sms, scenario):
    aliyun_sms.respond_with(scenario)
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False

    assert fields(row.pk) == (None, None, T0 + timedelta(minutes=1), 1, "", DeliveryStatus.RETRYING)
    assert Notification.objects.get(pk=row.pk).last_error.startswith("TemporarySmsError: Alibaba Cloud SMS ")


def test_throttling_backs_off_doubling_and_the_sweep_waits_for_the_retry_time(aliyun_sms):
    aliyun_sms.respond_with("throttled", "throttled")
    with time_machine.travel(T0, tick=False):
        row = notice()
    deliver_at(T0, row.pk)

    assert sweep_at(T0 + timedelta(seconds=59)) == 0  # not due yet: no request
    assert len(aliyun_sms.received) == 1
    assert sweep_at(T0 + timedelta(minutes=1)) == 0  # due: tried, throttled again, next in 2 minutes
    assert fields(row.pk)[2:4] == (T0 + timedelta(minutes=3), 2)
    assert sweep_at(T0 + timedelta(minutes=3) - timedelta(seconds=1)) == 0
    assert len(aliyun_sms.received) == 2
    assert sweep_at(T0 + timedelta(minutes=3)) == 1

    assert fields(row.pk) == (
        T0 + timedelta(minutes=3), None, None, 3, "900619746936490001^0", DeliveryStatus.SENT,
    )
    assert [r.answered for r in aliyun_sms.received] == ["throttled", "throttled", "ok"]


@pytest.mark.parametrize(
    ("scenario", "code"),
    [("template_rejected", "isv.SMS_TEMPLATE_ILLEGAL"), ("bad_number", "isv.MOBILE_NUMBER_ILLEGAL")],
)
def test_a_permanent_provider_error_fails_the_row_and_it_is_never_retried(aliyun_sms, scenario, code):
    aliyun_sms.respond_with(scenario)
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False
    sweep_at(T0 + timedelta(days=1))
    assert deliver_at(T0 + timedelta(days=1), row.pk) is False

    assert fields(row.pk) == (None, T0, None, 1, "", DeliveryStatus.FAILED)
    assert Notification.objects.get(pk=row.pk).last_error.startswith(f"PermanentSmsError: Alibaba Cloud SMS {code}: ")
    assert len(aliyun_sms.received) == 1


def test_a_timeout_is_retried_and_the_retry_is_accepted(aliyun_sms):
    aliyun_sms.respond_with("timeout")
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False
    after_timeout = fields(row.pk)
    sent = sweep_at(T0 + timedelta(minutes=1))

    assert after_timeout == (None, None, T0 + timedelta(minutes=1), 1, "", DeliveryStatus.RETRYING)
    assert sent == 1
    assert fields(row.pk) == (T0 + timedelta(minutes=1), None, None, 2, "900619746936490001^0", DeliveryStatus.SENT)
    assert [r.answered for r in aliyun_sms.received] == ["timeout", "ok"]


def test_a_timeout_leaves_the_reason_on_the_row(aliyun_sms):
    aliyun_sms.respond_with("timeout")
    with time_machine.travel(T0, tick=False):
        row = notice()

    deliver_at(T0, row.pk)

    last_error = Notification.objects.get(pk=row.pk).last_error
    assert last_error.startswith("TemporarySmsError: Alibaba Cloud SMS unreachable: UnretryableException: ")
    assert "Read timed out" in last_error


def test_an_unreachable_provider_is_a_temporary_error(aliyun_sms, settings):
    aliyun_sms.stop()  # nothing listens on that port any more: the connection is refused
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False

    assert fields(row.pk) == (None, None, T0 + timedelta(minutes=1), 1, "", DeliveryStatus.RETRYING)


def test_the_row_is_given_up_after_the_last_allowed_attempt(aliyun_sms, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    aliyun_sms.respond_with("throttled", "throttled", "throttled")
    with time_machine.travel(T0, tick=False):
        row = notice()

    deliver_at(T0, row.pk)
    deliver_at(T0 + timedelta(minutes=1), row.pk)
    deliver_at(T0 + timedelta(minutes=3), row.pk)
    sweep_at(T0 + timedelta(days=1))

    assert fields(row.pk) == (None, T0 + timedelta(minutes=3), None, 3, "", DeliveryStatus.FAILED)
    assert len(aliyun_sms.received) == 3


def test_a_title_too_long_for_its_template_is_refused_before_any_request(aliyun_sms):
    with time_machine.travel(T0, tick=False):
        row = notice("很" * 36)

    assert deliver_at(T0, row.pk) is False

    assert fields(row.pk) == (None, T0, None, 1, "", DeliveryStatus.FAILED)
    assert Notification.objects.get(pk=row.pk).last_error == (
        "PermanentSmsError: title of template notice must be 1 to 35 characters, got 36"
    )
    assert aliyun_sms.received == []


def test_a_title_of_exactly_35_characters_is_sent(aliyun_sms):
    with time_machine.travel(T0, tick=False):
        row = notice("很" * 35)

    assert deliver_at(T0, row.pk) is True
    assert aliyun_sms.received[0].template_param == {"title": "很" * 35}


def test_a_kind_without_a_template_code_fails_permanently_without_a_request(aliyun_sms, settings):
    settings.ALIYUN_SMS_TEMPLATE_CODES = {"verification_code": "SMS_100000001"}
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False

    assert fields(row.pk)[:2] == (None, T0)
    assert Notification.objects.get(pk=row.pk).last_error == (
        "PermanentSmsError: no Alibaba Cloud template code for the SMS kind 'notice' (ALIYUN_SMS_TEMPLATE_CODES)"
    )
    assert aliyun_sms.received == []


def test_a_wrong_secret_is_refused_by_the_provider_and_fails_permanently(aliyun_sms, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert deliver_at(T0, row.pk) is False

    (request,) = aliyun_sms.received
    assert (request.signature_ok, request.answered) == (False, "bad_signature")
    assert fields(row.pk)[:2] == (None, T0)
    assert "SignatureDoesNotMatch" in Notification.objects.get(pk=row.pk).last_error


def test_the_default_sms_kind_of_a_row_is_a_notice(aliyun_sms):
    with time_machine.travel(T0, tick=False):
        row = notice()

    assert (row.sms_kind, row.sms_params) == (NOTICE, {"title": "初审已通过"})


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", 200, False),
        ("isv.DAY_LIMIT_CONTROL", 200, False),
        ("isv.AMOUNT_NOT_ENOUGH", 200, False),
        ("isp.SYSTEM_ERROR", 200, False),
        ("Throttling.User", 400, False),
        ("Throttling.Api", 400, False),
        ("ServiceUnavailable", 503, False),
        ("SomethingNew", 502, False),
        ("isv.MOBILE_NUMBER_ILLEGAL", 200, True),
        ("isv.SMS_TEMPLATE_ILLEGAL", 200, True),
        ("isv.SMS_SIGNATURE_ILLEGAL", 200, True),
        ("isv.TEMPLATE_PARAMS_ILLEGAL", 200, True),
        ("isv.SOMETHING_NEW", 200, True),
        ("InvalidAccessKeyId.NotFound", 404, True),
        ("SomethingNew", 400, True),
    ],
)
def test_each_provider_code_is_temporary_or_permanent(code, status, permanent):
    error = classify(code, "message", status=status)

    assert (type(error).__name__, error.permanent, error.code) == (
        "PermanentSmsError" if permanent else "TemporarySmsError", permanent, code,
    )
