"""Check codes and closure reasons in plain words, for leaders' messages, the status page and the board."""

from django.utils.translation import gettext as _

from .enums import ViolationKind

METRIC_LABELS = {
    "activities": lambda: _("new promotion activities"),
    "merchants": lambda: _("merchants recruited"),
    "items": lambda: _("items recruited"),
    "gmv": lambda: _("GMV (yuan)"),
}


def metric_label(name):
    return METRIC_LABELS[name]()


def check_label(code):
    """``basic:2024-05`` → "basic check of 2024-05"; unknown codes are returned as they are."""
    family, _sep, rest = code.partition(":")
    if family == "basic":
        return _("basic check of %(month)s") % {"month": rest}
    if code == "special:checkpoint":
        return _("new-merchant special check: checkpoint")
    if code == "special:total":
        return _("new-merchant special check: new merchants over the activity")
    if code == "special:qualifying":
        return _("new-merchant special check: reward-qualifying merchants")
    if family == "violation":
        try:
            return _("violation: %(kind)s") % {"kind": ViolationKind(rest).label}
        except ValueError:
            return code
    return code


def reason_label(reason):
    """A closure reason (``basic:2024-05;special:checkpoint``) in plain words, joined by "；"."""
    return "；".join(check_label(code) for code in reason.split(";") if code)
