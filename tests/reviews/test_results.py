"""结果公示 (reviews.results): what the public list holds, and from which instant."""

from datetime import timedelta

import pytest

from applications.enums import PendingDecision
from recruitment.timeutils import beijing
from reviews import publication, results
from reviews.roles import CAMPAIGN_ADMIN
from tests.factories import CampaignFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import FinalReviewApplicationFactory, scored_by_committee, staff_with_role

pytestmark = pytest.mark.django_db

RESULTS_AT = beijing(2024, 5, 6)
ONE_SECOND = timedelta(seconds=1)


def listed(now):
    return [(r.campaign.slug, r.published_at, [(c.company_name, c.masked_account) for c in r.companies])
            for r in results.published_results(now)]


@pytest.fixture
def published(campaign):
    """The 2024 campaign, published at its results date (as the demo publishes), with two leaders."""
    LeaderFactory(campaign=campaign, company_name="杭州乙科技有限公司", leader_account="mm_100002")
    LeaderFactory(campaign=campaign, company_name="杭州甲科技有限公司", leader_account="mm_100001")
    campaign.published_at = RESULTS_AT
    campaign.save(update_fields=["published_at"])
    return campaign


def test_nothing_is_listed_the_second_before_the_results_date(published):
    assert listed(RESULTS_AT - ONE_SECOND) == []


def test_the_selected_are_listed_from_the_results_date_to_the_second(published):
    assert listed(RESULTS_AT) == [
        ("2024-nx2", RESULTS_AT, [("杭州乙科技有限公司", "mm*****02"), ("杭州甲科技有限公司", "mm*****01")]),
    ]


def test_nothing_is_listed_after_the_results_date_while_publication_has_not_run(campaign):
    LeaderFactory(campaign=campaign, company_name="杭州导入团长有限公司")  # a roster imported early

    assert listed(RESULTS_AT + timedelta(days=30)) == []


def test_the_list_appears_the_second_publication_runs_and_never_shows_pending_decisions(campaign):
    admin = staff_with_role(CAMPAIGN_ADMIN)
    chosen = FinalReviewApplicationFactory(campaign=campaign, company_name="杭州入选科技有限公司",
                                           alliance_account="mm_200001")
    passed_over = FinalReviewApplicationFactory(campaign=campaign, company_name="杭州落选科技有限公司")
    scored_by_committee(chosen)  # selection needs every committee member's sheet
    publication.record_decision(chosen, actor=admin, decision=PendingDecision.SELECTED)
    publication.record_decision(passed_over, actor=admin, decision=PendingDecision.NOT_SELECTED)
    ran_at = beijing(2024, 5, 6, 10, 0, 0)

    before = listed(ran_at)  # decisions recorded, publication not run
    publication.publish_results(campaign, actor=admin, now=ran_at)

    assert before == []
    assert listed(ran_at - ONE_SECOND) == []
    assert listed(ran_at) == [("2024-nx2", ran_at, [("杭州入选科技有限公司", "mm*****01")])]


def test_campaigns_published_earlier_stay_listed_newest_first(published):
    later = CampaignFactory(
        slug="2025-nx3", name="纳新 3.0", is_current=False, results_published_at=beijing(2025, 5, 6),
        published_at=beijing(2025, 5, 6, 9, 30),
    )
    LeaderFactory(campaign=later, company_name="杭州三期科技有限公司", leader_account="mm_300001")

    assert [(slug, at) for slug, at, _companies in listed(beijing(2025, 5, 6, 9, 30))] == [
        ("2025-nx3", beijing(2025, 5, 6, 9, 30)), ("2024-nx2", RESULTS_AT),
    ]
    assert [slug for slug, _at, _companies in listed(beijing(2025, 5, 6, 9, 29, 59))] == ["2024-nx2"]
