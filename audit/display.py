"""An audit event's details in words, for the admin (the stored JSON keeps its keys and codes).

``details`` is whatever the deciding code passed to ``audit.services.record``: counts, the decision, the
reason, codes (check codes, rule codes, a violation's kind). Each key is shown by its label and each known
code by its name; a key without a label is shown as it is, so a new key shows up (and the test of English
leftovers names it) until it gets one.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DETAIL_LABELS = {
    "application": _("application"),
    "basic_months": _("basic check months"),
    "checklist_items": _("round-1 checklist items"),
    "assessment": _("risk assessment"),
    "cause": _("cause"),
    "changed": _("verdicts changed"),
    "channel": _("channel"),
    "checked_items": _("checklist items ticked"),
    "checklist_waiver": _("reason to pass without the checklist"),
    "closed": _("permissions closed"),
    "closes_permission": _("closes the permission"),
    "created": _("rows created"),
    "decided_until": _("decided until"),
    "errors": _("errors"),
    "failed_rules": _("failed rules"),
    "file": _("file"),
    "filing_deadline": _("filing deadline"),
    "format": _("format"),
    "from": _("from"),
    "kind": _("kind"),
    "leaders": _("leaders"),
    "model": _("data"),
    "months": _("months shifted"),
    "new": _("new verdicts"),
    "missing_members": _("members whose sheets were missing"),
    "not_selected": _("not selected"),
    "note": _("note"),
    "ok": _("succeeded"),
    "outcome": _("outcome"),
    "override_reason": _("override reason"),
    "passed": _("passed"),
    "phone_task": _("phone notification"),
    "reason": _("reason"),
    "reclosed": _("closed again"),
    "recipient": _("recipient"),
    "reinstated": _("permissions reinstated"),
    "retained": _("retained"),
    "risk_rules": _("risk rules"),
    "rubric": _("rubric criteria"),
    "custom_questions": _("custom questions"),
    "check_items": _("check items"),
    "rows": _("rows"),
    "scores": _("scores"),
    "selected": _("selected"),
    "set_aside": _("verdicts set aside"),
    "source": _("copied from"),
    "to": _("to"),
    "totals": _("totals"),
    "unreadable": _("file unreadable"),
    "up_to": _("data up to"),
    "updated": _("rows updated"),
    "via": _("via"),
    "violation": _("violation"),
    "weighted_score": _("weighted score"),
}

CAUSES = {
    "decide": _("checks decided on the confirmed data"),
    "recheck": _("recheck on the latest data"),
    "violation": _("violation recorded"),
    "withdrawal": _("violation withdrawn"),
}

VIA = {"action": _("list action"), "ranking": _("ranking page")}


# How the apps above this one name their codes, by detail key (``register_code_names``): audit sits at the
# bottom of the layers and cannot import them.
CODE_NAMERS = {}


def register_code_names(key, namer):
    """Show the codes stored under ``key`` as ``namer(code)``; called from the owning app's ``AppConfig.ready``."""
    CODE_NAMERS[key] = namer


def _code(key, value):
    """A code by its name where the key says what kind of code it is."""
    if key == "cause":
        return CAUSES.get(value, value)
    if key == "via":
        return VIA.get(value, value)
    namer = CODE_NAMERS.get(key)
    return namer(value) if namer is not None else value


def choice_label(enum, value):
    """``value``'s label in the ``TextChoices`` ``enum``, or the value itself when it is not one of them."""
    try:
        return enum(value).label
    except ValueError:
        return value


def _moment(value):
    """An ISO time written by the deciding code, in Beijing time with seconds."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def value_text(key, value):
    if value is None or value == "" or value == [] or value == "-":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return "、".join(str(value_text(key, item)) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{label_of(k)}：{value_text(k, v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        return _moment(value)
    return str(_code(key, value)) if isinstance(value, str) else str(value)


def label_of(key):
    return DETAIL_LABELS.get(key, key)


def details_html(details):
    """One line per key: "label：value"."""
    if not details:
        return "—"
    return format_html_join("", "<div>{}：{}</div>", ((label_of(k), value_text(k, v)) for k, v in details.items()))
