"""Fault 1: Redis is unreachable while an applicant submits.

The web process (gunicorn) runs with a broker on a closed loopback port — the machine's Redis keeps
running for everyone else. The submission must be saved and answered normally; its confirmation
waits in the outbox (PostgreSQL) and, once a broker answers again, the sweep run by a real Celery
worker sends it exactly once, however often the sweep runs.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications import services
from applications.enums import ApplicationStatus
from applications.models import Application, StatusChange
from notifications.models import Channel, Notification
from notifications.tasks import sweep_outbox
from recruitment.models import Campaign
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CooperationCaseFactory
from tests.faults.server import app_server, cookie_header, request, session_for, submit_form
from tests.workers import celery_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def open_draft(transactional_db):
    now = timezone.now()
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(
        slug="faults-open", application_opens_at=now - timedelta(days=1), application_closes_at=now + timedelta(days=1),
    )
    draft = ApplicationFactory(campaign=campaign, email="boss@example.com")
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    return draft


def test_submission_with_redis_down_is_saved_and_confirmed_once_when_it_is_back(
    open_draft, tmp_path, celery_worker  # noqa: F811
):
    cookie = cookie_header(session_for(open_draft.applicant))
    log = tmp_path / "gunicorn.log"

    with app_server(log, REDIS_URL=UNREACHABLE) as (host, port):
        started = time.monotonic()
        response = request(host, port, "POST", "/apply/declaration/", cookie=cookie, body=submit_form())
        elapsed = time.monotonic() - started
        status_page = request(host, port, "GET", "/status/", cookie=response.cookie_header(cookie))

    # The applicant is answered normally, quickly, and told the application was submitted.
    assert (response.status, response.location) == (302, "/status/"), log.read_text()
    assert elapsed < 10
    assert status_page.status == 200
    assert "申请已提交，确认邮件将随后发出。" in status_page.body
    # The submission is saved, with its audit row.
    application = Application.objects.get(pk=open_draft.pk)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    assert list(StatusChange.objects.filter(application=application).values_list("from_status", "to_status")) == [
        ("draft", "submitted"),
    ]
    # The confirmation waits in the outbox; the failed queueing was logged, not raised.
    (row,) = Notification.objects.all()
    assert (row.event, row.channel, row.address, row.sent_at, row.attempts) == (
        services.submission_event(application), Channel.EMAIL, open_draft.applicant.email, None, 0,
    )
    assert application.confirmation_sent_at is None
    assert "could not queue notification(s)" in log.read_text()
    assert "Error 111 connecting to 127.0.0.1:1" in log.read_text()
    assert mail.outbox == []

    # Redis is back: the beat's sweep (a real worker on the real broker) sends it a minute later, once.
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        first = sweep_outbox.delay().get(timeout=30)
        second = sweep_outbox.delay().get(timeout=30)
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [open_draft.applicant.email]
    assert message.subject == "申请已收到：淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）"
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (1, "")
    application.refresh_from_db()
    assert application.confirmation_sent_at == row.sent_at
