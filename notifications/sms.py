"""SMS message kinds: what we ask the provider to send is a registered template and its parameters.

SMS providers in mainland China send only text they approved beforehand: a template with variables,
registered under the account's signature (签名). So an SMS is never free text here: each kind below is
one template the operator registers with the provider (docs/deployment.md, "SMS templates"), named by
its kind in ``SMS_TEMPLATE_CODES``, with the variables it fills and their longest allowed values. The
``text`` is the wording to register; the logging backend renders it so that ``make run`` shows what an
applicant would read.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class SmsError(Exception):
    """A send that failed. ``permanent`` failures (a bad number, a template the provider refused, a value
    too long for its template) are never retried; the others (throttling, timeouts, the provider's own
    errors) are retried with back-off."""

    permanent = False

    def __init__(self, message, *, code=""):
        super().__init__(message)
        self.code = code


class TemporarySmsError(SmsError):
    permanent = False


class PermanentSmsError(SmsError):
    permanent = True


@dataclass(frozen=True)
class SmsKind:
    key: str
    label: str
    #: The template's wording, with ``${name}`` variables, as registered with the provider.
    text: str
    #: Each variable and the longest value it may take (characters).
    params: dict

    def render(self, params):
        return re.sub(r"\$\{(\w+)\}", lambda m: str(params.get(m.group(1), "")), self.text)

    def check(self, params):
        """Raise ``PermanentSmsError`` unless ``params`` fills exactly this template's variables, each
        within its length: the provider would reject the message, so it is refused before sending."""
        if set(params) != set(self.params):
            raise PermanentSmsError(
                f"template {self.key} takes {sorted(self.params)}, got {sorted(params)}", code="params"
            )
        for name, limit in self.params.items():
            value = str(params[name])
            if not value or len(value) > limit:
                raise PermanentSmsError(
                    f"{name} of template {self.key} must be 1 to {limit} characters, got {len(value)}",
                    code="too_long" if value else "empty",
                )


VERIFICATION_CODE = "verification_code"
PASSWORD_RESET_CODE = "password_reset_code"
NOTICE = "notice"

#: The kinds, by key. A notice's title is the notification's subject, written by our own templates; one
#: longer than the variable allows (the provider's limit, 35 characters) is refused, never cut.
SMS_KINDS = {
    kind.key: kind
    for kind in (
        SmsKind(
            VERIFICATION_CODE, _("Verification code"),
            "您的验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。", {"code": 6},
        ),
        SmsKind(
            PASSWORD_RESET_CODE, _("Password reset code"),
            "您正在重置密码，验证码为${code}，5分钟内有效，请勿告诉他人。", {"code": 6},
        ),
        SmsKind(
            NOTICE, _("Notice"),
            "您在淘宝联盟招商团长招募中有一条新通知：${title}。请登录申请进度页查看。", {"title": 35},
        ),
    )
}
