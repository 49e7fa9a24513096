"""The campaign a member of staff works on (reviews.workspace): the default of each role's stage, and the choice
remembered per user."""

from datetime import date

import pytest

from accounts.models import WorkspaceChoice
from recruitment.timeutils import beijing
from reviews import workspace
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import staff_with_role

pytestmark = pytest.mark.django_db

REVIEW_ROLES = [ROUND1_REVIEWER, RISK_OFFICER, FINAL_COMMITTEE, CAMPAIGN_ADMIN]


@pytest.fixture
def three(campaign):
    """The 2024 campaign in review from 2024-04-22 (not current); the 2023 campaign published, its probation
    running to 2024-04-30; the next campaign current (its window opens 2024-05-01)."""
    campaign.is_current = False
    campaign.save(update_fields=["is_current"])
    probation = CampaignFactory(
        slug="2023-nx1", name="纳新 1.0（2023）", is_current=False, application_opens_at=beijing(2023, 10, 1),
        published_at=beijing(2023, 12, 1), probation_starts_on=date(2024, 1, 1), probation_ends_on=date(2024, 4, 30),
    )
    upcoming = CampaignFactory(
        slug="2024-nx3", name="纳新 3.0（2024）", is_current=True, application_opens_at=beijing(2024, 5, 1),
        review_starts_on=date(2024, 6, 1),
    )
    return {"review": campaign, "probation": probation, "current": upcoming}


def default_of(user, at):
    return workspace.default_campaign(user, now=at)


@pytest.mark.parametrize("role", REVIEW_ROLES)
@pytest.mark.parametrize(
    ("at", "expected"),
    [(beijing(2024, 4, 21, 23, 59, 59), "current"), (beijing(2024, 4, 22, 0, 0, 0), "review")],
)
def test_review_roles_default_to_the_campaign_in_review_from_its_first_day(three, role, at, expected):
    """Before any review starts, the current campaign (open for applications) is the next to review."""
    assert default_of(staff_with_role(role), at) == three[expected]


@pytest.mark.parametrize(
    ("at", "expected"),
    [(beijing(2024, 4, 30, 23, 59, 59), "probation"), (beijing(2024, 5, 1, 0, 0, 0), "review")],
)
def test_operations_default_to_the_campaign_in_probation_while_it_runs(three, at, expected):
    assert default_of(staff_with_role(OPERATIONS), at) == three[expected]


def test_operations_default_to_a_campaign_in_probation_only_once_published(three):
    ops = staff_with_role(OPERATIONS)
    at = beijing(2024, 4, 22, 10)
    three["probation"].published_at = None
    three["probation"].save(update_fields=["published_at"])

    assert default_of(ops, at) == three["review"]


def test_a_published_campaign_is_no_longer_in_review(three):
    reviewer = staff_with_role(ROUND1_REVIEWER)
    at = beijing(2024, 5, 6, 10)
    before = default_of(reviewer, at)
    three["review"].published_at = beijing(2024, 5, 6, 9)
    three["review"].save(update_fields=["published_at"])

    assert (before, default_of(reviewer, at)) == (three["review"], three["current"])


def test_of_two_campaigns_in_review_the_latest_is_the_default(three):
    later = CampaignFactory(slug="2024-nx2b", is_current=False, application_opens_at=beijing(2024, 4, 2))

    assert default_of(staff_with_role(FINAL_COMMITTEE), beijing(2024, 4, 22, 10)) == later


def test_superusers_and_staff_without_a_role_work_on_review(three):
    at = beijing(2024, 4, 22, 10)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    nobody = UserFactory(is_staff=True)

    assert (default_of(superuser, at), default_of(nobody, at)) == (three["review"], three["review"])


def test_the_only_campaign_is_everyones_default(campaign):
    at = beijing(2030, 1, 1)

    assert [default_of(staff_with_role(role), at) for role in (ROUND1_REVIEWER, OPERATIONS)] == [campaign, campaign]


def test_the_choice_wins_over_the_default_and_is_kept_per_user(three):
    judge, other_judge = staff_with_role(FINAL_COMMITTEE), staff_with_role(FINAL_COMMITTEE)
    at = beijing(2024, 4, 22, 10)

    workspace.choose_campaign(judge, three["probation"])
    workspace.choose_campaign(judge, three["current"])

    assert workspace.chosen_campaign(judge, now=at) == three["current"]
    assert workspace.chosen_campaign(other_judge, now=at) == three["review"]
    assert list(WorkspaceChoice.objects.values_list("user", "campaign")) == [(judge.pk, three["current"].pk)]


def test_a_deleted_campaign_gives_way_to_the_default(three):
    judge = staff_with_role(FINAL_COMMITTEE)
    workspace.choose_campaign(judge, three["current"])

    three["current"].delete()

    assert workspace.chosen_campaign(judge, now=beijing(2024, 4, 22, 10)) == three["review"]
    assert WorkspaceChoice.objects.count() == 0
