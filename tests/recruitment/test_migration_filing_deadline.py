"""recruitment 0006: the filing deadline each campaign already in the database gets."""

from importlib import import_module

import pytest

from recruitment.timeutils import beijing
from tests.factories import CampaignFactory

migration = import_module("recruitment.migrations.0006_filing_deadline")


def test_the_2024_campaign_files_until_two_days_after_its_window():
    assert migration.deadline_for(CampaignFactory.build()) == beijing(2024, 4, 27, 23, 59, 59)


@pytest.mark.parametrize(("closes", "results", "deadline"), [
    (beijing(2025, 4, 25, 23, 59, 59), beijing(2025, 5, 6), beijing(2025, 4, 27, 23, 59, 59)),
    # Results two days after the window: one second before them, never after.
    (beijing(2025, 4, 25, 23, 59, 59), beijing(2025, 4, 27, 12), beijing(2025, 4, 27, 11, 59, 59)),
])
def test_another_campaign_gets_the_same_offset_from_its_own_window_but_before_its_results(closes, results, deadline):
    campaign = CampaignFactory.build(slug="2025-nx3", application_closes_at=closes, results_published_at=results)

    assert migration.deadline_for(campaign) == deadline
