"""The system check of the SMS settings: the Alibaba Cloud backend refuses to start half-configured."""

import pytest

from notifications.checks import check_aliyun_sms
from tests.notifications.conftest import TEMPLATE_CODES


@pytest.fixture
def aliyun_configured(settings):
    settings.SMS_BACKEND = "notifications.aliyun.AliyunSmsBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-not-a-real-key"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-secret-not-a-real-secret"
    settings.ALIYUN_SMS_SIGN_NAME = "淘宝联盟"
    settings.ALIYUN_SMS_TEMPLATE_CODES = dict(TEMPLATE_CODES)
    settings.ALIYUN_SMS_ENDPOINT = "dysmsapi.aliyuncs.com"
    settings.ALIYUN_SMS_RECEIPT_TOKEN = ""
    return settings


def ids(problems):
    return [(problem.id, problem.msg) for problem in problems]


def test_a_complete_configuration_passes(aliyun_configured):
    assert check_aliyun_sms(None) == []


def test_the_logging_backend_needs_no_provider_settings(settings):
    settings.SMS_BACKEND = "notifications.channels.LoggingSmsBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ""
    settings.ALIYUN_SMS_TEMPLATE_CODES = {}
    settings.ALIYUN_SMS_RECEIPT_TOKEN = ""

    assert check_aliyun_sms(None) == []


@pytest.mark.parametrize(
    "name", ["ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_ENDPOINT"],
)
def test_a_missing_key_or_sign_name_is_an_error(aliyun_configured, name):
    setattr(aliyun_configured, name, "")

    assert ids(check_aliyun_sms(None)) == [
        ("notifications.E001", f"SMS_BACKEND is the Alibaba Cloud backend but {name} is empty."),
    ]


def test_a_kind_without_a_template_code_is_an_error(aliyun_configured):
    aliyun_configured.ALIYUN_SMS_TEMPLATE_CODES = {"verification_code": "SMS_100000001", "notice": ""}

    assert ids(check_aliyun_sms(None)) == [(
        "notifications.E002",
        "SMS_BACKEND is the Alibaba Cloud backend but ALIYUN_SMS_TEMPLATE_CODES has no template code for "
        "notice, password_reset_code.",
    )]


def test_an_unknown_kind_is_a_warning(aliyun_configured):
    aliyun_configured.ALIYUN_SMS_TEMPLATE_CODES = {**TEMPLATE_CODES, "verify": "SMS_1"}

    assert ids(check_aliyun_sms(None)) == [
        ("notifications.W001", "ALIYUN_SMS_TEMPLATE_CODES names kinds that do not exist: verify."),
    ]


@pytest.mark.parametrize(("length", "warned"), [(31, True), (32, False)])
def test_a_short_receipt_token_is_a_warning(aliyun_configured, length, warned):
    aliyun_configured.ALIYUN_SMS_RECEIPT_TOKEN = "x" * length

    assert ids(check_aliyun_sms(None)) == (
        [("notifications.W002", "ALIYUN_SMS_RECEIPT_TOKEN is shorter than 32 characters.")] if warned else []
    )


def test_the_check_runs_with_django_s_checks():
    from django.core.checks import registry

    assert check_aliyun_sms in registry.registry.registered_checks
