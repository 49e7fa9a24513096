"""The leader's own view of its probation (status page partial)."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from probation.progress import leader_progress
from probation.services import evaluate_due_checks
from recruitment.timeutils import beijing
from tests.probation.conftest import make_new_merchant
from tests.probation.factories import MerchantExitFactory, MerchantFactory
from tests.probation.test_services import relax
from tests.probation.test_tasks import _meet_june

pytestmark = pytest.mark.django_db


@pytest.fixture
def mid_june(campaign, leader):
    """P01 at 2024-06-20 09:00: May passed (relaxed thresholds), June 0.01 yuan short of its GMV."""
    relax(campaign)
    campaign.basic_months.filter(month__month=6).update(min_activities=1, min_merchants=3, min_items=10,
                                                        min_gmv=Decimal("10000"))
    campaign.checkpoint_min_new_merchants, campaign.total_min_new_merchants = 2, 5
    campaign.qualifying_min_merchants = 3
    campaign.save()
    make_new_merchant(leader, opened_at=beijing(2024, 5, 12), merchant_id="N1", merchant_name="新商家一")
    make_new_merchant(leader, opened_at=beijing(2024, 6, 2), merchant_id="N2", merchant_name="新商家二", orders=10,
                      settled=5)
    out = make_new_merchant(leader, opened_at=beijing(2024, 5, 15), merchant_id="N3", merchant_name="新商家三",
                            orders=12, item_ids=["A", "A", "B"])
    MerchantExitFactory(merchant=out, exited_at=beijing(2024, 5, 20, 20))
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 9, 23, 59, 59), merchant_id="OLD")
    _meet_june(leader, gmv="9999.99")
    evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
    return leader


def test_leader_progress_mid_june_values(mid_june):
    progress = leader_progress(mid_june, now=beijing(2024, 6, 20, 9))

    months = [(m["code"], m["state"], m["days_left"], [(f["name"], f["value"], f["threshold"], f["met"])
                                                        for f in m["figures"]]) for m in progress["basic_months"]]
    # N1-N3 orders are paid on 2024-05-25 (factory default): 32 orders of 10 yuan in May.
    assert months == [
        ("basic:2024-05", "passed", None, [("activities", 0, 0, True), ("merchants", 0, 0, True),
                                            ("items", 0, 0, True), ("gmv", Decimal("320.00"), 0, True)]),
        ("basic:2024-06", "in_progress", 11, [("activities", 1, 1, True), ("merchants", 3, 3, True),
                                               ("items", 10, 10, True),
                                               ("gmv", Decimal("9999.99"), Decimal("10000.00"), False)]),
        ("basic:2024-07", "upcoming", None, [("activities", 0, 0, True), ("merchants", 0, 0, True),
                                              ("items", 0, 0, True), ("gmv", Decimal("0.00"), 0, True)]),
    ]
    special = progress["special"]
    assert [(special[k]["state"], special[k]["value"], special[k]["threshold"], special[k]["days_left"])
            for k in ("checkpoint", "total", "qualifying")] == [
        ("passed", 2, 2, None), ("in_progress", 3, 5, 1), ("in_progress", 1, 3, 1),
    ]
    assert [(m["merchant_id"], m["merchant_name"], m["by_checkpoint"], m["best_item_orders"], m["paid_orders"],
             m["settled_orders"], m["settlement_rate"], m["stayed_out_618"], m["qualifies"])
            for m in special["merchants"]] == [
        ("N1", "新商家一", True, 10, 10, 10, Decimal("100.0"), False, True),
        ("N2", "新商家二", False, 10, 10, 5, Decimal("50.0"), False, False),
        ("N3", "新商家三", True, 8, 12, 12, Decimal("100.0"), True, False),
    ]
    assert [(p["label"], p["days_left"]) for p in progress["periods"]] == [
        ("2024-06 基础项考核", 11), ("“拓客先锋”活动", 1),
    ]
    assert (progress["status"], progress["status_label"], progress["closure_reason"]) == ("probation", "试用期中", "")
    assert progress["closure_rules"][1] == (
        "纳新专项考核（阶段节点）：2024-05-10 00:00:00 至 2024-05-31 23:59:59 期间成功引入的新商家少于 2 个，"
        "将于 2024-06-01 00:00:00 关闭招商服务商权限。"
    )
    assert "有效结算率（结算订单数 / 付款订单数）≥ 60%" in progress["closure_rules"][3]
    assert len(progress["closure_rules"]) == 6


def test_leader_progress_at_the_last_second_of_june_and_after(mid_june):
    last_second = leader_progress(mid_june, now=beijing(2024, 6, 30, 23, 59, 59))
    after = leader_progress(mid_june, now=beijing(2024, 7, 1))

    assert [(m["state"], m["days_left"]) for m in last_second["basic_months"]] == [
        ("passed", None), ("in_progress", 1), ("upcoming", None),
    ]
    assert [(m["state"], m["days_left"]) for m in after["basic_months"]] == [
        ("passed", None), ("awaiting", None), ("in_progress", 31),
    ]
    assert after["special"]["total"]["state"] == "awaiting"


def test_leader_progress_of_a_closed_leader(campaign, leader):
    evaluate_due_checks(campaign, as_of=beijing(2024, 6, 1))
    leader.refresh_from_db()

    progress = leader_progress(leader, now=beijing(2024, 7, 10))

    assert [m["state"] for m in progress["basic_months"]] == ["failed", "not_applicable", "not_applicable"]
    assert [progress["special"][k]["state"] for k in ("checkpoint", "total", "qualifying")] == [
        "failed", "not_applicable", "not_applicable",
    ]
    assert (progress["status"], progress["closed_at"], progress["closure_reason"]) == (
        "closed", beijing(2024, 6, 1), "2024-05 基础项考核；纳新专项考核：阶段节点"
    )
    assert progress["periods"] == []


def test_progress_partial_renders_in_chinese(mid_june):
    html = render_to_string("probation/_progress.html",
                            {"probation_progress": leader_progress(mid_june, now=beijing(2024, 6, 20, 9))})

    assert "试用期考核" in html
    assert "2024-06 基础项考核：还剩 11 天（2024-06-30 23:59:59 截止）。" in html
    assert "9999.99 / 10000.00 <span class=\"badge badge-warn\">未达标</span>" in html
    assert "<span class=\"badge badge-muted\">考核中</span>" in html
    assert "新商家一 <span class=\"muted\">N1</span>" in html
    assert "50.0% <span class=\"muted\">(5/10)</span>" in html
    assert "哪些情况会关闭权限" in html


def test_a_due_check_waiting_for_its_data_reads_as_being_confirmed(mid_june):
    before_due = leader_progress(mid_june, now=beijing(2024, 6, 30, 23, 59, 59))
    waiting = leader_progress(mid_june, now=beijing(2024, 7, 3, 9))
    html = render_to_string("probation/_progress.html", {"probation_progress": waiting})

    assert before_due["confirming"] == []
    assert waiting["confirming"] == ["2024-06 基础项考核"]
    assert "2024-06 基础项考核的结果确认中：待该时段的淘宝联盟数据完整后作出。" in html
    assert '<span class="badge badge-muted">结果确认中</span>' in html
