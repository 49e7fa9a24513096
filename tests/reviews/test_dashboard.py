"""The staff dashboard on the admin index: funnel, seats, deadlines and queue counts of the current campaign."""

from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus, PendingDecision
from recruitment.timeutils import beijing
from reviews import round1
from reviews.enums import CallOutcome
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, CampaignFactory, UserFactory
from tests.reviews.factories import (
    FinalReviewApplicationFactory,
    PhoneTaskFactory,
    ScoreSheetFactory,
    judge_of,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
INDEX = "admin:index"


@pytest.fixture
def pipeline(campaign):
    """Applications of the current campaign in several states, and one of another campaign."""
    for status, count in [
        (S.DRAFT, 2), (S.SUBMITTED, 3), (S.FILING, 1), (S.RISK_REVIEW, 2), (S.RISK_REJECTED, 1), (S.WITHDRAWN, 1),
    ]:
        ApplicationFactory.create_batch(count, campaign=campaign, status=status)
    finalists = FinalReviewApplicationFactory.create_batch(4, campaign=campaign)
    finalists[0].pending_decision = PendingDecision.SELECTED
    finalists[1].pending_decision = PendingDecision.SELECTED
    finalists[2].pending_decision = PendingDecision.NOT_SELECTED
    for application in finalists[:3]:
        application.save(update_fields=["pending_decision"])
    ApplicationFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False), status=S.SUBMITTED)
    return finalists


def dashboard_of(client, role=None, user=None, at=None):
    client.force_login(user or staff_with_role(role))
    with time_machine.travel(at or beijing(2024, 4, 20, 10), tick=False):
        response = client.get(reverse(INDEX))
    assert response.status_code == 200
    return response, response.context.get("dashboard")


def changelist(**filters):
    return f"{reverse('admin:applications_application_changelist')}?{urlencode(filters)}"


def test_funnel_counts_each_state_of_the_current_campaign_with_links(client, campaign, pipeline):
    response, dashboard = dashboard_of(client, CAMPAIGN_ADMIN)

    assert [(step.label, step.count) for step in dashboard["funnel"]] == [
        (S.DRAFT.label, 2), (S.SUBMITTED.label, 3), (S.WITHDRAWN.label, 1), (S.FILING.label, 1),
        (S.RISK_REVIEW.label, 2), (S.FINAL_REVIEW.label, 4), (S.ROUND1_REJECTED.label, 0),
        (S.FILING_LAPSED.label, 0), (S.RISK_REJECTED.label, 1), (S.SELECTED.label, 0), (S.NOT_SELECTED.label, 0),
    ]
    submitted = dashboard["funnel"][1]
    assert submitted.url == changelist(campaign__id__exact=campaign.pk, status__exact="submitted")
    assertContains(response, f'<a href="{submitted.url.replace("&", "&amp;")}">{S.SUBMITTED.label}</a>')


def test_seats_left_is_seats_minus_pending_selections(client, campaign, pipeline):
    response, dashboard = dashboard_of(client, CAMPAIGN_ADMIN)

    assert (dashboard["seats"]["total"], dashboard["seats"]["selected"], dashboard["seats"]["left"]) == (50, 2, 48)
    assertContains(response, '<td class="count" id="seats-left">48</td>', html=True)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (beijing(2024, 4, 20, 10), [5, 9, 16]),
        (beijing(2024, 4, 25, 23, 59, 59), [0, 4, 11]),
        (beijing(2024, 4, 26, 0, 0, 0), [-1, 3, 10]),
        (beijing(2024, 5, 6, 0, 0, 0), [-11, -7, 0]),
    ],
)
def test_days_to_each_deadline_count_beijing_calendar_days(client, campaign, at, expected):
    _response, dashboard = dashboard_of(client, OPERATIONS, at=at)

    assert [(d.label, d.days_left) for d in dashboard["deadlines"]] == list(
        zip(["报名截止", "审核结束", "结果公示"], expected, strict=True)
    )


def test_deadline_wording(client, campaign):
    response, _dashboard = dashboard_of(client, OPERATIONS, at=beijing(2024, 4, 25, 12))

    assertContains(response, '<td class="num" data-days="4">4 天</td>', html=True)  # review ends 2024-04-29
    assertContains(response, '<td class="num" data-days="0">今天</td>', html=True)  # applications close today


def test_round_1_reviewer_sees_the_round_1_queue_only(client, campaign, pipeline):
    _response, dashboard = dashboard_of(client, ROUND1_REVIEWER)

    assert [(q.label, q.count) for q in dashboard["queues"]] == [("待初审", 3)]
    assert "seats" not in dashboard


def test_risk_officer_sees_filing_and_risk_queues(client, campaign, pipeline):
    _response, dashboard = dashboard_of(client, RISK_OFFICER)

    assert [(q.label, q.count) for q in dashboard["queues"]] == [("待系统备案", 1), ("风险评估中", 2)]
    assert "seats" not in dashboard


def test_member_sees_the_final_review_applications_they_have_not_scored(client, campaign, pipeline):
    member = judge_of(campaign)
    ScoreSheetFactory(application=pipeline[0], reviewer=member)
    ScoreSheetFactory(application=pipeline[1])  # another member's sheet does not count

    _response, dashboard = dashboard_of(client, user=member)

    assert [(q.label, q.count) for q in dashboard["queues"]] == [("终审：我尚未评分", 3)]
    assert dashboard["queues"][0].url == (
        f"{reverse('admin:reviews_finalreviewqueue_changelist')}?campaign__id__exact={campaign.pk}&mine=no"
    )
    assert "seats" not in dashboard


def test_a_judge_off_the_committee_has_nothing_to_score_here(client, campaign, pipeline):
    _response, dashboard = dashboard_of(client, user=staff_with_role(FINAL_COMMITTEE))

    assert [(q.label, q.count) for q in dashboard["queues"]] == [("终审：我尚未评分", 0)]


def test_operations_see_the_calls_to_make(client, campaign, pipeline):
    PhoneTaskFactory(application__campaign=campaign)  # never called
    called = PhoneTaskFactory(application__campaign=campaign)
    round1.record_call(called, outcome=CallOutcome.NO_ANSWER, note="无人接听", actor=staff_with_role(OPERATIONS))
    answered = PhoneTaskFactory(application__campaign=campaign)
    round1.record_call(answered, outcome=CallOutcome.REACHED, note="已接通", actor=staff_with_role(OPERATIONS))

    _response, dashboard = dashboard_of(client, OPERATIONS)

    assert [(q.label, q.count) for q in dashboard["queues"]] == [("待致电", 2)]


def test_staff_without_permissions_see_only_the_calendar(client, campaign, pipeline):
    response, dashboard = dashboard_of(client, user=UserFactory(is_staff=True))

    assert sorted(dashboard) == ["campaign", "charts", "deadlines", "queues"]
    assert sorted(dashboard["charts"]) == ["deadlines"]
    assert dashboard["queues"] == []
    assertNotContains(response, 'id="dashboard-funnel"')
    assertNotContains(response, 'id="dashboard-seats"')


def test_the_dashboard_follows_the_current_campaign(client, campaign, pipeline):
    campaign.is_current = False
    campaign.save()
    CampaignFactory(slug="2026-nx4", is_current=True)

    _response, dashboard = dashboard_of(client, CAMPAIGN_ADMIN)

    assert dashboard["campaign"].slug == "2026-nx4"
    assert sum(step.count for step in dashboard["funnel"]) == 0


def test_the_admin_index_still_lists_the_apps(admin_client, campaign):
    response = admin_client.get(reverse(INDEX))

    assert response.status_code == 200
    assert response.context["app_list"]
    assertContains(response, 'id="dashboard"')
