"""SMS through Alibaba Cloud (阿里云短信服务), on its official SDK (``alibabacloud_dysmsapi20170525``).

``SMS_BACKEND = "notifications.aliyun.AliyunSmsBackend"``. Each message is the ``SendSms`` of one approved
template (``ALIYUN_SMS_TEMPLATE_CODES``, by the kind of ``sms.SMS_KINDS``) under the approved sign name, its
parameters as ``TemplateParam`` JSON; the provider's ``BizId`` is returned as the message's provider id, which
delivery receipts (``notifications.receipts``) refer to.

Errors become ``sms.TemporarySmsError`` (retried by the outbox with back-off) or ``sms.PermanentSmsError``
(never retried), by the provider's error code: SendSms answers business errors with HTTP 200 and a ``Code``
other than ``OK`` (``isv.*``, ``isp.*``); the API gateway answers with HTTP 4xx/5xx (``Throttling.*``,
``InvalidAccessKeyId.*``, ``ServiceUnavailable``). The SDK's own retries are off: the outbox retries.
"""

import json
import logging

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import ResponseException
from darabonba.runtime import RuntimeOptions
from django.conf import settings

from .sms import PermanentSmsError, TemporarySmsError

logger = logging.getLogger(__name__)

#: Codes worth trying again later: the provider's rate limits (per number: 1 a minute, 5 an hour, 10 a day
#: for codes; the account's daily/monthly caps set in the console), its own failures, an account out of
#: balance (staff top it up; the retries give up after NOTIFICATION_MAX_ATTEMPTS).
TEMPORARY_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL",
    "isv.OUT_OF_SERVICE",
    "isv.AMOUNT_NOT_ENOUGH",
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "isp.UNKNOWN",
    "ServiceUnavailable",
    "InternalError",
}
#: Prefixes of temporary codes: the gateway's flow control (``Throttling.User``, ``Throttling.Api`` …).
TEMPORARY_PREFIXES = ("Throttling", "isp.")

#: Codes that the same message will meet again however often it is sent: a bad number, a template or
#: signature the provider does not approve (or that do not match), parameters it refuses, an account or
#: key that cannot send. Listed for the reader; any other ``isv.*`` code is permanent too.
PERMANENT_CODES = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SIGN_STATE_ILLEGAL",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.DENY_IP_RANGE",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "isv.PRODUCT_UNSUBSCRIBE",
    "isp.RAM_PERMISSION_DENY",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
}


def classify(code, message, *, status=200):
    """The ``SmsError`` for a provider's answer ``code`` (HTTP ``status``): temporary or permanent."""
    text = f"Alibaba Cloud SMS {code}: {message}"
    if code in PERMANENT_CODES:
        return PermanentSmsError(text, code=code)
    if code in TEMPORARY_CODES or code.startswith(TEMPORARY_PREFIXES) or status >= 500 or status == 429:
        return TemporarySmsError(text, code=code)
    if code.startswith("isv.") or 400 <= status < 500:
        return PermanentSmsError(text, code=code)
    return TemporarySmsError(text, code=code)  # an unknown answer: retried, within the attempts allowed


def _milliseconds(seconds):
    return int(float(seconds) * 1000)


class AliyunSmsBackend:
    """Sends each message as one ``SendSms`` call; returns its ``BizId``."""

    def __init__(self):
        self.client = Client(Config(
            access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
            endpoint=settings.ALIYUN_SMS_ENDPOINT,
            protocol=settings.ALIYUN_SMS_PROTOCOL,
            connect_timeout=_milliseconds(settings.ALIYUN_SMS_CONNECT_TIMEOUT),
            read_timeout=_milliseconds(settings.ALIYUN_SMS_READ_TIMEOUT),
        ))

    def send(self, number, text, *, kind, params):
        template_code = settings.ALIYUN_SMS_TEMPLATE_CODES.get(kind, "")
        if not template_code:
            raise PermanentSmsError(
                f"no Alibaba Cloud template code for the SMS kind {kind!r} (ALIYUN_SMS_TEMPLATE_CODES)",
                code="no_template",
            )
        request = sms_models.SendSmsRequest(
            phone_numbers=number,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME,
            template_code=template_code,
            # The provider takes string values only ({"code": "123456"}, never {"code": 123456}).
            template_param=json.dumps({name: str(value) for name, value in params.items()}, ensure_ascii=False),
        )
        runtime = RuntimeOptions(
            connect_timeout=_milliseconds(settings.ALIYUN_SMS_CONNECT_TIMEOUT),
            read_timeout=_milliseconds(settings.ALIYUN_SMS_READ_TIMEOUT),
            autoretry=False,
        )
        try:
            response = self.client.send_sms_with_options(request, runtime)
        except ResponseException as error:  # HTTP 4xx/5xx from the API gateway
            raise classify(str(error.code or ""), error.message, status=error.status_code or 500) from error
        except Exception as error:  # the SDK wraps timeouts and refused connections (UnretryableException)
            raise TemporarySmsError(f"Alibaba Cloud SMS unreachable: {type(error).__name__}: {error}",
                                    code="unreachable") from error
        body = response.body
        if body.code != "OK":
            raise classify(str(body.code or ""), body.message)
        logger.info("SMS accepted by Alibaba Cloud [%s] as %s", kind, body.biz_id)
        return body.biz_id
