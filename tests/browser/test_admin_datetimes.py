"""The admin's clock shortcut with the seconds widget (recruitment.admin_widgets), in a real browser.

The shortcut writes the language's first time format (HH:MM in zh-hans); the field accepts it, stores
HH:MM:00 and shows the seconds again after the save, and the deadlines not touched keep their 23:59:59.
"""

import pytest

from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import CampaignFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret-pass-2024"


def test_the_clock_shortcut_sets_a_time_and_untouched_deadlines_keep_their_seconds(live_server, page):
    campaign = CampaignFactory()
    UserFactory(username="root", is_staff=True, is_superuser=True)
    change = f"{live_server.url}/admin/recruitment/campaign/{campaign.pk}/change/"
    page.goto(f"{live_server.url}/admin/login/?next=/admin/recruitment/campaign/{campaign.pk}/change/")
    page.fill("[name=username]", "root")
    page.fill("[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(change)
    assert page.input_value("#id_application_closes_at_1") == "23:59:59"

    page.click("#id_results_published_at_1 ~ .datetimeshortcuts a[id^=clocklink]")
    page.click(".clockbox:visible >> text=正午")
    assert page.input_value("#id_results_published_at_1") == "12:00"
    page.click("input[name=_continue]")
    page.wait_for_url(change)

    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.results_published_at, campaign.application_closes_at, campaign.checkpoint_ends_at) == (
        beijing(2024, 5, 6, 12, 0, 0), beijing(2024, 4, 25, 23, 59, 59), beijing(2024, 5, 31, 23, 59, 59)
    )
    assert page.input_value("#id_results_published_at_1") == "12:00:00"
