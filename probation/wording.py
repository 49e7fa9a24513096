"""Check codes and closure reasons in plain words, for leaders' messages, the status page and the board."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import ViolationKind

KIND_LABELS = {
    "leaders": gettext_lazy("Leaders (roster of accounts in probation)"),
    "merchants": gettext_lazy("Merchants (Taobaoke opening, introducing leader)"),
    "merchant_exits": gettext_lazy("Merchant exits from Taobaoke"),
    "activities": gettext_lazy("Promotion activities"),
    "enrollments": gettext_lazy("Enrolments (items approved into activities)"),
    "orders": gettext_lazy("Orders (sub-orders with payment and settlement)"),
}

METRIC_LABELS = {
    "activities": lambda: _("new promotion activities"),
    "merchants": lambda: _("merchants recruited"),
    "items": lambda: _("items recruited"),
    "gmv": lambda: _("GMV (yuan)"),
    "new_merchants": lambda: _("new merchants"),
    "qualifying_merchants": lambda: _("reward-qualifying merchants"),
    "best_item_orders": lambda: _("orders of the best item at least"),
    "settlement_rate_percent": lambda: _("settlement rate at least (%)"),
}


def metric_label(name):
    label = METRIC_LABELS.get(name)
    return label() if label else name


def figure_rows(figures):
    """The stored figures of a verdict (``{"gmv": "9000.00", "min_gmv": "10000.00", …}``) as rows
    ``{"label", "value", "threshold", "met"}``; a threshold without its figure (X and Y of the qualifying
    check) is a row with no value. Lists (the per-merchant detail) are left out."""
    rows = []
    for key, value in figures.items():
        if key.startswith("min_") or isinstance(value, list | dict):
            continue
        threshold = figures.get(f"min_{key}")
        met = None if threshold is None else _number(value) >= _number(threshold)
        rows.append({"label": metric_label(key), "value": value, "threshold": threshold, "met": met})
    for key, value in figures.items():
        if key.startswith("min_") and key[4:] not in figures:
            rows.append({"label": metric_label(key[4:]), "value": None, "threshold": value, "met": None})
    return rows


def _number(value):
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def check_label(code, names=None):
    """``basic:2024-05`` → "basic check of 2024-05"; a check item's code → its name when ``names`` (code →
    name) has it; unknown codes are returned as they are."""
    if names and code in names:
        return names[code]
    family, _sep, rest = code.partition(":")
    if family == "basic":
        return _("basic check of %(month)s") % {"month": rest}
    if code == "special:checkpoint":
        return _("new-merchant special check: checkpoint")
    if code == "special:total":
        return _("new-merchant special check: new merchants over the activity")
    if code == "special:qualifying":
        return _("new-merchant special check: reward-qualifying merchants")
    if code == "all checks passed":  # the reason stored when a leader is retained at probation end
        return _("all checks passed")
    if family == "violation":
        try:
            return _("violation: %(kind)s") % {"kind": ViolationKind(rest).label}
        except ValueError:
            return code
    return code


def reason_label(reason, names=None):
    """A closure reason (``basic:2024-05;special:checkpoint``) in plain words, joined by "；"."""
    return "；".join(check_label(code, names) for code in reason.split(";") if code)
