"""The DingTalk custom group robot (自定义机器人) webhook: signing (加签), one message, the answer's meaning.

A robot is a webhook ``https://oapi.dingtalk.com/robot/send?access_token=…`` with the security setting 加签:
each request carries ``&timestamp=<ms>&sign=<s>``, where ``s`` is the HMAC-SHA256 of ``"<timestamp>\\n<secret>"``
keyed with the secret (the ``SEC…`` string of the robot's security page), Base64-encoded, then URL-encoded. The
timestamp must be within an hour of DingTalk's clock.

DingTalk answers HTTP 200 with ``{"errcode": …, "errmsg": …}`` whatever happened: ``0`` is accepted; ``130101``
("send too fast, exceed 20 times per minute") means the robot is throttled (for about ten minutes), so the
message is tried again later; ``310000`` (the signature, a keyword or the IP allow-list refused), ``300001`` and
``300005`` (no such token) and ``400102`` (robot stopped) are the robot's configuration: the message is refused
for good. Anything else, a timeout or a non-JSON answer is temporary.

A robot with no webhook (``DINGTALK_ROBOT_WEBHOOK`` left empty: a laptop, ``make run``, tests) writes the message
to the log instead, like the SMS logging backend.
"""

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse
from dataclasses import dataclass, field

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

OK = 0
TOO_FAST = 130101
#: DingTalk's codes for a robot that cannot send, whatever the message: retrying will not help.
PERMANENT_CODES = {310000, 300001, 300005, 400102}


class DingTalkError(Exception):
    """A message the robot did not accept. ``code`` is DingTalk's errcode (``None`` without an answer)."""

    permanent = False
    too_fast = False

    def __init__(self, message, *, code=None):
        super().__init__(message)
        self.code = code


class TemporaryDingTalkError(DingTalkError):
    """A timeout, a connection error, a server error, an unknown code: tried again with back-off."""


class TooFast(TemporaryDingTalkError):
    """130101: the robot is throttled; nothing more is sent to it for a while."""

    too_fast = True


class PermanentDingTalkError(DingTalkError):
    """310000 and the other configuration errors: never retried until the robot is changed."""

    permanent = True


@dataclass(frozen=True)
class Message:
    """A markdown message. ``at_user_ids`` and ``at_mobiles`` are @-mentioned: DingTalk highlights a mention
    only when ``@<id>`` or ``@<mobile>`` also appears in the text, so ``payload`` appends them."""

    title: str
    text: str
    at_user_ids: tuple = field(default_factory=tuple)
    at_mobiles: tuple = field(default_factory=tuple)

    def payload(self):
        mentions = " ".join(f"@{who}" for who in (*self.at_user_ids, *self.at_mobiles))
        text = f"{self.text}\n\n{mentions}" if mentions else self.text
        return {
            "msgtype": "markdown",
            "markdown": {"title": self.title, "text": text},
            "at": {"atUserIds": list(self.at_user_ids), "atMobiles": list(self.at_mobiles), "isAtAll": False},
        }


def sign(timestamp_ms, secret):
    """The ``sign`` parameter of 加签 for ``timestamp_ms``: Base64(HMAC-SHA256(secret, "ts\\nsecret")), not yet
    URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(webhook, secret, *, timestamp_ms=None):
    """The webhook with ``&timestamp=…&sign=…`` appended (nothing appended without a secret)."""
    if not secret:
        return webhook
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if "?" in webhook else "?"
    return f"{webhook}{separator}timestamp={timestamp_ms}&sign={urllib.parse.quote_plus(sign(timestamp_ms, secret))}"


def send(webhook, secret, message):
    """Post ``message`` to the robot; return on acceptance, raise a ``DingTalkError`` otherwise.

    Without a webhook the message goes to the log. Timeouts are short (``DINGTALK_TIMEOUT`` seconds): a
    Celery job waits for DingTalk, never a person.
    """
    if not webhook:
        logger.info("DingTalk (no robot configured, logged): %s\n%s", message.title,
                    message.payload()["markdown"]["text"])
        return
    try:
        response = requests.post(
            signed_url(webhook, secret), json=message.payload(), timeout=settings.DINGTALK_TIMEOUT,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    except requests.Timeout as exc:
        raise TemporaryDingTalkError(f"timeout after {settings.DINGTALK_TIMEOUT}s") from exc
    except requests.RequestException as exc:
        raise TemporaryDingTalkError(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if response.status_code >= 400:
        raise TemporaryDingTalkError(f"HTTP {response.status_code}")
    try:
        answer = response.json()
        code, text = int(answer.get("errcode", -1)), str(answer.get("errmsg", ""))
    except (ValueError, AttributeError, TypeError) as exc:
        raise TemporaryDingTalkError("not a JSON answer") from exc
    if code == OK:
        return
    detail = f"errcode {code}: {text}"[:500]
    if code == TOO_FAST:
        raise TooFast(detail, code=code)
    if code in PERMANENT_CODES:
        raise PermanentDingTalkError(detail, code=code)
    raise TemporaryDingTalkError(detail, code=code)


def mask(value, *, keep=4):
    """``value`` with all but its last ``keep`` characters hidden (a secret or an access token as staff see it)."""
    if not value:
        return ""
    return "•" * 8 + value[-keep:] if len(value) > keep else "•" * 8


def mask_webhook(url):
    """The webhook with its ``access_token`` masked to the last four characters."""
    parts = urllib.parse.urlsplit(url or "")
    if not parts.query:
        return url or ""
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    shown = "&".join(f"{k}={mask(v) if k == 'access_token' else v}" for k, v in query)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, shown, ""))
