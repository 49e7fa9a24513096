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
