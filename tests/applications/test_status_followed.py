"""The status page follows a leader's probation after publication, even when another campaign is current."""

from datetime import date

import pytest
import time_machine

from applications.enums import ApplicationStatus, PendingDecision
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, CampaignFactory
from tests.probation.factories import LeaderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def selected_leader(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 6, 9))
    application = ApplicationFactory(
        campaign=campaign, status=ApplicationStatus.SELECTED, pending_decision=PendingDecision.SELECTED,
        submitted_at=beijing(2024, 4, 20, 10),
    )
    leader = LeaderFactory(
        campaign=campaign, leader_account=application.alliance_account, application=application,
        granted_at=beijing(2024, 5, 6, 9),
    )
    return application, leader


def test_status_shows_the_probation_of_a_selected_leader(client, selected_leader):
    application, leader = selected_leader
    client.force_login(application.applicant)

    with time_machine.travel(beijing(2024, 5, 15, 12), tick=False):
        html = client.get("/status/").content.decode()

    assert 'id="probation"' in html
    assert f"账号 {leader.leader_account}" in html
    assert "已入选" in html


def test_status_of_a_not_selected_applicant_has_no_probation(client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(published_at=beijing(2024, 5, 6, 9))
    application = ApplicationFactory(campaign=campaign, status=ApplicationStatus.NOT_SELECTED)
    client.force_login(application.applicant)

    with time_machine.travel(beijing(2024, 5, 15, 12), tick=False):
        html = client.get("/status/").content.decode()

    assert 'id="probation"' not in html
    assert "未入选" in html


def test_status_follows_the_leader_when_a_new_campaign_is_current(client, selected_leader):
    application, leader = selected_leader
    Campaign.objects.update(is_current=False)
    CampaignFactory(
        slug="nx3", name="纳新 3.0", is_current=True, application_opens_at=beijing(2024, 7, 1),
        application_closes_at=beijing(2024, 7, 31, 23, 59, 59), probation_starts_on=date(2024, 9, 1),
    )
    client.force_login(application.applicant)

    with time_machine.travel(beijing(2024, 7, 10, 12), tick=False):
        html = client.get("/status/").content.decode()
        overview = client.get("/apply/overview/")

    assert 'id="probation"' in html
    assert overview.status_code == 200
    assert application.company_name in overview.content.decode()


def test_status_keeps_the_current_campaign_apart_from_the_followed_one(client, selected_leader):
    application, _leader = selected_leader
    Campaign.objects.update(is_current=False)
    next_campaign = CampaignFactory(slug="nx3", name="纳新 3.0", is_current=True)
    client.force_login(application.applicant)

    response = client.get("/status/")

    assert (response.context["campaign"], response.context["current_campaign"]) == (
        application.campaign, next_campaign,
    )


def test_status_takes_the_current_campaign_from_the_application_in_it(client, campaign, applicant, draft):
    client.force_login(applicant)

    response = client.get("/status/")

    assert response.context["application"] == draft
    assert response.context["campaign"] is response.context["current_campaign"]
    assert response.context["current_campaign"] == campaign
