"""The probation charts: check outcomes per check, each leader against this month's thresholds (at risk first),
the leader's own bars; the board and the status page draw them."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from probation import charts
from probation.enums import LeaderStatus
from probation.progress import leader_progress
from recruitment.timeutils import beijing
from tests.probation.factories import CheckResultFactory, LeaderFactory, staff_with
from tests.probation.test_progress import mid_june  # noqa: F401  (fixture)
from tests.probation.test_tasks import _meet_june

pytestmark = pytest.mark.django_db

BOARD_URL = "admin:probation_board_changelist"
JUNE_20 = beijing(2024, 6, 20, 9)


def _outcomes(campaign):
    return [(row["code"], row["passed"], row["failed"], row["waiting"]) for row in charts.check_outcomes(campaign)]


@pytest.fixture
def verdicts(campaign):
    """P01 passed May and the checkpoint; P02 failed May and was closed as it fell due (2024-06-01 00:00, so the
    checks due then still apply); P03 was closed one second before (none of them applies); P04 was granted at
    2024-06-01 00:00 (May and the checkpoint were due at that instant: they do not apply)."""
    one = LeaderFactory(campaign=campaign, leader_account="P01")
    CheckResultFactory(leader=one, code="basic:2024-05", passed=True)
    CheckResultFactory(leader=one, code="special:checkpoint", passed=True)
    two = LeaderFactory(campaign=campaign, leader_account="P02", status=LeaderStatus.CLOSED,
                        closed_at=beijing(2024, 6, 1), closure_reason="basic:2024-05")
    CheckResultFactory(leader=two, code="basic:2024-05", passed=False)
    LeaderFactory(campaign=campaign, leader_account="P03", status=LeaderStatus.CLOSED,
                  closed_at=beijing(2024, 5, 31, 23, 59, 59), closure_reason="violation")
    LeaderFactory(campaign=campaign, leader_account="P04", granted_at=beijing(2024, 6, 1))
    return campaign


def test_check_outcomes_count_passed_failed_and_waiting_leaders_per_check(verdicts):
    assert _outcomes(verdicts) == [
        ("basic:2024-05", 1, 1, 0),
        ("basic:2024-06", 0, 0, 2),  # P01 and P04; P02 and P03 were closed before it fell due
        ("basic:2024-07", 0, 0, 2),
        ("special:checkpoint", 1, 0, 1),  # P02, closed at the very instant it fell due, still waits
        ("special:total", 0, 0, 2),
        ("special:qualifying", 0, 0, 2),
    ]


def test_check_outcomes_stack_to_100_with_labels(verdicts):
    rows = charts.check_outcomes(verdicts)

    assert (rows[0]["label"], rows[0]["total"]) == ("2024-05 基础项考核", 2)
    assert [(s["key"], s["x"], s["width"]) for s in rows[0]["segments"]] == [
        ("passed", Decimal("0.0"), Decimal("50.0")), ("failed", Decimal("50.0"), Decimal("50.0")),
        ("waiting", Decimal("100.0"), Decimal("0.0")),
    ]
    assert [(s["key"], s["width"]) for s in rows[3]["segments"]] == [
        ("passed", Decimal("50.0")), ("failed", Decimal("0.0")), ("waiting", Decimal("50.0")),
    ]


def test_check_outcomes_queries_do_not_grow_with_the_leaders(campaign):
    LeaderFactory(campaign=campaign)
    with CaptureQueriesContext(connection) as few:
        charts.check_outcomes(campaign)
    LeaderFactory.create_batch(6, campaign=campaign)
    with CaptureQueriesContext(connection) as many:
        charts.check_outcomes(campaign)

    # the months, the check items added by staff, the verdicts grouped by check, one aggregate over the leaders
    assert len(few) == len(many) == 4


@pytest.fixture
def june_figures(campaign):
    """At 2024-06-20 09:00 (June thresholds 1 activity, 3 merchants, 10 items, 10,000 yuan): P00 has nothing,
    P01 is 0.01 yuan short, P02 is exactly at every threshold, P03 has 9 items and 5,000 yuan; P04 is closed and
    P05 granted tomorrow (neither is shown)."""
    LeaderFactory(campaign=campaign, leader_account="P00")
    _meet_june(LeaderFactory(campaign=campaign, leader_account="P01"), gmv="9999.99")
    _meet_june(LeaderFactory(campaign=campaign, leader_account="P02"), gmv="10000.00")
    _meet_june(LeaderFactory(campaign=campaign, leader_account="P03"), gmv="5000.00", items=9)
    _meet_june(LeaderFactory(campaign=campaign, leader_account="P04", status=LeaderStatus.CLOSED,
                             closed_at=beijing(2024, 6, 1)))
    _meet_june(LeaderFactory(campaign=campaign, leader_account="P05", granted_at=beijing(2024, 6, 21)))
    return campaign


def test_month_figures_put_at_risk_leaders_first_most_figures_short_first(june_figures):
    chart = charts.month_figures(june_figures, now=JUNE_20)

    assert (chart["label"], chart["days_left"], chart["at_risk"]) == ("2024-06 基础项考核", 11, 3)
    assert [(row["leader"].leader_account, row["short"], row["at_risk"]) for row in chart["rows"]] == [
        ("P00", 4, True), ("P03", 2, True), ("P01", 1, True), ("P02", 0, False),
    ]


def test_month_figures_bars_on_both_sides_of_each_threshold(june_figures):
    rows = {row["leader"].leader_account: row for row in charts.month_figures(june_figures, now=JUNE_20)["rows"]}

    def bars(account):
        return [(b["name"], b["value"], b["threshold"], b["met"], b["width"]) for b in rows[account]["bars"]]

    assert bars("P02") == [
        ("activities", 1, 1, True, Decimal("100.0")), ("merchants", 3, 3, True, Decimal("100.0")),
        ("items", 10, 10, True, Decimal("100.0")),
        ("gmv", Decimal("10000.00"), Decimal("10000.00"), True, Decimal("100.0")),
    ]
    assert bars("P01")[3] == ("gmv", Decimal("9999.99"), Decimal("10000.00"), False, Decimal("99.9"))
    assert bars("P03")[2:] == [
        ("items", 9, 10, False, Decimal("90.0")), ("gmv", Decimal("5000.00"), Decimal("10000.00"), False,
                                                   Decimal("50.0")),
    ]
    assert [b[4] for b in bars("P00")] == [Decimal("0.0")] * 4


def test_month_figures_without_a_running_month_is_none(june_figures):
    assert charts.month_figures(june_figures, now=beijing(2024, 8, 1)) is None
    assert charts.month_figures(june_figures, now=beijing(2024, 7, 31, 23, 59, 59))["label"] == "2024-07 基础项考核"


def test_month_figures_queries_do_not_grow_with_the_leaders(june_figures):
    with CaptureQueriesContext(connection) as few:
        charts.month_figures(june_figures, now=JUNE_20)
    for n in range(4):
        _meet_june(LeaderFactory(campaign=june_figures, leader_account=f"Q{n}"))
    with CaptureQueriesContext(connection) as many:
        charts.month_figures(june_figures, now=JUNE_20)

    assert len(few) == len(many) == 3  # the month, the leaders, their figures


def test_leader_charts_each_month_and_the_new_merchants_against_both_thresholds(mid_june):  # noqa: F811
    chart = leader_progress(mid_june, now=JUNE_20)["charts"]

    assert [(m["code"], m["state"], [(b["name"], b["met"], b["width"]) for b in m["bars"]])
            for m in chart["months"]] == [
        ("basic:2024-05", "passed", [("activities", True, Decimal("100.0")), ("merchants", True, Decimal("100.0")),
                                     ("items", True, Decimal("100.0")), ("gmv", True, Decimal("100.0"))]),
        ("basic:2024-06", "in_progress", [("activities", True, Decimal("100.0")),
                                          ("merchants", True, Decimal("100.0")), ("items", True, Decimal("100.0")),
                                          ("gmv", False, Decimal("99.9"))]),
    ]  # July has not started: no bars
    merchants = chart["new_merchants"]
    assert (merchants["count"], merchants["by_checkpoint"], merchants["scale"], merchants["width"]) == (
        3, 2, 5, Decimal("60.0")
    )
    assert [(m["key"], m["threshold"], m["x"], m["met"]) for m in merchants["marks"]] == [
        ("checkpoint", 2, Decimal("40.0"), True), ("final", 5, Decimal("100.0"), False),
    ]


def test_leader_charts_render_in_chinese(mid_june):  # noqa: F811
    html = render_to_string("probation/_progress.html", {"probation_progress": leader_progress(mid_june, now=JUNE_20)})

    assert '<section class="card chart" id="probation-charts">' in html
    assert "2024-06 基础项考核" in html
    assert '<span class="chart-short-text">9999.99 / 10000.00</span>' in html
    assert "目前已有 3 个新商家" in html
    assert "（检查点前 2 个）" in html
    assert "检查点：需 2 个 ✓" in html
    assert "最终：需 5 个" in html
    assert 'class="fill bar" x="0" y="0" width="60.0"' in html
    assert 'x1="40.0" x2="40.0"' in html


def test_the_board_draws_both_charts(client, june_figures):
    client.force_login(staff_with("probation.view_leader"))
    with time_machine.travel(JUNE_20, tick=False):
        response = client.get(reverse(BOARD_URL))

    assert response.status_code == 200
    assertContains(response, "css/charts.css")
    # June waits for P00–P03 and P05 (granted before it falls due)
    assertContains(response, '<td class="num" data-waiting="5">5</td>', html=True)
    rows = response.text.split('id="chart-month"')[1]
    assert [rows.index(f'data-leader="{account}"') for account in ("P00", "P03", "P01", "P02")] == sorted(
        rows.index(f'data-leader="{account}"') for account in ("P00", "P03", "P01", "P02")
    )
    assert 'data-leader="P04"' not in rows and 'data-leader="P05"' not in rows
    assertContains(response, "本月数据对照门槛：2024-06 基础项考核（剩余 11 天）")
    assertContains(response, "3 位团长有风险")
    assertContains(response, '<span class="value short">9999.99 / 10000.00</span>', html=True)
    assertContains(response, '<span class="value">10000.00 / 10000.00</span>', html=True)


def test_the_board_without_a_running_month_draws_the_check_outcomes_only(client, june_figures):
    client.force_login(staff_with("probation.view_leader"))
    with time_machine.travel(beijing(2024, 8, 1), tick=False):
        response = client.get(reverse(BOARD_URL))

    assertContains(response, 'id="chart-checks"')
    assertNotContains(response, 'id="chart-month"')


def test_staff_without_the_probation_permission_get_no_board(client, june_figures):
    client.force_login(staff_with())
    response = client.get(reverse(BOARD_URL))

    assert response.status_code == 403
    assertNotContains(response, 'id="chart-checks"', status_code=403)
