"""The charts in a real browser: the dashboard in the middle of the 2024 review, the probation board and the
leader's status page on the demo data.

Each page is served at a fixed instant (time_machine, ticking; the live server runs in this process), so every
figure is known. Screenshots are written to ``test-artifacts/charts-*.png`` (git-ignored); the ones in
``docs/img/`` were taken by this test.
"""

from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from applications.enums import ApplicationStatus, PendingDecision
from recruitment.timeutils import beijing
from reviews import roles
from reviews.models import ChecklistItem
from tests.browser.conftest import ARTIFACTS
from tests.factories import ApplicationFactory, BasicCheckMonthFactory, CampaignFactory, UserFactory
from tests.reviews.factories import RubricCriterionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = ApplicationStatus
IN_REVIEW = beijing(2024, 4, 24, 10)  # applications close tomorrow; review ends 04-29; results 05-06
SEEDED_AT = beijing(2025, 3, 10, 9, 30)


def template_campaign():
    """The 2024 campaign with its review set-up and months (a flushed database lost the migration's rows)."""
    campaign = CampaignFactory()
    roles.ensure_roles()
    if not campaign.checklist_items.exists():
        ChecklistItem.objects.create(campaign=campaign, text="问卷各部分填写完整")
    if not campaign.rubric.exists():
        RubricCriterionFactory(campaign=campaign, name="新商家资源", weight=30)
        RubricCriterionFactory(campaign=campaign, name="历史合作案例", weight=25)
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=beijing(2024, month, 1).date())
    return campaign


@pytest.fixture
def in_review(db):
    """The 2024 campaign on 2024-04-24: 43 applications, 37 submitted, along the pipeline; 5 decided as selected."""
    campaign = template_campaign()
    for status, count in [
        (S.DRAFT, 4), (S.WITHDRAWN, 2), (S.SUBMITTED, 9), (S.ROUND1_REJECTED, 7), (S.FILING, 4),
        (S.RISK_REVIEW, 2), (S.RISK_REJECTED, 3), (S.FINAL_REVIEW, 7),
    ]:
        ApplicationFactory.create_batch(count, campaign=campaign, status=status)
    ApplicationFactory.create_batch(5, campaign=campaign, status=S.FINAL_REVIEW,
                                    pending_decision=PendingDecision.SELECTED)
    return campaign


@pytest.fixture
def demo(db):
    template_campaign()
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=StringIO())


def open_as(chromium, server, user, path):
    """A browser page logged in as ``user``. The session comes from the test client: the server's clock is
    frozen in the past, so a cookie with its expiry would already be expired for the browser (set without one)."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}{path}")
    return page


def shot(page, first, last, name, within="#content"):
    """A screenshot from the top of ``first`` to the bottom of ``last`` (selectors), ``within``'s width."""
    top, bottom = page.locator(first).bounding_box(), page.locator(last).bounding_box()
    content = page.locator(within).bounding_box()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"charts-{name}.png"), full_page=True, clip={
        "x": content["x"], "y": top["y"] - 8, "width": content["width"],
        "height": bottom["y"] + bottom["height"] - top["y"] + 16,
    })


def rows(page, selector):
    """Each row's cells, whitespace-normalised."""
    return [[" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
            for row in page.locator(selector).all()]


def test_dashboard_charts_in_the_middle_of_the_review(in_review, live_server, chromium):
    admin = UserFactory(username="chart-admin", is_staff=True, is_superuser=True)
    with time_machine.travel(IN_REVIEW, tick=True):
        page = open_as(chromium, live_server, admin, "/admin/")

        assert rows(page, "#chart-funnel tbody tr") == [
            ["已提交", "", "37", "—"],
            ["通过初审", "", "21", "56.8%"],
            ["已备案", "", "17", "81.0%"],
            ["通过风险评估", "", "12", "70.6%"],
            ["择优通过", "", "5", "41.7%"],
        ]
        fills = page.locator("#chart-funnel svg rect.fill")
        widths = fills.evaluate_all("els => els.map(e => e.getAttribute('width'))")
        assert widths == ["100.0", "56.8", "45.9", "32.4", "13.5"]  # against the 37 submitted
        assert page.locator("#chart-seats-filled").inner_text() == "5"
        assert page.locator("#chart-seats-left").inner_text() == "45"
        assert rows(page, "#chart-deadlines tbody tr") == [
            ["报名截止 2024-04-25", "", "1 天"],
            ["审核结束 2024-04-29", "", "5 天"],
            ["结果公示 2024-05-06", "", "12 天"],
        ]
        assert page.locator("#chart-funnel svg").first.get_attribute("aria-hidden") == "true"
        shot(page, "#dashboard-campaign", "#dashboard-charts", "dashboard")


def test_board_charts_on_the_demo_data(demo, live_server, chromium):
    admin = UserFactory(username="chart-admin", is_staff=True, is_superuser=True)
    with time_machine.travel(SEEDED_AT, tick=True):
        page = open_as(chromium, live_server, admin, "/admin/probation/board/?campaign=demo-probation")

        assert rows(page, "#chart-checks tbody tr") == [
            ["2025-02 基础项考核", "", "7", "1", "0"],
            ["2025-03 基础项考核", "", "0", "0", "5"],
            ["2025-04 基础项考核", "", "0", "0", "5"],
            ["纳新专项考核：阶段节点", "", "7", "1", "0"],
            ["纳新专项考核：活动期新商家总数", "", "0", "0", "5"],
            ["纳新专项考核：满足奖励条件的商家数", "", "0", "0", "5"],
        ]
        assert page.locator("#chart-month h2").inner_text() == "本月数据对照门槛：2025-03 基础项考核（剩余 22 天）"
        assert rows(page, "#chart-month tbody tr") == [  # at risk first, the most figures short first
            ["demo_tz07 演示拓客7号网络科技有限公司", "2 / 1", "2 / 3", "12 / 10", "5400.00 / 10000.00", "2 项未达标"],
            ["demo_tz04 演示拓客4号网络科技有限公司", "0 / 1", "4 / 3", "12 / 10", "12200.00 / 10000.00", "1 项未达标"],
            ["demo_tz01 演示拓客1号网络科技有限公司", "2 / 1", "4 / 3", "12 / 10", "12200.00 / 10000.00", "达标中"],
            ["demo_tz05 演示拓客5号网络科技有限公司", "2 / 1", "4 / 3", "12 / 10", "12000.00 / 10000.00", "达标中"],
            ["demo_tz06 演示拓客1号网络科技有限公司", "2 / 1", "4 / 3", "12 / 10", "12240.00 / 10000.00", "达标中"],
        ]
        short = page.locator('#chart-month tr[data-leader="demo_tz07"] td[data-figure="gmv"] rect.fill')
        assert (short.get_attribute("class"), short.get_attribute("width")) == ("fill short", "54.0")
        shot(page, "#chart-checks", "#chart-month", "board")


def test_leader_charts_on_the_demo_data(demo, live_server, chromium):
    leader = UserFactory(username="leader@example.com")
    with time_machine.travel(SEEDED_AT, tick=True):
        page = open_as(chromium, live_server, leader, "/status/")

        months = page.locator("#chart-basic-months .chart-month")
        assert months.locator("h4").all_inner_texts() == ["2025-02 基础项考核", "2025-03 基础项考核"]
        assert [" ".join(t.split()) for t in months.nth(1).locator("dt").all_inner_texts()] == [
            "新推广活动个数 2 / 1", "招商商家个数 4 / 3", "招商商品个数 12 / 10",
            "招商效果（GMV，元） 12200.00 / 10000.00",
        ]
        merchants = page.locator("#chart-new-merchants")
        assert " ".join(merchants.locator("p").inner_text().split()) == "目前已有 4 个新商家 （检查点前 3 个）"
        assert merchants.locator("rect.fill").get_attribute("width") == "80.0"  # 4 on a track of 5
        assert merchants.locator("line.mark").evaluate_all("els => els.map(e => e.getAttribute('x1'))") == [
            "40.0", "100.0",
        ]
        assert merchants.locator("li[data-mark]").all_inner_texts() == ["│ 检查点：需 2 个 ✓", "│ 最终：需 5 个"]
        shot(page, "#probation-charts", "#probation-charts", "leader", within="main")
