"""What a leader sees of its own probation on the status page: figures against thresholds, per check.

``leader_progress(leader, *, now)`` returns plain dicts and lists (no querysets), rendered by
``templates/probation/_progress.html``. Figures come from the data on hand, the verdicts from the
stored ``CheckResult`` rows: a month already judged shows the figures that decided it.

States of a check:
- ``passed`` / ``failed``: judged (a ``CheckResult`` exists);
- ``in_progress``: its window is running;
- ``awaiting``: its window is over and the verdict is still to come: the result is being confirmed (staff
  decide once the alliance's data for the period is marked complete; the special check's total and
  qualifying counts also wait for settlement until the final result date);
- ``upcoming``: its window has not started;
- ``not_applicable``: due before the permission was granted, or after the permission was closed.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import charts, metrics
from .board import BASIC_METRICS, days_left
from .checks import custom_checks
from .enums import CheckMeasure, LeaderStatus, ViolationKind
from .models import Leader, Merchant
from .wording import check_label, metric_label, reason_label

PASSED, FAILED, IN_PROGRESS, AWAITING, UPCOMING, NOT_APPLICABLE = (
    "passed", "failed", "in_progress", "awaiting", "upcoming", "not_applicable",
)


def _when(moment):
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s")


def _state(result, *, leader, starts_at, ends_at, due_at, now):
    if result is not None:
        return PASSED if result.passed else FAILED
    if due_at <= leader.granted_at or (leader.closed_at is not None and leader.closed_at < due_at):
        return NOT_APPLICABLE
    if now < starts_at:
        return UPCOMING
    if now <= ends_at:
        return IN_PROGRESS
    return AWAITING


def _figure(name, value, threshold, label=None):
    return {"name": name, "label": label or metric_label(name), "value": value, "threshold": threshold,
            "met": value >= threshold}


def _basic_months(leader, results, now):
    one = Leader.objects.filter(pk=leader.pk)
    months = []
    for month in leader.campaign.basic_months.order_by("month"):
        result = results.get(month.code)
        state = _state(result, leader=leader, starts_at=month.starts_at, ends_at=month.ends_at,
                       due_at=month.due_at, now=now)
        if result is not None:
            values = {name: result.metrics[name] for name, _threshold in BASIC_METRICS}
            values["gmv"] = Decimal(values["gmv"])
        elif state == UPCOMING:
            values = {"activities": 0, "merchants": 0, "items": 0, "gmv": Decimal("0.00")}
        else:
            values = metrics.basic_month(one, starts_at=month.starts_at, ends_at=month.ends_at)[leader.pk]
        months.append({
            "code": month.code,
            "month": month.month,
            "starts_at": month.starts_at,
            "ends_at": month.ends_at,
            "due_at": month.due_at,
            "state": state,
            "days_left": days_left(now, month.ends_at) if state == IN_PROGRESS else None,
            "figures": [_figure(name, values[name], getattr(month, threshold)) for name, threshold in BASIC_METRICS],
        })
    return months


def _rate(paid, settled):
    if not paid:
        return Decimal("0.0")
    return (Decimal(settled) * 100 / paid).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _special(leader, results, now):
    campaign = leader.campaign
    one = Leader.objects.filter(pk=leader.pk)
    starts, ends = campaign.activity_starts_at, campaign.activity_ends_at
    checkpoint_count = metrics.new_merchants(one, starts_at=starts, ends_at=campaign.checkpoint_ends_at)[leader.pk]
    total_count = metrics.new_merchants(one, starts_at=starts, ends_at=ends)[leader.pk]
    qualifying_count, merchants = metrics.qualifying_merchants(one, campaign)[leader.pk]
    names = dict(Merchant.objects.filter(leader=leader, campaign=campaign).values_list("merchant_id", "merchant_name"))
    opened = dict(Merchant.objects.filter(leader=leader, campaign=campaign).values_list("merchant_id", "opened_at"))

    def check(code, value, threshold, window_ends_at, due_at, label):
        state = _state(results.get(code), leader=leader, starts_at=starts, ends_at=window_ends_at, due_at=due_at,
                       now=now)
        return {
            "code": code, "state": state, "ends_at": window_ends_at, "due_at": due_at,
            "days_left": days_left(now, window_ends_at) if state == IN_PROGRESS else None,
            **_figure(code, value, threshold, label=label),
        }

    return {
        "activity_starts_at": starts,
        "activity_ends_at": ends,
        "checkpoint_ends_at": campaign.checkpoint_ends_at,
        "final_result_at": campaign.final_result_at,
        "checkpoint": check("special:checkpoint", checkpoint_count, campaign.checkpoint_min_new_merchants,
                            campaign.checkpoint_ends_at, campaign.checkpoint_due_at,
                            _("new merchants by the checkpoint")),
        "total": check("special:total", total_count, campaign.total_min_new_merchants, ends, campaign.final_result_at,
                       _("new merchants over the activity")),
        "qualifying": check("special:qualifying", qualifying_count, campaign.qualifying_min_merchants, ends,
                            campaign.final_result_at, _("reward-qualifying merchants")),
        "min_best_item_orders": campaign.best_item_min_orders,
        "min_settlement_rate_percent": campaign.settlement_rate_min_percent,
        "merchants": [
            {
                "merchant_id": m["merchant_id"],
                "merchant_name": names.get(m["merchant_id"], ""),
                "opened_at": opened[m["merchant_id"]],
                "by_checkpoint": opened[m["merchant_id"]] <= campaign.checkpoint_ends_at,
                "best_item_orders": m["best_item_orders"],
                "paid_orders": m["paid_orders"],
                "settled_orders": m["settled_orders"],
                "settlement_rate": _rate(m["paid_orders"], m["settled_orders"]),
                "stayed_out_618": m["stayed_out_618"],
                "qualifies": m["qualifies"],
            }
            for m in merchants
        ],
    }


def _check_items(leader, results, now):
    """The check items staff added (``CheckItem``): the figure over the item's window against its threshold."""
    one = Leader.objects.filter(pk=leader.pk)
    definitions = {d.code: d for d in custom_checks(leader.campaign)}
    items = []
    for item in leader.campaign.check_items.order_by("due_at", "code"):
        definition = definitions[item.code]
        result = results.get(item.code)
        state = _state(result, leader=leader, starts_at=item.starts_at, ends_at=item.ends_at, due_at=item.due_at,
                       now=now)
        if result is not None:
            value = result.metrics.get(item.measure)
        elif state in (UPCOMING, NOT_APPLICABLE):
            value = None
        else:
            value = definition.measure(one)[leader.pk][item.measure]
        threshold = definition.thresholds[f"min_{item.measure}"]
        items.append({
            "code": item.code, "name": item.name, "measure_label": CheckMeasure(item.measure).label,
            "starts_at": item.starts_at, "ends_at": item.ends_at, "due_at": item.due_at, "state": state,
            "days_left": days_left(now, item.ends_at) if state == IN_PROGRESS else None,
            "value": value, "threshold": threshold,
            "met": None if value is None else Decimal(str(value)) >= Decimal(str(threshold)),
        })
    return items


def item_names(campaign):
    """``{code: name}`` of the campaign's check items: a closure reason names them as staff did."""
    return dict(campaign.check_items.values_list("code", "name"))


def rule_changes(campaign):
    """规则变更记录 as leaders see it: when, what, from, to (not who: staff names stay in the admin)."""
    return [
        {"changed_at": change.changed_at, "what": change.what, "from_value": change.from_value,
         "to_value": change.to_value, "told_at": change.notice.published_at if change.notice else None}
        for change in campaign.rule_changes.select_related("notice").order_by("changed_at", "pk")
    ]


def _periods(months, special):
    """The running periods with their days left: the basic month, the checkpoint window, the activity."""
    periods = [
        {"label": check_label(m["code"]), "ends_at": m["ends_at"], "days_left": m["days_left"]}
        for m in months if m["state"] == IN_PROGRESS
    ]
    for key in ("checkpoint", "total"):
        item = special[key]
        if item["state"] == IN_PROGRESS:
            label = _("special-check checkpoint") if key == "checkpoint" else _("拓客先锋 activity")
            periods.append({"label": label, "ends_at": item["ends_at"], "days_left": item["days_left"]})
    return periods


def _confirming(months, special, now, check_items=()):
    """The checks past their due time whose result is still being confirmed (the data is not yet marked
    complete, or the scheduled job is about to decide): the leader's page says so rather than nothing."""
    items = [*months, *(special[key] for key in ("checkpoint", "total", "qualifying")), *check_items]
    return [item.get("name") or check_label(item["code"]) for item in items
            if item["state"] == AWAITING and item["due_at"] <= now]


def closure_rules(campaign):
    """What closes the permission, in plain words, with this campaign's dates and thresholds."""
    months = "、".join(f"{m.month:%Y-%m}" for m in campaign.basic_months.order_by("month"))
    kinds = "、".join(str(label) for label in ViolationKind.labels)
    return [
        _("Basic check: in each month (%(months)s) the new promotion activities, merchants recruited, items "
          "recruited and GMV must all reach the month's thresholds. A month below any of them closes the "
          "permission at the start of the next month.") % {"months": months},
        _("New-merchant special check, checkpoint: fewer than %(n)d new merchants opened from %(start)s to "
          "%(end)s closes the permission at %(due)s.") % {
            "n": campaign.checkpoint_min_new_merchants, "start": _when(campaign.activity_starts_at),
            "end": _when(campaign.checkpoint_ends_at), "due": _when(campaign.checkpoint_due_at)},
        _("New-merchant special check, final result: fewer than %(total)d new merchants over the whole activity "
          "(%(start)s to %(end)s), or fewer than %(qualifying)d reward-qualifying merchants, closes the permission "
          "at %(due)s.") % {
            "total": campaign.total_min_new_merchants, "qualifying": campaign.qualifying_min_merchants,
            "start": _when(campaign.activity_starts_at), "end": _when(campaign.activity_ends_at),
            "due": _when(campaign.final_result_at)},
        _("A new merchant is one that opened Taobaoke inside the activity, introduced by you; one opened before "
          "the activity start never counts. It qualifies when one of its items has at least %(x)d orders "
          "promoted by you in the activity, its effective settlement rate (settled orders / paid orders) is at "
          "least %(y)s%%, and it did not stay out of Taobaoke for the whole 618 window (%(start)s to %(end)s).")
        % {"x": campaign.best_item_min_orders, "y": f"{campaign.settlement_rate_min_percent.normalize():f}",
           "start": _when(campaign.window_618_starts_at), "end": _when(campaign.window_618_ends_at)},
        *(_("Check item %(name)s (%(code)s): %(measure)s from %(start)s to %(end)s below %(threshold)s closes the "
            "permission at %(due)s.") % {
            "name": item.name, "code": item.code, "measure": CheckMeasure(item.measure).label,
            "start": _when(item.starts_at), "end": _when(item.ends_at), "threshold": item.threshold_text,
            "due": _when(item.due_at)} for item in campaign.check_items.order_by("due_at", "code")),
        _("A violation (%(kinds)s) closes the permission at once and voids the activity rewards.") % {"kinds": kinds},
        _("An account whose permission is closed cannot apply again in this round."),
    ]


def leader_progress(leader, *, now):
    """The status page's view of ``leader``'s probation at ``now`` (see the module docstring)."""
    results = {result.code: result for result in leader.check_results.all()}
    try:
        with metrics.waiting_at_most():
            months = _basic_months(leader, results, now)
            special = _special(leader, results, now)
            check_items = _check_items(leader, results, now)
    except metrics.FiguresBusy:
        months, special, check_items = [], None, []
    progress = {
        "busy": special is None,
        "leader_account": leader.leader_account,
        "status": leader.status,
        "status_label": LeaderStatus(leader.status).label,
        "closed_at": leader.closed_at,
        "closure_reason": reason_label(leader.closure_reason, item_names(leader.campaign))
        if leader.closure_reason else "",
        "basic_months": months,
        "special": special,
        "periods": _periods(months, special) if special is not None else [],
        "confirming": _confirming(months, special, now, check_items) if special is not None else [],
        "check_items": check_items,
        "closure_rules": closure_rules(leader.campaign),
        "rule_changes": rule_changes(leader.campaign),
    }
    progress["charts"] = charts.leader_charts(progress)
    return progress
