"""The public results page (/results/, 结果公示) and the home page's link to it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from applications.enums import PendingDecision
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import FinalReviewApplicationFactory

pytestmark = pytest.mark.django_db

RESULTS_AT = beijing(2024, 5, 6)
ONE_SECOND = timedelta(seconds=1)


def get(client, name, moment):
    with time_machine.travel(moment, tick=False):
        return client.get(reverse(name))


@pytest.fixture
def published(campaign):
    LeaderFactory(campaign=campaign, company_name="杭州甲科技有限公司", leader_account="mm_100001")
    Campaign.objects.filter(pk=campaign.pk).update(published_at=RESULTS_AT)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def pending_selection(campaign):
    """A round-3 application decided as selected, not yet published: it must never show."""
    return FinalReviewApplicationFactory(campaign=campaign, company_name="杭州待公示科技有限公司",
                                         pending_decision=PendingDecision.SELECTED)


def test_the_second_before_the_results_date_the_page_lists_nothing_and_says_when(
    client, published, pending_selection
):
    response = get(client, "results", RESULTS_AT - ONE_SECOND)

    content = response.content.decode()
    assert response.context["published"] == []
    assert "暂无已公示的结果。" in content
    assert "“淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）”的结果将于北京时间 2024年5月6日 起在此公示。" in content
    assert "杭州甲科技有限公司" not in content
    assert "杭州待公示科技有限公司" not in content


def test_from_the_results_date_the_page_lists_company_and_masked_account_with_the_date(
    client, published, pending_selection
):
    response = get(client, "results", RESULTS_AT)

    content = response.content.decode()
    assert [(r.campaign, [c.company_name for c in r.companies]) for r in response.context["published"]] == [
        (published, ["杭州甲科技有限公司"]),
    ]
    assert "2024年5月6日 公示：共 1 家公司入选。" in content
    assert "<td>杭州甲科技有限公司</td><td>mm*****01</td>" in content
    assert "mm_100001" not in content
    assert "杭州待公示科技有限公司" not in content
    assert "将于北京时间" not in content


def test_after_the_results_date_without_publication_the_page_lists_nothing(client, campaign, pending_selection):
    LeaderFactory(campaign=campaign, company_name="杭州导入团长有限公司")

    response = get(client, "results", RESULTS_AT + timedelta(days=1))

    assert response.context["published"] == []
    assert "杭州导入团长有限公司" not in response.content.decode()


def test_the_results_page_answers_only_safe_methods(client, published):
    response = client.post(reverse("results"))

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (beijing(2024, 4, 20, 10), "往期结果公示"),  # window open
        (beijing(2024, 5, 5, 23, 59, 59), "结果公示"),  # closed, results not public yet
        (RESULTS_AT, "查看入选名单"),  # public
    ],
)
def test_the_home_page_links_to_the_results(client, published, moment, text):
    response = get(client, "home", moment)

    content = response.content.decode()
    assert f'href="{reverse("results")}" id="results-link">{text}</a>' in content


def test_the_home_page_without_a_campaign_links_to_the_results(client, campaign):
    Campaign.objects.update(is_current=False)

    response = get(client, "home", RESULTS_AT)

    assert f'href="{reverse("results")}" id="results-link">结果公示</a>' in response.content.decode()
