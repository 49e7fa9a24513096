"""Shared fixtures. Tests marked ``postgres`` or ``redis`` skip (with that reason) on the SQLite pass."""

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ApplicationFactory, CampaignFactory, UserFactory


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
