"""Messages to leaders, through ``notifications.services.notify`` (the outbox: once per event and channel).

A leader that came from an application is told through its applicant's account (contact details of the
application). A leader imported from the alliance roster has no account here: nothing is sent and the
fact is logged, so operations can tell them another way.
"""

import logging

from django.utils import timezone

from notifications.services import notify

from .models import CheckItem
from .wording import check_label, metric_label, reason_label

logger = logging.getLogger(__name__)


def recipient_of(leader):
    """``(user, application)`` to notify, or ``(None, None)`` for a leader without an account here."""
    application = leader.application
    if application is None:
        return None, None
    return application.applicant, application


def _notify(leader, *, event, template, context):
    recipient, application = recipient_of(leader)
    if recipient is None:
        logger.info("probation: %s has no account here (imported leader): %s not notified", leader, event)
        return []
    context = {"leader": leader, "campaign": leader.campaign, **context}
    return notify(event=event, recipient=recipient, template=template, context=context, application=application)


BUILT_IN_FAMILIES = {"basic", "special", "violation"}


def check_item_names(leader, *reasons):
    """The names of the campaign's check items among the codes of ``reasons`` (code → name): one query, and
    only when a reason holds a code that is not a built-in check's, so a leader reads "七月推广活动" rather
    than ``extra:july``."""
    codes = {code for reason in reasons for code in (reason or "").split(";")
             if code and ":" in code and code.partition(":")[0] not in BUILT_IN_FAMILIES}
    if not codes:
        return None
    return dict(CheckItem.objects.filter(campaign_id=leader.campaign_id, code__in=codes).values_list("code", "name"))


def notify_closed(leader, *, event=None, revised=False):
    """The permission of ``leader`` was closed (its ``closed_at`` and ``closure_reason`` are set).

    ``revised``: it was closed already and a recheck moved the closure to another instant or other checks.
    """
    names = check_item_names(leader, leader.closure_reason)
    return _notify(
        leader,
        event=event or f"probation_closed:{leader.pk}",
        template="probation_closed",
        context={
            "closed_at": timezone.localtime(leader.closed_at),
            "reasons": [check_label(code, names) for code in leader.closure_reason.split(";") if code],
            "reason_text": reason_label(leader.closure_reason, names),
            "is_violation": leader.closure_reason.startswith("violation:"),
            "revised": revised,
        },
    )


def notify_change(leader, kind, *, sequence, cause, previous):
    """Tell the leader its net transition once (``probation.decisions``); ``sequence`` counts the leader's
    transitions into the same status, so a second closure after a reinstatement is told too."""
    if kind in {"close", "reclose"}:
        event = f"probation_closed:{leader.pk}" if sequence == 1 else f"probation_closed:{leader.pk}:{sequence}"
        return notify_closed(leader, event=event, revised=kind == "reclose")
    if kind == "reinstate":
        return _notify(
            leader,
            event=f"probation_reinstated:{leader.pk}:{sequence}",
            template="probation_reinstated",
            context={
                "retained": leader.status == "retained",
                "withdrawal": cause == "withdrawal",
                "previous_closed_at": timezone.localtime(previous.closed_at) if previous.closed_at else None,
                "previous_reason": reason_label(previous.reason, check_item_names(leader, previous.reason)),
            },
        )
    if kind == "retain":
        return _notify(leader, event=f"probation_retained:{leader.pk}", template="probation_retained", context={})
    return []


def notify_violation(leader, violation):
    """A violation recorded against a leader whose permission was already closed: the reward is void too."""
    return _notify(
        leader,
        event=f"probation_violation:{violation.pk}",
        template="probation_violation",
        context={"violation": violation, "kind": violation.get_kind_display()},
    )


def notify_at_risk(row, *, month):
    """One reminder per leader and month: the figures against the thresholds and the days left."""
    figures = [
        {"label": metric_label(f.name), "value": f.value, "threshold": f.threshold, "met": f.met}
        for f in row.figures
    ]
    return _notify(
        row.leader,
        event=f"at_risk:{row.leader.pk}:{month.month:%Y-%m}",
        template="probation_at_risk",
        context={
            "month": month.month,
            "check": check_label(month.code),
            "figures": figures,
            "short": [f for f in figures if not f["met"]],
            "days_left": row.days_left,
            "ends_at": timezone.localtime(row.ends_at),
        },
    )


def notify_rule_notice(leader, notice, changes):
    """公布规则变更: the notice staff wrote, with the changes it tells, once per leader and notice."""
    return _notify(
        leader,
        event=f"probation_rules:{notice.pk}:{leader.pk}",
        template="probation_rule_notice",
        context={"notice": notice, "changes": changes},
    )
