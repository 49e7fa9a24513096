"""The dashboard's charts: the review funnel with conversion rates, seats filled vs left, days to each deadline."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from applications.enums import ApplicationStatus, PendingDecision
from recruitment.timeutils import beijing
from reviews import charts
from reviews.roles import CAMPAIGN_ADMIN, OPERATIONS, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, CampaignFactory, StatusChangeFactory, UserFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

S = ApplicationStatus


@pytest.fixture
def funnel_data(campaign):
    """13 submitted applications: 9 passed round 1, 6 filed, 4 passed the risk rules, 2 selected; plus drafts,
    a withdrawal and another campaign's application, outside the funnel."""
    for status, count in [
        (S.DRAFT, 3), (S.WITHDRAWN, 1),
        (S.SUBMITTED, 2), (S.ROUND1_REJECTED, 2),  # submitted, not (yet) passed round 1
        (S.FILING, 1),  # passed round 1, not filed
        (S.RISK_REJECTED, 2),  # filed, failed the risk rules
        (S.SELECTED, 1),
    ]:
        ApplicationFactory.create_batch(count, campaign=campaign, status=status)
    ApplicationFactory(campaign=campaign, status=S.FINAL_REVIEW, pending_decision=PendingDecision.SELECTED)
    ApplicationFactory(campaign=campaign, status=S.FINAL_REVIEW, pending_decision=PendingDecision.NOT_SELECTED)
    ApplicationFactory(campaign=campaign, status=S.NOT_SELECTED)  # not selected after final review
    lapsed = ApplicationFactory(campaign=campaign, status=S.NOT_SELECTED)  # closed out, never filed
    StatusChangeFactory(application=lapsed, from_status=S.FILING_LAPSED, to_status=S.NOT_SELECTED)
    ApplicationFactory(campaign=campaign, status=S.FILING_LAPSED)
    ApplicationFactory(campaign=CampaignFactory(slug="2025-nx3", is_current=False), status=S.SELECTED)
    return campaign


def test_funnel_counts_every_application_that_reached_each_stage(funnel_data):
    assert charts.funnel_counts(funnel_data) == {
        "submitted": 13, "round1_passed": 9, "filed": 6, "risk_passed": 4, "selected": 2,
    }


def test_funnel_counts_run_one_query(funnel_data):
    with CaptureQueriesContext(connection) as queries:
        charts.funnel_counts(funnel_data)

    assert len(queries) == 1


def test_funnel_chart_widths_against_the_first_stage_and_conversion_from_the_stage_before():
    counts = {"submitted": 16, "round1_passed": 10, "filed": 6, "risk_passed": 4, "selected": 0}

    rows = charts.funnel_chart(counts)

    assert [(r["key"], r["count"], r["width"], r["conversion"]) for r in rows] == [
        ("submitted", 16, Decimal("100.0"), None),
        ("round1_passed", 10, Decimal("62.5"), Decimal("62.5")),
        ("filed", 6, Decimal("37.5"), Decimal("60.0")),
        ("risk_passed", 4, Decimal("25.0"), Decimal("66.7")),
        ("selected", 0, Decimal("0.0"), Decimal("0.0")),
    ]


def test_funnel_chart_of_an_empty_campaign_has_no_bars_and_no_rates():
    rows = charts.funnel_chart(dict.fromkeys(["submitted", "round1_passed", "filed", "risk_passed", "selected"], 0))

    assert [(r["width"], r["conversion"]) for r in rows] == [(Decimal("0.0"), None)] * 5


@pytest.mark.parametrize(
    ("seats", "selected", "expected"),
    [
        (50, 2, (2, 48, Decimal("4.0"), [Decimal("4.0"), Decimal("96.0")])),
        (3, 3, (3, 0, Decimal("100.0"), [Decimal("100.0"), Decimal("0.0")])),
        (3, 4, (4, 0, Decimal("133.3"), [Decimal("100.0"), Decimal("0.0")])),  # over the seats: none left
        (0, 0, (0, 0, None, [Decimal("0.0"), Decimal("0.0")])),
    ],
)
def test_seats_chart_filled_vs_left(seats, selected, expected):
    chart = charts.seats_chart(seats, selected)

    widths = [s["width"] for s in chart["segments"]]
    assert (chart["filled"], chart["left"], chart["filled_percent"], widths) == expected


APRIL_20 = beijing(2024, 4, 20, 10)


def dashboard(client, user, at=APRIL_20):
    client.force_login(user)
    with time_machine.travel(at, tick=False), translation.override("zh-hans"):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, response.context["dashboard"]["charts"]


def test_deadlines_chart_scales_to_the_farthest_deadline(client, campaign):
    _response, chart = dashboard(client, staff_with_role(OPERATIONS), at=beijing(2024, 4, 25, 12))

    # 2024 campaign: applications close 04-25, review ends 04-29, results 05-06.
    assert [(d["days_left"], d["width"]) for d in chart["deadlines"]] == [
        (0, Decimal("0.0")), (4, Decimal("36.4")), (11, Decimal("100.0")),
    ]


def test_deadlines_chart_once_every_deadline_passed_has_no_bar(client, campaign):
    _response, chart = dashboard(client, staff_with_role(OPERATIONS), at=beijing(2024, 5, 7))

    assert [(d["days_left"], d["width"]) for d in chart["deadlines"]] == [
        (-12, Decimal("0.0")), (-8, Decimal("0.0")), (-1, Decimal("0.0")),
    ]


def test_campaign_admin_sees_the_funnel_and_seats_charts(client, funnel_data):
    response, chart = dashboard(client, staff_with_role(CAMPAIGN_ADMIN))

    assert [(r["key"], r["count"], r["conversion"]) for r in chart["funnel"]] == [
        ("submitted", 13, None), ("round1_passed", 9, Decimal("69.2")), ("filed", 6, Decimal("66.7")),
        ("risk_passed", 4, Decimal("66.7")), ("selected", 2, Decimal("50.0")),
    ]
    assert (chart["seats"]["seats"], chart["seats"]["filled"], chart["seats"]["left"]) == (50, 2, 48)
    assertContains(response, '<td class="num" data-count="9">9</td>', html=True)
    assertContains(response, '<td class="num" data-conversion="69.2">69.2%</td>', html=True)
    assertContains(response, "<caption>审核漏斗</caption>", html=True)
    assertContains(response, '<th scope="row">通过初审</th>', html=True)
    assertContains(response, "(已占用 4.0%)")
    assertContains(response, '<strong id="chart-seats-left">48</strong>', html=True)
    assertContains(response, 'width="69.2"')  # the round-1 bar against the 13 submitted
    assertContains(response, "css/charts.css")


def test_a_reviewer_sees_the_funnel_but_not_the_seats(client, funnel_data):
    response, chart = dashboard(client, staff_with_role(ROUND1_REVIEWER))

    assert sorted(chart) == ["deadlines", "funnel"]
    assertContains(response, 'id="chart-funnel"')
    assertNotContains(response, 'id="chart-seats"')


def test_staff_without_permissions_see_only_the_deadlines_chart(client, funnel_data):
    response, chart = dashboard(client, UserFactory(is_staff=True))

    assert sorted(chart) == ["deadlines"]
    assertContains(response, 'id="chart-deadlines"')
    assertNotContains(response, 'id="chart-funnel"')
    assertNotContains(response, 'id="chart-seats"')


def test_english_labels(client, funnel_data):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))
    client.cookies["django_language"] = "en"
    with time_machine.travel(APRIL_20, tick=False):
        response = client.get(reverse("admin:index"))

    assertContains(response, "<caption>Review funnel</caption>", html=True)
    assertContains(response, '<th scope="row">Passed round 1</th>', html=True)
    assertContains(response, "(4.0% filled)")
