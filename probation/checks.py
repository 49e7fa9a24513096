"""The registry of probation checks (DATA.md "When checks are due").

A check is one ``CheckDefinition``: its code, its due time, thresholds (data from the campaign) and a
``measure`` running one set-based query for all leaders. ``CHECK_FAMILIES`` lists, in the order of
DATA.md's table, the functions that build the built-in definitions of a campaign; the check items staff
add during probation (``CheckItem`` rows) follow, built by ``custom_checks`` from the same measures.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from . import metrics
from .enums import CheckMeasure


@dataclass(frozen=True)
class CheckDefinition:
    code: str
    due_at: datetime
    thresholds: dict
    measure: Callable  # (leaders queryset) -> {leader pk: figures dict}
    passes: Callable  # (figures dict) -> bool

    def evaluate(self, leaders):
        """``{leader pk: (passed, metrics)}`` where metrics holds the figures and the thresholds."""
        verdicts = {}
        for pk, figures in self.measure(leaders).items():
            verdicts[pk] = (bool(self.passes(figures)), _jsonable({**figures, **self.thresholds}))
        return verdicts


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def basic_monthly_checks(campaign):
    """基础项考核: one check per month, each with the month's own thresholds."""
    for month in campaign.basic_months.order_by("month"):
        thresholds = {
            "min_activities": month.min_activities,
            "min_merchants": month.min_merchants,
            "min_items": month.min_items,
            "min_gmv": month.min_gmv,
        }

        def measure(leaders, month=month):
            return metrics.basic_month(leaders, starts_at=month.starts_at, ends_at=month.ends_at)

        def passes(f, t=thresholds):
            return (
                f["activities"] >= t["min_activities"]
                and f["merchants"] >= t["min_merchants"]
                and f["items"] >= t["min_items"]
                and f["gmv"] >= t["min_gmv"]
            )

        yield CheckDefinition(month.code, month.due_at, thresholds, measure, passes)


def special_checks(campaign):
    """纳新专项考核: checkpoint, total and qualifying merchants over the 拓客先锋 activity."""

    def checkpoint(leaders):
        counts = metrics.new_merchants(
            leaders, starts_at=campaign.activity_starts_at, ends_at=campaign.checkpoint_ends_at
        )
        return {pk: {"new_merchants": n} for pk, n in counts.items()}

    def total(leaders):
        counts = metrics.new_merchants(
            leaders, starts_at=campaign.activity_starts_at, ends_at=campaign.activity_ends_at
        )
        return {pk: {"new_merchants": n} for pk, n in counts.items()}

    def qualifying(leaders):
        return {
            pk: {"qualifying_merchants": n, "new_merchants": merchants}
            for pk, (n, merchants) in metrics.qualifying_merchants(leaders, campaign).items()
        }

    yield CheckDefinition(
        "special:checkpoint",
        campaign.checkpoint_due_at,
        {"min_new_merchants": campaign.checkpoint_min_new_merchants},
        checkpoint,
        lambda f: f["new_merchants"] >= campaign.checkpoint_min_new_merchants,
    )
    yield CheckDefinition(
        "special:total",
        campaign.final_result_at,
        {"min_new_merchants": campaign.total_min_new_merchants},
        total,
        lambda f: f["new_merchants"] >= campaign.total_min_new_merchants,
    )
    yield CheckDefinition(
        "special:qualifying",
        campaign.final_result_at,
        {
            "min_qualifying_merchants": campaign.qualifying_min_merchants,
            "min_best_item_orders": campaign.best_item_min_orders,
            "min_settlement_rate_percent": campaign.settlement_rate_min_percent,
        },
        qualifying,
        lambda f: f["qualifying_merchants"] >= campaign.qualifying_min_merchants,
    )


def item_measure(item, campaign):
    """The set-based measure of a check item: one of the built-in measures over the item's window."""
    window = (item.starts_at, item.ends_at)
    name = item.measure

    def measure(leaders):
        if name == CheckMeasure.NEW_MERCHANTS:
            counts = metrics.new_merchants(leaders, starts_at=window[0], ends_at=window[1])
            return {pk: {name: n} for pk, n in counts.items()}
        if name == CheckMeasure.QUALIFYING_MERCHANTS:
            found = metrics.qualifying_merchants(leaders, campaign, window)
            return {pk: {name: n} for pk, (n, _merchants) in found.items()}
        figures = metrics.basic_month(leaders, starts_at=window[0], ends_at=window[1])
        return {pk: {name: values[name]} for pk, values in figures.items()}

    return measure


def custom_checks(campaign):
    """新增考核项: the campaign's ``CheckItem`` rows (added by staff during probation), by due time and code."""
    for item in campaign.check_items.order_by("due_at", "code"):
        threshold = item.threshold if item.measure == CheckMeasure.GMV else int(item.threshold)
        yield CheckDefinition(
            item.code, item.due_at, {f"min_{item.measure}": threshold}, item_measure(item, campaign),
            lambda f, name=item.measure, t=threshold: f[name] >= t,
        )


# The built-in checks, in the order of DATA.md's table: this order is also the order of ``failed_checks``.
CHECK_FAMILIES = [basic_monthly_checks, special_checks]


def check_definitions(campaign):
    """The built-in checks (``CHECK_FAMILIES``), then the campaign's check items."""
    built_in = [definition for family in CHECK_FAMILIES for definition in family(campaign)]
    return built_in + list(custom_checks(campaign))


def failed_checks_order(campaign):
    """A sort key for check codes in ``failed_checks``: the built-in codes in the order of DATA.md's table; a
    check item after the built-in codes due at or before its due time, then by code. Unknown codes last."""
    built_in = [definition for family in CHECK_FAMILIES for definition in family(campaign)]
    keys = {definition.code: (index, 0, "") for index, definition in enumerate(built_in)}
    for definition in custom_checks(campaign):
        before = [index for index, d in enumerate(built_in) if d.due_at <= definition.due_at]
        keys[definition.code] = (max(before, default=-1), 1, definition.code)

    def key(code):
        return keys.get(code, (len(built_in), 2, code))

    return key
