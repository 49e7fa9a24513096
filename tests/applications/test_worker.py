"""The confirmation e-mail goes through Redis to a real Celery worker, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications import services
from applications.models import Application
from tests.factories import ApplicationFactory, AttachmentFactory, CampaignFactory, CooperationCaseFactory
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis


def test_submission_confirmation_is_sent_once_by_a_real_worker(celery_worker):  # noqa: F811
    now = timezone.now()
    campaign = CampaignFactory(
        slug="worker-open", is_current=False,
        application_opens_at=now - timedelta(days=1), application_closes_at=now + timedelta(days=1),
    )
    draft = ApplicationFactory(campaign=campaign, email="boss@example.com")
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)

    services.submit_application(draft, actor=draft.applicant)

    assert wait_until(lambda: len(mail.outbox) == 1) is True
    assert wait_until(lambda: Application.objects.get(pk=draft.pk).confirmation_sent_at is not None) is True
    assert mail.outbox[0].to == [draft.applicant.email]  # the account's own address, not the questionnaire's
    # A duplicate delivery of the same task finds the confirmation claimed and sends nothing.
    from applications.tasks import send_submission_confirmation

    send_submission_confirmation.delay(application_id=draft.pk).get(timeout=10)
    assert len(mail.outbox) == 1
