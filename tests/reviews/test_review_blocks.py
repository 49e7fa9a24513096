"""The dashboard's one-line blocks (reviews.templatetags.review_blocks): the calls waiting (待致电)."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from reviews import roles
from reviews.enums import CallOutcome
from tests.factories import CampaignFactory, UserFactory
from tests.reviews.factories import PhoneTaskFactory, staff_with_role

pytestmark = pytest.mark.django_db

BLOCK = Template("{% load review_blocks %}{% calls_waiting_block campaign %}")


def render(user, campaign):
    request = RequestFactory().get("/admin/")
    request.user = user
    return BLOCK.render(Context({"request": request, "campaign": campaign}))


@pytest.fixture
def waiting(campaign):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    for outcome in [CallOutcome.PENDING, CallOutcome.NO_ANSWER, CallOutcome.NO_ANSWER, CallOutcome.REACHED]:
        PhoneTaskFactory(application__campaign=campaign, outcome=outcome)
    PhoneTaskFactory(application__campaign=other, outcome=CallOutcome.PENDING)
    return campaign


@pytest.mark.parametrize("role", [roles.OPERATIONS, roles.ROUND1_REVIEWER, roles.CAMPAIGN_ADMIN])
def test_staff_who_see_phone_tasks_get_the_campaigns_calls_waiting(waiting, role):
    html = render(staff_with_role(role), waiting)

    assert '<td class="count" id="calls-waiting-total">3</td>' in html
    assert '<td class="count">1</td>' in html and '<td class="count">2</td>' in html
    assert f"to_call=yes&amp;application__campaign__id__exact={waiting.pk}" in html


@pytest.mark.parametrize("role", [roles.RISK_OFFICER, roles.FINAL_COMMITTEE, None])
def test_others_get_nothing(waiting, role):
    user = staff_with_role(role) if role else UserFactory(is_staff=True)

    assert render(user, waiting).strip() == ""


def test_no_campaign_renders_nothing(db):
    assert render(staff_with_role(roles.OPERATIONS), None).strip() == ""
