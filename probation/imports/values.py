"""Parsers of one cell value. Each returns the Python value or raises ``ValueError`` with the reason.

Cells come from CSV (always text) or XLSX (text, numbers or naive datetimes).
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from recruitment.timeutils import BEIJING, to_second
from recruitment.validators import is_valid_credit_code

from ..enums import ORDER_STATUS_ALIASES

AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value):
    """Text of a cell; an integral number from XLSX (e.g. an ID typed as a number) loses its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_text(value):
    return as_text(value)


def parse_time(value):
    """ISO 8601 or ``YYYY-MM-DD HH:MM:SS``; no offset means Beijing time. Truncated to the second."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = as_text(value)
        if len(text) < 16 or text[10] not in "T ":
            raise ValueError(_("not a time: %(value)s (expected e.g. 2024-05-12 09:00:00)") % {"value": text})
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("not a time: %(value)s (expected e.g. 2024-05-12 09:00:00)") % {"value": text}
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return to_second(moment)


def parse_amount(value):
    """Yuan, not negative, at most 2 decimals."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = str(value) if not isinstance(value, float) else repr(value)
    text = as_text(value)
    if not AMOUNT_RE.match(text):
        raise ValueError(_("not an amount in yuan with at most 2 decimals: %(value)s") % {"value": text})
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ValueError(_("not an amount: %(value)s") % {"value": text}) from None
    if amount >= Decimal("1e12"):
        raise ValueError(_("amount too large: %(value)s") % {"value": text})
    return amount


def parse_order_status(value):
    text = as_text(value)
    try:
        return ORDER_STATUS_ALIASES[text.lower()]
    except KeyError:
        raise ValueError(_("unknown order status: %(value)s") % {"value": text}) from None


def parse_credit_code(value):
    text = as_text(value).upper()
    if not is_valid_credit_code(text):
        raise ValueError(_("not a valid unified social credit code: %(value)s") % {"value": text})
    return text
