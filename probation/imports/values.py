"""Parsers of one cell value. Each returns the Python value or raises ``ValueError`` with the reason.

Cells come from CSV (always text) or XLSX (text, numbers or naive datetimes). A value quoted in a
reason is shown with its control characters escaped and cut at ``SHOWN`` characters.
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from recruitment.timeutils import BEIJING, to_second
from recruitment.validators import is_valid_credit_code

from ..enums import ORDER_STATUS_ALIASES

AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")
# Text a spreadsheet would run as a formula when the value is exported (OWASP): refused in every text
# column (accounts, ids, names). TAB and CR are control characters, refused anywhere in the value.
FORMULA_START = ("=", "+", "-", "@")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Times outside these years are typing errors (0001-01-01, 9999-12-31) that no later step could read.
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=BEIJING)
LATEST = datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=BEIJING)
SHOWN = 80


def shown(text):
    """``text`` as a reason quotes it: control characters as ``\\xNN``, at most ``SHOWN`` characters."""
    text = str(text)
    cut = text[:SHOWN] + ("…" if len(text) > SHOWN else "")
    return CONTROL_RE.sub(lambda match: f"\\x{ord(match.group()):02x}", cut)


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value):
    """Text of a cell; an integral number from XLSX (e.g. an ID typed as a number) loses its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_text(value):
    """An account, id or name: no control character anywhere, no formula start (``P-01`` is fine)."""
    if isinstance(value, str) and (control := CONTROL_RE.search(value)):
        raise ValueError(_("holds a control character (U+%(code)04X): %(value)s")
                         % {"code": ord(control.group()), "value": shown(value)})
    text = as_text(value)
    if text.startswith(FORMULA_START):
        raise ValueError(_("begins with %(char)s, which a spreadsheet would run as a formula: %(value)s")
                         % {"char": text[0], "value": shown(text)})
    return text


def parse_time(value):
    """ISO 8601 or ``YYYY-MM-DD HH:MM:SS``; no offset means Beijing time. Truncated to the second, then
    refused outside 2000-01-01 00:00:00 – 2100-12-31 23:59:59 Beijing time."""
    if isinstance(value, datetime):
        moment, text = value, value.isoformat(sep=" ")
    else:
        text = as_text(value)
        if len(text) < 16 or text[10] not in "T ":
            raise ValueError(_("not a time: %(value)s (expected e.g. 2024-05-12 09:00:00)") % {"value": shown(text)})
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("not a time: %(value)s (expected e.g. 2024-05-12 09:00:00)") % {"value": shown(text)}
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    moment = to_second(moment)
    # The year first: comparing year 1 or 9999 across zones could overflow.
    if not FIRST_YEAR - 1 <= moment.year <= LAST_YEAR + 1 or not EARLIEST <= moment <= LATEST:
        raise ValueError(_("time out of range: %(value)s (expected a time from %(first)s to %(last)s, Beijing time)")
                         % {"value": shown(text), "first": "2000-01-01 00:00:00", "last": "2100-12-31 23:59:59"})
    return moment


def parse_amount(value):
    """Yuan, not negative, at most 2 decimals."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = str(value) if not isinstance(value, float) else repr(value)
    text = as_text(value)
    if not AMOUNT_RE.match(text):
        if text.startswith("-") and AMOUNT_RE.match(text[1:]):
            raise ValueError(_("negative amount: %(value)s (a paid amount is 0 or more yuan)") % {"value": shown(text)})
        raise ValueError(_("not an amount in yuan with at most 2 decimals: %(value)s") % {"value": shown(text)})
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ValueError(_("not an amount: %(value)s") % {"value": shown(text)}) from None
    if amount >= Decimal("1e12"):
        raise ValueError(_("amount too large: %(value)s") % {"value": shown(text)})
    return amount


def parse_order_status(value):
    text = as_text(value)
    try:
        return ORDER_STATUS_ALIASES[text.lower()]
    except KeyError:
        raise ValueError(_("unknown order status: %(value)s") % {"value": shown(text)}) from None


def parse_credit_code(value):
    text = as_text(value).upper()
    if not is_valid_credit_code(text):
        raise ValueError(_("not a valid unified social credit code: %(value)s") % {"value": shown(text)})
    return text
