"""Campaign facts come from the campaign (recruitment.facts): the home page and the selection notice state
another round's months, windows and thresholds, never the 2024 wording."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from applications.enums import ApplicationStatus, PendingDecision
from notifications.models import Notification
from recruitment.facts import campaign_facts
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import publication
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import ApplicationFactory, BasicCheckMonthFactory, CampaignFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import FinalReviewApplicationFactory, scored_by_committee, staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_2031(db):
    """A round with two basic months (June and July) and thresholds unlike 2024's."""
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(
        slug="2031-nx", name="纳新 2031", is_current=True,
        application_opens_at=beijing(2031, 4, 1), application_closes_at=beijing(2031, 4, 20, 23, 59, 59),
        review_starts_on=date(2031, 4, 21), review_ends_on=date(2031, 4, 30),
        results_published_at=beijing(2031, 5, 8), filing_deadline=beijing(2031, 4, 25, 23, 59, 59),
        probation_starts_on=date(2031, 6, 1), probation_ends_on=date(2031, 7, 31),
        activity_starts_at=beijing(2031, 6, 1), activity_ends_at=beijing(2031, 6, 30, 23, 59, 59),
        checkpoint_ends_at=beijing(2031, 6, 15, 23, 59, 59), final_result_at=beijing(2031, 8, 5),
        window_618_starts_at=beijing(2031, 6, 1, 20), window_618_ends_at=beijing(2031, 6, 18, 23, 59, 59),
        checkpoint_min_new_merchants=4, total_min_new_merchants=7, qualifying_min_merchants=5,
        best_item_min_orders=15, settlement_rate_min_percent=Decimal("62.50"),
    )
    BasicCheckMonthFactory(campaign=campaign, month=date(2031, 7, 1), min_activities=3, min_merchants=6,
                           min_items=20, min_gmv=Decimal("20000.00"))
    BasicCheckMonthFactory(campaign=campaign, month=date(2031, 6, 1), min_activities=2, min_merchants=4,
                           min_items=12, min_gmv=Decimal("12500.50"))
    return campaign


def test_facts_read_the_months_in_order_and_the_thresholds(round_2031):
    facts = campaign_facts(round_2031)

    assert facts.months_text == "2031-06、2031-07"
    assert [(m.month, m.min_activities, m.min_merchants, m.min_items, m.min_gmv) for m in facts.months] == [
        ("2031-06", 2, 4, 12, "12500.5"), ("2031-07", 3, 6, 20, "20000"),
    ]
    assert (facts.best_item_min_orders, facts.settlement_rate_min_percent) == (15, "62.5")
    assert facts.window_618_text == "2031-06-01 20:00:00 – 2031-06-18 23:59:59"
    assert facts.activity_text == "2031-06-01 00:00:00 – 2031-06-30 23:59:59"


def test_home_states_the_rounds_months_and_thresholds_not_2024s(client, round_2031):
    with time_machine.travel(beijing(2031, 4, 10), tick=False):
        content = client.get(reverse("home")).content.decode()

    assert (
        "2031-06、2031-07 共 2 个自然月，每月均需达到当月考核标准（新推广活动个数、招商商家个数、招商商品个数"
        "与招商效果 GMV，见下表）；当月未达标的，次月关闭招商服务商权限。"
    ) in content
    assert "<tr><td>2031-06</td><td>≥ 2</td><td>≥ 4</td><td>≥ 12</td><td>≥ 12500.5</td></tr>" in content
    assert "<tr><td>2031-07</td><td>≥ 3</td><td>≥ 6</td><td>≥ 20</td><td>≥ 20000</td></tr>" in content
    assert "整个活动期内（2031-06-01 00:00:00 – 2031-06-30 23:59:59）：成功引入新商家 ≥ 7 个。" in content
    assert ("其中满足奖励计算条件的商家 ≥ 5 个：单品推广成交订单 ≥ 15 笔，有效结算率 ≥ 62.5%，且 618 "
            "期间（2031-06-01 20:00:00 – 2031-06-18 23:59:59）未全程退出淘宝客。") in content
    assert "≥ 4 个" in content  # the checkpoint
    for hard_coded in ("5–7 月", "3 个自然月", "2024"):
        assert hard_coded not in content


def test_home_states_the_2024_facts_from_its_own_rows(client, campaign):
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=date(2024, month, 1))

    with time_machine.travel(beijing(2024, 4, 10), tick=False):
        content = client.get(reverse("home")).content.decode()

    assert "2024-05、2024-06、2024-07 共 3 个自然月" in content
    assert (
        "单品推广成交订单 ≥ 10 笔，有效结算率 ≥ 60%，且 618 期间（2024-05-20 20:00:00 – 2024-06-20 23:59:59）"
    ) in content


def test_home_cached_part_follows_a_monthly_threshold_edit(client, round_2031):
    with time_machine.travel(beijing(2031, 4, 10), tick=False):
        client.get(reverse("home"))
        round_2031.basic_months.filter(month=date(2031, 6, 1)).update(min_items=99)
        content = client.get(reverse("home")).content.decode()

    assert "<tr><td>2031-06</td><td>≥ 2</td><td>≥ 4</td><td>≥ 99</td><td>≥ 12500.5</td></tr>" in content


def test_the_selection_notice_states_the_rounds_checks(round_2031):
    admin = staff_with_role(CAMPAIGN_ADMIN, username="campaign-admin")
    finalist = FinalReviewApplicationFactory(campaign=round_2031, alliance_account="mm_2031",
                                             submitted_at=beijing(2031, 4, 10))
    scored_by_committee(finalist)
    with time_machine.travel(beijing(2031, 4, 30, 10), tick=False):
        publication.record_decision(finalist, actor=admin, decision=PendingDecision.SELECTED)
    with time_machine.travel(beijing(2031, 5, 8), tick=False):
        publication.publish_results(round_2031, actor=admin)

    body = Notification.objects.get(application=finalist, channel="email").body
    assert (
        "基础项考核（2031-06、2031-07，每个自然月）：\n"
        "- 2031-06：新推广活动 ≥ 2 个，招商商家 ≥ 4 个，招商商品 ≥ 12 个，招商效果 GMV ≥ 12500.5 元\n"
        "- 2031-07：新推广活动 ≥ 3 个，招商商家 ≥ 6 个，招商商品 ≥ 20 个，招商效果 GMV ≥ 20000 元\n"
        "纳新专项考核（拓客先锋活动 2031-06-01 00:00:00 – 2031-06-30 23:59:59）："
        "截至 2031-06-15 23:59:59 成功引入新商家 ≥ 4 个，整个活动期内 ≥ 7 个。\n"
        "其中满足奖励计算条件的商家 ≥ 5 个：单品推广成交订单 ≥ 15 笔，有效结算率 ≥ 62.5%，且 618 "
        "期间（2031-06-01 20:00:00 – 2031-06-18 23:59:59）未全程退出淘宝客。"
    ) in body


def test_the_leaders_status_page_states_the_rounds_checks(client, round_2031):
    Campaign.objects.filter(pk=round_2031.pk).update(published_at=beijing(2031, 5, 8, 9))
    application = ApplicationFactory(
        campaign=round_2031, status=ApplicationStatus.SELECTED, pending_decision=PendingDecision.SELECTED,
        submitted_at=beijing(2031, 4, 10, 10),
    )
    LeaderFactory(campaign=round_2031, leader_account=application.alliance_account, application=application,
                  granted_at=beijing(2031, 5, 8, 9))
    with time_machine.travel(beijing(2031, 6, 10, 12), tick=False):
        client.force_login(application.applicant)
        html = client.get(reverse("applications:status")).content.decode()

    assert 'id="basic-2031-06"' in html and 'id="basic-2031-07"' in html and 'id="basic-2024' not in html
    assert ("<li>基础项考核：每个自然月（2031-06、2031-07）的新推广活动个数、招商商家个数、招商商品个数"
            "与招商效果（GMV）均须达到当月标准；任一项未达标，次月初关闭招商服务商权限。</li>") in html
    assert ("<li>纳新专项考核（阶段节点）：2031-06-01 00:00:00 至 2031-06-15 23:59:59 期间成功引入的新商家少于 4 个，"
            "将于 2031-06-16 00:00:00 关闭招商服务商权限。</li>") in html
    assert ("<li>纳新专项考核（最终结果）：整个活动期（2031-06-01 00:00:00 至 2031-06-30 23:59:59）"
            "引入的新商家少于 7 个，或满足奖励计算条件的商家少于 5 个，"
            "将于 2031-08-05 00:00:00 关闭招商服务商权限。</li>") in html
    assert ("活动期内您推广的任一单品成交订单 ≥ 15 笔；有效结算率（结算订单数 / 付款订单数）≥ 62.5%；"
            "618 活动期间（2031-06-01 20:00:00 至 2031-06-18 23:59:59）未全程退出淘宝客。</li>") in html


def test_home_without_basic_months_says_they_will_be_announced(client, round_2031):
    round_2031.basic_months.all().delete()

    with time_machine.travel(beijing(2031, 4, 10), tick=False):
        content = client.get(reverse("home")).content.decode()

    assert '<p id="basic-months-text">基础项考核的月份及每月考核标准将在此公布。</p>' in content
    assert 'id="basic-months"' not in content
