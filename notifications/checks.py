"""System checks of the notification settings: a production SMS backend configured in full, or not at all."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .sms import SMS_KINDS

ALIYUN_BACKEND = "notifications.aliyun.AliyunSmsBackend"
#: The shortest receipt token accepted without a warning: it is the only thing guarding the receipt URL.
RECEIPT_TOKEN_MIN_LENGTH = 32


@register()
def check_aliyun_sms(app_configs, **kwargs):
    """With the Alibaba Cloud backend, every setting it sends with must be there: a missing key, sign name or
    template code would fail every SMS of that kind (permanently) instead of refusing to start."""
    problems = []
    if settings.SMS_BACKEND == ALIYUN_BACKEND:
        for name in ("ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME",
                     "ALIYUN_SMS_ENDPOINT"):
            if not getattr(settings, name, ""):
                problems.append(Error(
                    f"SMS_BACKEND is the Alibaba Cloud backend but {name} is empty.",
                    hint="Set it in the environment (docs/deployment.md, \"SMS through Alibaba Cloud\").",
                    id="notifications.E001",
                ))
        codes = getattr(settings, "ALIYUN_SMS_TEMPLATE_CODES", {}) or {}
        missing = sorted(kind for kind in SMS_KINDS if not codes.get(kind))
        if missing:
            problems.append(Error(
                f"SMS_BACKEND is the Alibaba Cloud backend but ALIYUN_SMS_TEMPLATE_CODES has no template code "
                f"for {', '.join(missing)}.",
                hint="ALIYUN_SMS_TEMPLATE_CODES=verification_code=SMS_…,password_reset_code=SMS_…,notice=SMS_…",
                id="notifications.E002",
            ))
        unknown = sorted(set(codes) - set(SMS_KINDS))
        if unknown:
            problems.append(Warning(
                f"ALIYUN_SMS_TEMPLATE_CODES names kinds that do not exist: {', '.join(unknown)}.",
                hint=f"The kinds are {', '.join(SMS_KINDS)} (notifications.sms.SMS_KINDS).",
                id="notifications.W001",
            ))
    token = getattr(settings, "ALIYUN_SMS_RECEIPT_TOKEN", "")
    if token and len(token) < RECEIPT_TOKEN_MIN_LENGTH:
        problems.append(Warning(
            f"ALIYUN_SMS_RECEIPT_TOKEN is shorter than {RECEIPT_TOKEN_MIN_LENGTH} characters.",
            hint="It is the only secret of the receipt URL: use a long random string.",
            id="notifications.W002",
        ))
    return problems
