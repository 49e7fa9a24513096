"""Four submits of one draft from one session at the same instant: one submission, four identical answers.

Real threads on PostgreSQL, each request on its own connection: the draft's row is held locked while
the four requests start, and released once PostgreSQL shows all four waiting on it, so they provably
overlap (``tests.faults.concurrency.race_behind``).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application, StatusChange
from notifications.models import Notification
from recruitment.models import Campaign
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CooperationCaseFactory
from tests.faults.concurrency import race_behind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMIT = {"declaration_accepted": "on", "action": "submit"}


def test_four_concurrent_submits_from_one_session_submit_once_and_answer_alike():
    now = timezone.now()
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(slug="race-open", is_current=True, application_opens_at=now - timedelta(days=1),
                               application_closes_at=now + timedelta(days=1))
    draft = ApplicationFactory(campaign=campaign, declaration_accepted=False)
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    session = Client()
    session.force_login(draft.applicant)
    url = reverse("applications:section", args=["declaration"])

    def submit():
        client = Client(raise_request_exception=False)  # a 500 is an answer here, not an error of the test
        client.cookies = session.cookies
        response = client.post(url, SUBMIT)
        if response.status_code != 302:
            return response.status_code, None, []
        page = client.get(response["Location"])
        return response.status_code, response["Location"], [str(m) for m in page.context["messages"]]

    racers = race_behind(Application, draft.pk, submit, submit, submit, submit)

    assert racers.errors == []
    assert racers.results == [(302, reverse("applications:status"), ["申请已提交，确认邮件将随后发出。"])] * 4
    assert list(StatusChange.objects.filter(application=draft).values_list("from_status", "to_status")) == [
        (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED),
    ]
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert Notification.objects.filter(application=draft).count() == 1
