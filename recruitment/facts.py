"""The campaign's facts as the applicant reads them: months, windows and thresholds, from the data.

The home page, the status page and the notices word a campaign's rules with these values, never with
text written into a template ("5–7 月", "618"), so the next round shows its own months and thresholds
without a code change. ``campaign_facts`` reads the ``BasicCheckMonth`` rows once.
"""

from dataclasses import dataclass
from datetime import datetime

from .timeutils import instant_text


@dataclass(frozen=True)
class MonthFacts:
    month: str  # "2025-05"
    min_activities: int
    min_merchants: int
    min_items: int
    min_gmv: str  # "10000", "12500.5"


@dataclass(frozen=True)
class CampaignFacts:
    months: tuple  # of MonthFacts, in order
    activity_starts_at: datetime
    activity_ends_at: datetime
    window_618_starts_at: datetime
    window_618_ends_at: datetime
    checkpoint_ends_at: datetime
    checkpoint_min_new_merchants: int
    total_min_new_merchants: int
    qualifying_min_merchants: int
    best_item_min_orders: int  # X
    settlement_rate_min_percent: str  # Y, "60", "62.5"

    @property
    def months_text(self):
        """The basic-check months in order, ``2024-05、2024-06、2024-07`` (empty when none is set)."""
        return "、".join(month.month for month in self.months)

    @property
    def activity_text(self):
        return f"{instant_text(self.activity_starts_at)} – {instant_text(self.activity_ends_at)}"

    @property
    def window_618_text(self):
        return f"{instant_text(self.window_618_starts_at)} – {instant_text(self.window_618_ends_at)}"


def _number(value):
    """A decimal without trailing zeros: 10000.00 → "10000", 62.50 → "62.5"."""
    return f"{value.normalize():f}"


def campaign_facts(campaign):
    """Every fact the applicant-facing pages and notices state about ``campaign`` (one query)."""
    months = tuple(
        MonthFacts(
            month=f"{row.month:%Y-%m}", min_activities=row.min_activities, min_merchants=row.min_merchants,
            min_items=row.min_items, min_gmv=_number(row.min_gmv),
        )
        for row in campaign.basic_months.order_by("month")
    )
    return CampaignFacts(
        months=months,
        activity_starts_at=campaign.activity_starts_at,
        activity_ends_at=campaign.activity_ends_at,
        window_618_starts_at=campaign.window_618_starts_at,
        window_618_ends_at=campaign.window_618_ends_at,
        checkpoint_ends_at=campaign.checkpoint_ends_at,
        checkpoint_min_new_merchants=campaign.checkpoint_min_new_merchants,
        total_min_new_merchants=campaign.total_min_new_merchants,
        qualifying_min_merchants=campaign.qualifying_min_merchants,
        best_item_min_orders=campaign.best_item_min_orders,
        settlement_rate_min_percent=_number(campaign.settlement_rate_min_percent),
    )
