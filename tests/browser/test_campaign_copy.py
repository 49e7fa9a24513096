"""复制为新一轮 in a real browser: the campaign admin copies the 2024 campaign to 2025, sets the 618 window by
hand on the confirmation form, and lands on the new campaign's page; the form pages pass axe."""

from datetime import date

import pytest

from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews.roles import CAMPAIGN_ADMIN
from tests.browser.axe import blocking_violations
from tests.factories import BasicCheckMonthFactory, CampaignFactory
from tests.reviews.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret-pass-2024"


def test_the_campaign_admin_copies_the_2024_campaign_to_2025(live_server, page):
    campaign = CampaignFactory()
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=date(2024, month, 1))
    staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin")
    change = f"/admin/recruitment/campaign/{campaign.pk}/change/"
    page.goto(f"{live_server.url}/admin/login/?next={change}")
    page.fill("[name=username]", "campaign-admin")
    page.fill("[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{live_server.url}{change}")

    page.click("#campaign-copy-link")
    assert blocking_violations(page) == []
    page.fill("[name=name]", "纳新 3.0（2025）")
    page.fill("[name=slug]", "2025-nx3")
    page.click("[name=_preview]")
    assert page.input_value("[name=window_618_starts_at]") == "2025-05-20 20:00:00"
    assert page.inner_text("#copy-filing_deadline td:nth-child(2)") == "2024-04-27 23:59:59"
    assert blocking_violations(page) == []
    page.fill("[name=window_618_starts_at]", "2025-05-13 20:00:00")
    page.fill("[name=window_618_ends_at]", "2025-06-18 23:59:59")
    page.click("[name=_confirm]")

    new = Campaign.objects.get(slug="2025-nx3")
    page.wait_for_url(f"{live_server.url}/admin/recruitment/campaign/{new.pk}/change/")
    assert (new.window_618_starts_at, new.window_618_ends_at, new.application_closes_at) == (
        beijing(2025, 5, 13, 20), beijing(2025, 6, 18, 23, 59, 59), beijing(2025, 4, 25, 23, 59, 59))
    assert list(new.basic_months.values_list("month", flat=True)) == [
        date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)]
    assert "已根据" in page.inner_text(".messagelist")
