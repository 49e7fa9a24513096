"""Before publication a round-1 rejection reads, and behaves, exactly like a pending submission."""

import pytest
import time_machine
from django.contrib.auth.models import Group

from applications.enums import ApplicationStatus as S
from recruitment.timeutils import beijing
from reviews import roles
from reviews.round1 import decide_round1
from tests.factories import ApplicationFactory, AttachmentFactory, CooperationCaseFactory, UserFactory

pytestmark = pytest.mark.django_db
DURING_REVIEW = beijing(2024, 4, 23, 10)


@pytest.fixture
def pair(campaign):
    """Two submitted applications; staff reject the second in round 1 (unpublished)."""
    reviewer = UserFactory(username="r1", is_staff=True)
    roles.ensure_roles()
    reviewer.groups.add(Group.objects.get(name=roles.ROUND1_REVIEWER))
    apps = []
    for _ in range(2):
        app = ApplicationFactory(campaign=campaign, status=S.SUBMITTED, submitted_at=beijing(2024, 4, 20, 9))
        CooperationCaseFactory(application=app)
        AttachmentFactory(application=app)
        apps.append(app)
    with time_machine.travel(beijing(2024, 4, 22, 15), tick=False):
        decide_round1(apps[1], actor=reviewer, passed=False, reason="材料不足")
    return apps


def page(client, user, url):
    client.force_login(user)
    with time_machine.travel(DURING_REVIEW, tick=False):
        response = client.get(url)
    html = response.content.decode()
    return response.status_code, html


@pytest.mark.parametrize("url", ["/apply/overview/", "/apply/identity/"])
def test_answers_pages_show_a_hidden_rejection_as_submitted(client, pair, url):
    pending, rejected = pair

    pending_page = page(client, pending.applicant, url)
    rejected_page = page(client, rejected.applicant, url)

    assert pending_page[0] == rejected_page[0] == 200
    for _status, html in (pending_page, rejected_page):
        assert "该申请状态为“已提交”" in html
        assert "初审未通过" not in html
    assert ("提交时间" in pending_page[1]) == ("提交时间" in rejected_page[1])


def test_withdrawing_a_hidden_rejection_works_like_a_pending_one(client, pair):
    pending, rejected = pair

    confirm_pending = page(client, pending.applicant, "/status/withdraw/")
    confirm_rejected = page(client, rejected.applicant, "/status/withdraw/")
    for app in pair:
        client.force_login(app.applicant)
        with time_machine.travel(DURING_REVIEW, tick=False):
            client.post("/status/withdraw/")
            status_html = client.get("/status/").content.decode()
        app.refresh_from_db()
        assert app.status == S.WITHDRAWN
        assert "初审未通过" not in status_html

    assert confirm_pending[0] == confirm_rejected[0] == 200
    assert 'id="btn-confirm-withdraw"' in confirm_pending[1] and 'id="btn-confirm-withdraw"' in confirm_rejected[1]


def test_a_withdrawn_application_with_a_round1_decision_is_reopened_like_any_other(client, pair):
    answers = {}
    for app in pair:
        client.force_login(app.applicant)
        with time_machine.travel(DURING_REVIEW, tick=False):
            client.post("/status/withdraw/")
            response = client.post("/status/reopen/")
        app.refresh_from_db()
        answers[app.pk] = (response["Location"], app.status, app.submitted_at)

    pending, rejected = pair
    assert answers[pending.pk] == answers[rejected.pk] == ("/apply/declaration/", S.DRAFT, None)
    # The history is kept: the hidden decision stays in the audit trail, the applicant's steps follow it.
    assert list(rejected.status_changes.order_by("pk").values_list("from_status", "to_status")) == [
        (S.SUBMITTED, S.ROUND1_REJECTED), (S.ROUND1_REJECTED, S.WITHDRAWN), (S.WITHDRAWN, S.DRAFT),
    ]


def test_after_publication_a_rejection_can_no_longer_be_withdrawn(client, pair):
    _pending, rejected = pair
    rejected.campaign.published_at = beijing(2024, 4, 24)
    rejected.campaign.results_published_at = beijing(2024, 4, 24)
    rejected.campaign.save(update_fields=["published_at", "results_published_at"])
    client.force_login(rejected.applicant)

    with time_machine.travel(beijing(2024, 4, 24, 12), tick=False):
        client.post("/status/withdraw/")

    rejected.refresh_from_db()
    assert rejected.status == S.ROUND1_REJECTED
