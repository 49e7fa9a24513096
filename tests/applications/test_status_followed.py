"""The status page follows a leader's probation after publication, even when another campaign is current."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application, StatusChange
from notifications.models import Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, CampaignFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import resident_id

FILING_FORM = {
    "legal_representative": "王芳", "legal_representative_id_number": resident_id(5),
    "registered_address": "杭州市余杭区", "business_address": "杭州市余杭区",
    "settlement_account_name": "杭州拓客网络科技有限公司", "associated_accounts_confirmed": "on",
    "rules_accepted": "on",
}

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


# --- GET never writes; the status page lists every application and leader role ---------------------------


@pytest.fixture
def next_campaign(campaign):
    Application.objects.update(created_at=beijing(2024, 4, 10, 9))  # applications of the 2024 campaign
    Campaign.objects.update(is_current=False)
    return CampaignFactory(
        slug="nx3", name="纳新 3.0", is_current=True, application_opens_at=beijing(2024, 7, 1),
        application_closes_at=beijing(2024, 7, 31, 23, 59, 59), probation_starts_on=date(2024, 9, 1),
    )


def test_my_application_of_a_leader_creates_no_draft_and_keeps_the_probation(client, selected_leader, next_campaign):
    application, _leader = selected_leader
    client.force_login(application.applicant)

    with time_machine.travel(beijing(2024, 7, 10, 12), tick=False):
        start = client.get("/apply/")
        status = client.get("/status/")

    assert start.status_code == 200
    assert 'id="btn-start-application"' in start.content.decode()
    assert list(Application.objects.filter(applicant=application.applicant)) == [application]
    assert [(e["kind"], e["campaign"]) for e in status.context["entries"]] == [
        ("start", next_campaign), ("application", application.campaign),
    ]
    html = status.content.decode()
    assert 'id="probation"' in html
    assert f'href="{reverse("applications:apply")}" id="btn-start">开始申请</a>' in html
    assert 'id="status-text-2"><span class="badge badge-ok">已入选</span>' in html


def test_status_lists_every_application_newest_first_with_the_leader_role(client, selected_leader, next_campaign):
    application, leader = selected_leader
    client.force_login(application.applicant)
    with time_machine.travel(beijing(2024, 7, 10, 12), tick=False):
        client.post("/apply/")  # 开始填写 in the new campaign
        status = client.get("/status/")
    draft = Application.objects.get(applicant=application.applicant, campaign=next_campaign)

    html = status.content.decode()
    assert [e["application"] for e in status.context["entries"]] == [draft, application]
    assert html.index('id="status-text"><span class="badge badge-warn">草稿</span>') < html.index(
        'id="status-text-2"><span class="badge badge-ok">已入选</span>'
    )
    assert 'id="probation"' in html
    assert f"账号 {leader.leader_account}" in html
    assert f'href="/apply/overview/?application={application.pk}" id="link-answers-2"' in html


def test_status_keeps_the_filing_form_of_an_application_in_an_earlier_campaign(client, campaign, next_campaign):
    filing_app = ApplicationFactory(campaign=campaign, status=ApplicationStatus.FILING,
                                    submitted_at=beijing(2024, 4, 20, 10))
    Application.objects.filter(pk=filing_app.pk).update(created_at=beijing(2024, 4, 10, 9))
    client.force_login(filing_app.applicant)
    with time_machine.travel(beijing(2024, 7, 10, 12), tick=False):
        client.post("/apply/")
        html = client.get("/status/").content.decode()

    assert 'id="filing-form-2"' in html
    assert f'<input type="hidden" name="application" value="{filing_app.pk}">' in html
    assert 'id="supplementary-form-2"' in html


def test_an_action_names_its_application(client, campaign, next_campaign):
    filing_app = ApplicationFactory(campaign=campaign, status=ApplicationStatus.FILING,
                                    submitted_at=beijing(2024, 4, 20, 10))
    Application.objects.filter(pk=filing_app.pk).update(created_at=beijing(2024, 4, 10, 9))
    client.force_login(filing_app.applicant)
    with time_machine.travel(beijing(2024, 7, 10, 12), tick=False):
        client.post("/apply/")
        response = client.post(reverse("reviews:filing"), {"application": str(filing_app.pk), **FILING_FORM})

    filing_app.refresh_from_db()
    assert response["Location"] == reverse("applications:status")
    assert filing_app.status == ApplicationStatus.RISK_REVIEW


def test_get_pages_write_nothing(client, campaign, applicant, inside_window):
    client.force_login(applicant)
    before = (Application.objects.count(), StatusChange.objects.count(), Notification.objects.count())

    for url in ("/apply/", "/status/", "/apply/overview/", "/apply/identity/", "/status/withdraw/"):
        client.get(url, follow=True)

    assert (Application.objects.count(), StatusChange.objects.count(), Notification.objects.count()) == before
