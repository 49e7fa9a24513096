import pytest

from tests.notifications.aliyun_stub import ACCESS_KEY_ID, ACCESS_KEY_SECRET, AliyunSmsStub

TEMPLATE_CODES = {
    "verification_code": "SMS_100000001", "password_reset_code": "SMS_100000002", "notice": "SMS_100000003",
}
RECEIPT_TOKEN = "test-receipt-token-0123456789abcdef0123"


@pytest.fixture
def aliyun_stub():
    """Alibaba Cloud's SMS API on loopback (tests/notifications/aliyun_stub.py), for the real SDK."""
    stub = AliyunSmsStub(slow_seconds=3.0).start()
    yield stub
    stub.stop()


@pytest.fixture
def aliyun_sms(settings, aliyun_stub):
    """The Alibaba Cloud backend, configured as production is but pointed at the stub (over plain HTTP,
    with a one-second read timeout so that the stub's slow answer times out)."""
    settings.SMS_BACKEND = "notifications.aliyun.AliyunSmsBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "淘宝联盟"
    settings.ALIYUN_SMS_TEMPLATE_CODES = dict(TEMPLATE_CODES)
    settings.ALIYUN_SMS_ENDPOINT = aliyun_stub.endpoint
    settings.ALIYUN_SMS_PROTOCOL = "http"
    settings.ALIYUN_SMS_CONNECT_TIMEOUT = 1.0
    settings.ALIYUN_SMS_READ_TIMEOUT = 1.0
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600
    return aliyun_stub
