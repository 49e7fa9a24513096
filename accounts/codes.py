"""One-time SMS codes (手机验证码): issue one, check one. Sign-up, verifying or changing a number and the
password reset by SMS all go through these two functions (``issue_code``, ``use_code``).

- A code is six digits from ``secrets``, stored only as an HMAC keyed from ``SECRET_KEY`` (``salted_hmac``;
  a slow password hash would add nothing to a million-value space that five tries per code already
  guard). The clear code goes into the SMS outbox row's secret parameters, which delivery wipes; it is
  never logged and never in the audit log.
- It works once, for ``VERIFICATION_CODE_TTL`` (valid while ``now < expires_at``), and not after
  ``VERIFICATION_CODE_MAX_ATTEMPTS`` wrong tries. Only the latest code of a number and purpose (and
  account, where there is one) counts: asking again supersedes the previous code.
- Limits, per mobile number (every purpose, every requester) and per client IP address: one code per
  ``VERIFICATION_CODE_INTERVAL``, and ``VERIFICATION_CODE_DAILY_LIMIT_PER_NUMBER`` /
  ``…_PER_IP`` codes in any rolling 24 hours (rolling rather than a Beijing calendar day: no double
  allowance around midnight, and the wait is exact). A request refused by a limit writes nothing. Codes a
  member of staff asks for (重置密码) carry no IP address: they count for the number only.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from zlib import crc32

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import sms
from notifications.models import Channel
from notifications.services import notify

from .enums import CodePurpose
from .models import PhoneCode

CODE_LENGTH = 6
DAY = timedelta(hours=24)
_HMAC_SALT = "accounts.codes.PhoneCode"
#: The SMS template of each purpose (notifications.sms.SMS_KINDS).
SMS_KIND = {
    CodePurpose.SIGNUP: sms.VERIFICATION_CODE,
    CodePurpose.VERIFY_MOBILE: sms.VERIFICATION_CODE,
    CodePurpose.CHANGE_MOBILE: sms.VERIFICATION_CODE,
    CodePurpose.PASSWORD_RESET: sms.PASSWORD_RESET_CODE,
}


class CodeRateLimited(Exception):
    """Too many codes asked for this number or from this address; ``wait`` says how long until the next
    one may be asked for, ``message`` says it in words. Nothing was written."""

    def __init__(self, wait):
        self.wait = wait
        self.message = _("Too many codes were asked for. Please wait %(wait)s before asking for a new one.") % {
            "wait": wait_text(wait)
        }
        super().__init__(self.message)


class CodeInvalid(Exception):
    """The code is wrong, expired, used, superseded, locked, or there is none: one answer for all."""

    def __init__(self):
        self.message = _("The code is wrong or has expired. Ask for a new code if needed.")
        super().__init__(self.message)


@dataclass(frozen=True)
class Issued:
    """What ``issue_code`` did: the code row and the outbox row (``None`` when nothing was sent)."""

    code: PhoneCode
    notification: object


def wait_text(wait):
    """A wait in words, rounded up: seconds under two minutes, then minutes, then hours and minutes."""
    seconds = max(1, int(-(-wait.total_seconds() // 1)))
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if minutes:
        text += " " + ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return text


def mask_mobile(mobile):
    """138****8000: what a page shows of a number it sends a code to."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def code_hash(purpose, mobile, code):
    """The stored form of a code, bound to its purpose and number (a code for one never fits another)."""
    return salted_hmac(_HMAC_SALT, f"{purpose}:{mobile}:{code}", algorithm="sha256").hexdigest()


def _new_code():
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def _lock(*keys):
    """Serialise concurrent requests for the same number or address (PostgreSQL advisory locks, released
    at commit), so that two requests at one instant cannot both pass a limit. SQLite serialises writes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({crc32(key.encode()) for key in keys}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5C0DE, key - 2**31])


def _wait(rows, *, now, limit):
    """How long until one more code is allowed, given the creation times of the last 24 hours' codes of
    one number or address (newest first): zero when allowed."""
    waits = [timedelta(0)]
    if rows:
        waits.append(rows[0] + settings.VERIFICATION_CODE_INTERVAL - now)
    if len(rows) >= limit:
        waits.append(rows[limit - 1] + DAY - now)
    return max(waits)


def check_limits(*, mobile, ip, now):
    """Raise ``CodeRateLimited`` if a code for ``mobile`` (asked from ``ip``, if any) would exceed a limit."""
    since = now - DAY
    recent = PhoneCode.objects.filter(created_at__gt=since).order_by("-created_at")
    wait = _wait(
        list(recent.filter(mobile=mobile).values_list("created_at", flat=True)),
        now=now, limit=settings.VERIFICATION_CODE_DAILY_LIMIT_PER_NUMBER,
    )
    if ip:
        wait = max(wait, _wait(
            list(recent.filter(requested_ip=ip).values_list("created_at", flat=True)),
            now=now, limit=settings.VERIFICATION_CODE_DAILY_LIMIT_PER_IP,
        ))
    if wait > timedelta(0):
        raise CodeRateLimited(wait)


def issue_code(*, purpose, mobile, ip, user=None, requested_by=None, send=True, now=None):
    """Issue a code for ``purpose`` to ``mobile`` and put its SMS in the outbox (sent after commit).

    ``ip`` is the requester's address (``accounts.throttling.client_ip``; ``None`` when staff ask), ``user``
    the account it is for (``None`` for a sign-up). ``send=False`` records the request without sending
    anything (a 忘记密码 for a number no account has: the limits count it like any other). Raises
    ``CodeRateLimited`` (nothing written). Returns ``Issued``.
    """
    now = now or timezone.now()
    code = _new_code()
    with transaction.atomic():
        _lock(f"mobile:{mobile}", f"ip:{ip or ''}")
        check_limits(mobile=mobile, ip=ip, now=now)
        row = PhoneCode.objects.create(
            purpose=purpose, mobile=mobile, code_hash=code_hash(purpose, mobile, code), user=user,
            requested_ip=ip or None, requested_by=requested_by, sent=send,
            created_at=now, expires_at=now + settings.VERIFICATION_CODE_TTL,
        )
        notification = None
        if send:
            rows = notify(
                event=f"phone_code:{row.pk}", recipient=user, template="phone_code",
                context={"purpose": CodePurpose(purpose).label, "masked_mobile": mask_mobile(mobile)},
                channels=[Channel.SMS], addresses={Channel.SMS: mobile}, secret=True, requested_by=requested_by,
                sms_kind=SMS_KIND[purpose], sms_params={"code": code}, expires_at=row.expires_at,
            )
            notification = rows[0] if rows else None
    return Issued(row, notification)


def use_code(*, purpose, mobile, code, user=None, now=None):
    """Spend the code ``code`` of ``mobile`` for ``purpose`` (and ``user``, for a code bound to an account).

    Only the latest code counts. A wrong code counts a try on it, committed even though the call fails;
    the right one is marked used. Raises ``CodeInvalid`` for every failure alike. Returns the used row.
    Call it outside any transaction the caller may roll back, or a wrong try is not counted.
    """
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        latest = PhoneCode.objects.select_for_update().filter(purpose=purpose, mobile=mobile)
        if purpose in (CodePurpose.VERIFY_MOBILE, CodePurpose.CHANGE_MOBILE):
            latest = latest.filter(user=user)
        row = latest.order_by("-created_at", "-pk").first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            row = None
        elif row.failed_attempts >= settings.VERIFICATION_CODE_MAX_ATTEMPTS:
            row = None
        elif not constant_time_compare(row.code_hash, code_hash(purpose, mobile, code)):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            row = None
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
    if row is None:
        raise CodeInvalid()
    return row


#: How long code requests are kept: the daily limits read the last 24 hours; a week answers "did the
#: applicant ask for a code on Monday?" (number, purpose, IP and times, never the code).
KEEP_REQUESTS = timedelta(days=7)


def purge_old_codes(*, now=None):
    """Delete code requests older than ``KEEP_REQUESTS`` (the daily job). Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _by_model = PhoneCode.objects.filter(created_at__lt=now - KEEP_REQUESTS).delete()
    return deleted
