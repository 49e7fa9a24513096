"""Validators for identifiers used across the apps (questionnaire, imports)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the unified social credit code (统一社会信用代码) uses 31 characters
# (no I, O, Z, S, V) and ends with a check character over the first 17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(rf"^[{CREDIT_CODE_CHARSET}]{{18}}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def credit_code_check_char(first17):
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(value):
    value = (value or "").strip().upper()
    return bool(CREDIT_CODE_RE.match(value)) and credit_code_check_char(value[:17]) == value[17]


def validate_credit_code(value):
    value = (value or "").strip().upper()
    if not CREDIT_CODE_RE.match(value):
        raise ValidationError(
            _("A unified social credit code has 18 digits or capital letters (no I, O, Z, S, V)."),
            code="credit_code_format",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit does not match: please copy the code from the business licence."),
            code="credit_code_check_digit",
        )


def normalize_mobile(value):
    """Strip spaces, dashes and a +86 / 86 prefix from a mainland mobile number."""
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def validate_mobile(value):
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland China mobile number: 11 digits starting with 1."), code="mobile"
        )


# Reminder offsets (hours before a deadline): one to ten whole numbers, each 1–720 (30 days).
HOURS_LIST_RE = re.compile(r"^\s*\d+\s*(,\s*\d+\s*)*$")
MAX_REMINDER_HOURS = 720
MAX_REMINDERS = 10


def parse_hours_list(value):
    """``"72, 24"`` → ``[72, 24]``: distinct hours, largest first (``[]`` for an empty value).

    Raises ``ValueError`` for anything ``validate_hours_list`` refuses.
    """
    value = (value or "").strip()
    if not value:
        return []
    if not HOURS_LIST_RE.match(value):
        raise ValueError(value)
    hours = sorted({int(part) for part in value.split(",")}, reverse=True)
    if len(hours) > MAX_REMINDERS or hours[-1] < 1 or hours[0] > MAX_REMINDER_HOURS:
        raise ValueError(value)
    return hours


def validate_hours_list(value):
    try:
        parse_hours_list(value)
    except ValueError:
        raise ValidationError(
            _("Enter whole numbers of hours separated by commas, e.g. 72,24: at most %(count)s, each from 1 "
              "to %(max)s.") % {"count": MAX_REMINDERS, "max": MAX_REMINDER_HOURS},
            code="hours_list",
        ) from None
