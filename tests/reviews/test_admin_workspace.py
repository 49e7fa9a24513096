"""One campaign at a time in the admin (reviews.admin.workspace): the header's switch, the queues' campaign filter
defaulting to the campaign worked on, the dashboard and the ranking of that campaign."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import WorkspaceChoice
from recruitment.timeutils import beijing
from reviews.models import CommitteeMember, RiskAssessment
from reviews.roles import CAMPAIGN_ADMIN, FINAL_COMMITTEE, OPERATIONS, RISK_OFFICER, ROUND1_REVIEWER
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import (
    FilingFactory,
    FinalReviewApplicationFactory,
    PhoneTaskFactory,
    ScoreSheetFactory,
    SubmittedApplicationFactory,
    judge_of,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

SWITCH = "admin:workspace_campaign"


@pytest.fixture(autouse=True)
def _results_day():
    """2024-05-06 10:00: the 2024 campaign in review (its results day), the 2023 campaign in probation."""
    with time_machine.travel(beijing(2024, 5, 6, 10), tick=False):
        yield


@pytest.fixture
def campaigns(campaign):
    """``review``: the 2024 campaign, unpublished; ``probation``: published, probation under way; ``current``: open
    for applications (the campaign the dashboard used to show whatever the role)."""
    campaign.is_current = False
    campaign.save(update_fields=["is_current"])
    probation = CampaignFactory(
        slug="2023-nx1", name="纳新 1.0（2023）", is_current=False, application_opens_at=beijing(2023, 10, 1),
        published_at=beijing(2023, 12, 1), probation_starts_on=date(2024, 1, 1), probation_ends_on=date(2024, 7, 31),
    )
    current = CampaignFactory(slug="2024-nx3", name="纳新 3.0（2024）", is_current=True,
                              application_opens_at=beijing(2024, 5, 1), review_starts_on=date(2024, 6, 1))
    return {"review": campaign, "probation": probation, "current": current}


def _assessment(campaign, name):
    application = FilingFactory(application__campaign=campaign, application__company_name=name).application
    return RiskAssessment.objects.create(application=application, passed=True, results=[])


# queue: (change list, role, campaign parameter, one row of a campaign named ``name``)
QUEUES = {
    "round1": ("reviews_round1queue", ROUND1_REVIEWER, "campaign__id__exact",
               lambda campaign, name: SubmittedApplicationFactory(campaign=campaign, company_name=name)),
    "phone_tasks": ("reviews_phonetask", OPERATIONS, "application__campaign__id__exact",
                    lambda campaign, name: PhoneTaskFactory(application__campaign=campaign,
                                                            application__company_name=name)),
    "filings": ("reviews_riskqueue", RISK_OFFICER, "campaign__id__exact",
                lambda campaign, name: FilingFactory(application__campaign=campaign,
                                                     application__company_name=name).application),
    "risk_assessments": ("reviews_riskassessment", RISK_OFFICER, "application__campaign__id__exact", _assessment),
    "round3": ("reviews_finalreviewqueue", FINAL_COMMITTEE, "campaign__id__exact",
               lambda campaign, name: FinalReviewApplicationFactory(campaign=campaign, company_name=name)),
    "applications": ("applications_application", ROUND1_REVIEWER, "campaign__id__exact",
                     lambda campaign, name: SubmittedApplicationFactory(campaign=campaign, company_name=name)),
}
# The campaign each role works on by default on 2024-05-06.
DEFAULT_OF = {ROUND1_REVIEWER: "review", RISK_OFFICER: "review", FINAL_COMMITTEE: "review", OPERATIONS: "probation"}


def shown(client, changelist, query=None):
    response = client.get(reverse(f"admin:{changelist}_changelist"), query or {})
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    return sorted(getattr(row, "company_name", None) or row.application.company_name for row in rows)


@pytest.fixture(params=sorted(QUEUES))
def queue(request, client, campaigns):
    changelist, role, parameter, make = QUEUES[request.param]
    for key in ("review", "probation", "current"):
        make(campaigns[key], f"{key}公司")
    user = staff_with_role(role)
    if role == FINAL_COMMITTEE:  # a judge sees the campaigns whose committee they sit on: seat them on all three
        for key in ("review", "probation", "current"):
            CommitteeMember.objects.create(campaign=campaigns[key], member=user)
    client.force_login(user)
    return {"changelist": changelist, "parameter": parameter, "user": user, "default": f"{DEFAULT_OF[role]}公司"}


def test_a_queue_shows_the_campaign_the_role_works_on(client, queue):
    assert shown(client, queue["changelist"]) == [queue["default"]]
    assert WorkspaceChoice.objects.count() == 0  # reading a list remembers nothing


def test_a_queue_shows_the_campaign_chosen(client, campaigns, queue):
    WorkspaceChoice.objects.create(user=queue["user"], campaign=campaigns["current"])

    assert shown(client, queue["changelist"]) == ["current公司"]


def test_a_campaign_named_in_the_url_wins_over_the_choice(client, campaigns, queue):
    WorkspaceChoice.objects.create(user=queue["user"], campaign=campaigns["current"])

    assert shown(client, queue["changelist"], {queue["parameter"]: campaigns["review"].pk}) == ["review公司"]
    assert WorkspaceChoice.objects.get().campaign == campaigns["current"]


def test_all_campaigns_on_request(client, queue):
    every = ["current公司", "probation公司", "review公司"]

    assert shown(client, queue["changelist"], {queue["parameter"]: "all"}) == every


def test_a_campaign_value_that_is_no_number_is_refused_as_django_refuses_a_bad_filter(client, queue):
    url = reverse(f"admin:{queue['changelist']}_changelist")

    response = client.get(url, {queue["parameter"]: "abc"})

    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")


def test_the_sidebar_marks_the_campaign_shown_and_offers_all(client, campaigns):
    client.force_login(staff_with_role(ROUND1_REVIEWER))

    response = client.get(reverse("admin:reviews_round1queue_changelist"))

    spec = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "campaign__id__exact")
    choices = [(c["display"], c["selected"], c["query_string"]) for c in spec.choices(response.context["cl"])]
    assert choices == [
        ("全部活动", False, "?campaign__id__exact=all"),
        ("纳新 3.0（2024）", False, f"?campaign__id__exact={campaigns['current'].pk}"),
        (campaigns["review"].name, True, f"?campaign__id__exact={campaigns['review'].pk}"),
        ("纳新 1.0（2023）", False, f"?campaign__id__exact={campaigns['probation'].pk}"),
    ]


def test_round_1_counts_are_those_of_the_campaign_shown(client, campaigns):
    SubmittedApplicationFactory.create_batch(2, campaign=campaigns["review"])
    SubmittedApplicationFactory(campaign=campaigns["current"])
    client.force_login(staff_with_role(ROUND1_REVIEWER))
    url = reverse("admin:reviews_round1queue_changelist")

    default = client.get(url).context["round1_counts"]["waiting"]
    everything = client.get(url, {"campaign__id__exact": "all"}).context["round1_counts"]["waiting"]

    assert (default, everything) == (2, 3)


# --- The switch in the header ----------------------------------------------------------------------------


def test_every_admin_page_shows_the_switch_with_the_campaign_worked_on(client, campaigns):
    client.force_login(staff_with_role(OPERATIONS))

    response = client.get(reverse("admin:reviews_phonetask_changelist"))

    assertContains(response, '<label for="workspace-campaign">工作活动</label>', html=True)
    probation, review = campaigns["probation"], campaigns["review"]
    assertContains(response, f'<option value="{probation.pk}" selected>{probation.name}</option>', html=True)
    assertContains(response, f'<option value="{review.pk}">{review.name}</option>', html=True)


def test_the_login_page_shows_no_switch(client, campaigns):
    response = client.get(reverse("admin:login"))

    assertNotContains(response, '<form id="workspace-switch"')


def test_switching_remembers_the_campaign_and_returns_without_the_campaign_in_the_url(client, campaigns):
    judge = staff_with_role(FINAL_COMMITTEE)
    client.force_login(judge)
    queue = reverse("admin:reviews_finalreviewqueue_changelist")
    back = f"{queue}?campaign__id__exact={campaigns['review'].pk}&mine=no"

    response = client.post(reverse(SWITCH), {"campaign": campaigns["probation"].pk, "next": back})

    assert (response.status_code, response["Location"]) == (302, f"{queue}?mine=no")
    assert list(WorkspaceChoice.objects.values_list("user", "campaign")) == [(judge.pk, campaigns["probation"].pk)]
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["您现在处理的活动是“纳新 1.0（2023）”。"]


def test_switching_again_replaces_the_choice(client, campaigns):
    judge = staff_with_role(FINAL_COMMITTEE)
    client.force_login(judge)

    client.post(reverse(SWITCH), {"campaign": campaigns["probation"].pk})
    client.post(reverse(SWITCH), {"campaign": campaigns["current"].pk})

    assert list(WorkspaceChoice.objects.values_list("campaign", flat=True)) == [campaigns["current"].pk]


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_switching_to_no_campaign_is_refused_with_a_message(client, campaigns, value):
    client.force_login(staff_with_role(FINAL_COMMITTEE))

    response = client.post(reverse(SWITCH), {"campaign": value}, follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["请从列表中选择一个活动。"]
    assert WorkspaceChoice.objects.count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/", "javascript:alert(1)"])
def test_switching_never_sends_to_another_site(client, campaigns, target):
    client.force_login(staff_with_role(FINAL_COMMITTEE))

    response = client.post(reverse(SWITCH), {"campaign": campaigns["review"].pk, "next": target})

    assert response["Location"] == reverse("admin:index")


def test_a_get_of_the_switch_changes_nothing(client, campaigns):
    client.force_login(staff_with_role(FINAL_COMMITTEE))

    response = client.get(reverse(SWITCH), {"campaign": campaigns["probation"].pk})

    assert response.status_code == 405
    assert WorkspaceChoice.objects.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "applicant"])
def test_only_staff_may_switch(client, campaigns, who):
    if who == "applicant":
        client.force_login(UserFactory())

    response = client.post(reverse(SWITCH), {"campaign": campaigns["probation"].pk})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("admin:login"))
    assert WorkspaceChoice.objects.count() == 0


# --- The dashboard and the ranking of the campaign worked on ----------------------------------------------


def test_a_member_sees_what_they_have_not_scored_in_the_campaign_in_review(client, campaigns):
    """Issue 12: "我尚未评分 0" while the campaign in review held two applications the member had not scored."""
    judge = judge_of(campaigns["review"])
    finalists = FinalReviewApplicationFactory.create_batch(3, campaign=campaigns["review"])
    ScoreSheetFactory(application=finalists[0], reviewer=judge)
    client.force_login(judge)

    response = client.get(reverse("admin:index"))

    dashboard = response.context["dashboard"]
    assert dashboard["campaign"] == campaigns["review"]
    assert [(q.label, q.count, q.url) for q in dashboard["queues"]] == [(
        "终审：我尚未评分", 2,
        f"{reverse('admin:reviews_finalreviewqueue_changelist')}?campaign__id__exact={campaigns['review'].pk}&mine=no",
    )]
    assertContains(response, f"<h2 id=\"dashboard-campaign\" data-campaign=\"{campaigns['review'].pk}\">"
                              f"工作活动：{campaigns['review'].name}</h2>", html=True)


def test_the_dashboard_follows_the_switch(client, campaigns):
    judge = judge_of(campaigns["review"], campaigns["current"])
    FinalReviewApplicationFactory.create_batch(2, campaign=campaigns["review"])
    FinalReviewApplicationFactory(campaign=campaigns["current"])
    client.force_login(judge)

    client.post(reverse(SWITCH), {"campaign": campaigns["current"].pk})
    dashboard = client.get(reverse("admin:index")).context["dashboard"]

    assert (dashboard["campaign"], [q.count for q in dashboard["queues"]]) == (campaigns["current"], [1])


def test_operations_open_the_dashboard_on_the_campaign_in_probation(client, campaigns):
    SubmittedApplicationFactory(campaign=campaigns["review"])
    client.force_login(staff_with_role(OPERATIONS))

    dashboard = client.get(reverse("admin:index")).context["dashboard"]

    assert dashboard["campaign"] == campaigns["probation"]
    assert sum(step.count for step in dashboard["funnel"]) == 0


@pytest.mark.parametrize(("query", "expected"), [({}, "review"), ({"campaign": "probation"}, "probation")])
def test_the_ranking_shows_the_campaign_worked_on_unless_the_url_names_one(client, campaigns, query, expected):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))
    query = {key: campaigns[value].pk for key, value in query.items()}

    response = client.get(reverse("admin:reviews_ranking"), query)

    assert response.context["campaign"] == campaigns[expected]


def test_the_ranking_follows_the_switch(client, campaigns):
    client.force_login(staff_with_role(CAMPAIGN_ADMIN))

    client.post(reverse(SWITCH), {"campaign": campaigns["current"].pk})
    response = client.get(reverse("admin:reviews_ranking"))

    assert response.context["campaign"] == campaigns["current"]
