"""Shared fixtures. Tests marked ``postgres`` or ``redis`` skip (with that reason) on the SQLite pass."""

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from applications import services
from recruitment.timeutils import beijing
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CampaignFactory,
    CooperationCaseFactory,
    UserFactory,
)
from tests.notifications import sms_outbox


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not settings.CELERY_BROKER_URL:
        pytest.skip("needs Redis and a Celery worker: run with REDIS_URL=redis://…")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    # Tests render pages in the default language (zh-hans) unless they ask for another.
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set a password for every user; the default PBKDF2 rounds would dominate test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sms(settings):
    """SMS go to the recording backend (the provider's stand-in): yields what it was asked to send, as
    ``(number, kind, params)``; the texts as a reader sees them are in ``sms_outbox.SENT``."""
    settings.SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"
    sms_outbox.SENT.clear()
    sms_outbox.TEMPLATED.clear()
    yield sms_outbox.TEMPLATED
    sms_outbox.SENT.clear()
    sms_outbox.TEMPLATED.clear()


@pytest.fixture
def campaign(db):
    """The 2024 纳新 2.0 campaign (created by migration; re-created after a transactional flush)."""
    return CampaignFactory()


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def other_applicant(db):
    return UserFactory()


@pytest.fixture
def draft(campaign, applicant):
    return ApplicationFactory(campaign=campaign, applicant=applicant)


@pytest.fixture
def complete_draft(draft):
    """A draft with every answer, one cooperation case and one supporting file: ready to submit."""
    CooperationCaseFactory(application=draft)
    AttachmentFactory(application=draft)
    return draft


@pytest.fixture
def submitted(complete_draft, applicant):
    """``complete_draft`` submitted on 2024-04-20 10:00 Beijing time (through the service)."""
    return services.submit_application(complete_draft, actor=applicant, now=beijing(2024, 4, 20, 10))


@pytest.fixture
def inside_window():
    with time_machine.travel(beijing(2024, 4, 20, 10), tick=False):
        yield


@pytest.fixture
def after_deadline():
    with time_machine.travel(beijing(2024, 4, 26, 0, 0, 0), tick=False):
        yield
