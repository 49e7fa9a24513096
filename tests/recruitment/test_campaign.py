from datetime import date
from decimal import Decimal

import pytest

from recruitment.models import Campaign
from recruitment.timeutils import beijing

pytestmark = pytest.mark.django_db


def test_migration_creates_the_2024_campaign_with_its_defaults():
    campaign = Campaign.objects.get(slug="2024-nx2")

    assert campaign.is_current is True
    assert campaign.application_opens_at == beijing(2024, 4, 1)
    assert campaign.application_closes_at == beijing(2024, 4, 25, 23, 59, 59)
    assert campaign.results_published_at == beijing(2024, 5, 6)
    assert campaign.seats == 50
    assert campaign.checkpoint_due_at == beijing(2024, 6, 1)
    assert campaign.probation_end_instant == beijing(2024, 9, 1)
    assert campaign.settlement_rate_min_percent == Decimal("60")
    months = [(m.code, m.min_activities, m.min_merchants, m.min_items, m.min_gmv, m.due_at)
              for m in campaign.basic_months.all()]
    assert months == [
        ("basic:2024-05", 1, 3, 10, Decimal("10000.00"), beijing(2024, 6, 1)),
        ("basic:2024-06", 1, 3, 10, Decimal("10000.00"), beijing(2024, 7, 1)),
        ("basic:2024-07", 1, 3, 10, Decimal("10000.00"), beijing(2024, 8, 1)),
    ]
    assert campaign.probation_starts_on == date(2024, 5, 1)


def test_accepts_applications_inclusive_to_the_last_second(campaign):
    assert campaign.accepts_applications(beijing(2024, 3, 31, 23, 59, 59)) is False
    assert campaign.accepts_applications(beijing(2024, 4, 1, 0, 0, 0)) is True
    assert campaign.accepts_applications(beijing(2024, 4, 25, 23, 59, 59).replace(microsecond=999999)) is True
    assert campaign.accepts_applications(beijing(2024, 4, 26, 0, 0, 0)) is False
