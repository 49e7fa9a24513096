"""The registry of probation checks (DATA.md "When checks are due").

A check is one ``CheckDefinition``: its code, its due time, thresholds (data from the campaign) and a
``measure`` running one set-based query for all leaders. ``CHECK_FAMILIES`` lists, in the order of
DATA.md's table, the functions that build the definitions of a campaign; adding a check item means
adding one such function.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from . import metrics


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


# In the order of DATA.md's table: this order is also the order of ``failed_checks`` in the report.
CHECK_FAMILIES = [basic_monthly_checks, special_checks]


def check_definitions(campaign):
    return [definition for family in CHECK_FAMILIES for definition in family(campaign)]
