"""The data steps of the reviews migrations: calls into attempts (0006), committees from the committee role (0007)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import CallOutcome
from reviews.models import CallAttempt, CommitteeMember
from tests.factories import CampaignFactory
from tests.reviews.factories import PhoneTaskFactory, staff_with_role

pytestmark = pytest.mark.django_db

CALLS = importlib.import_module("reviews.migrations.0006_call_attempts")
MIGRATION = importlib.import_module("reviews.migrations.0007_committees")


def test_every_campaign_gets_the_active_users_of_the_committee_role(campaign):
    other = CampaignFactory(slug="demo-review", is_current=False)
    for name in ("judge1", "judge2"):
        staff_with_role(roles.FINAL_COMMITTEE, username=name)
    staff_with_role(roles.FINAL_COMMITTEE, username="retired", is_active=False)
    staff_with_role(roles.OPERATIONS, username="ops")

    MIGRATION.committees_from_role(apps, None)
    MIGRATION.committees_from_role(apps, None)  # a second run adds nothing

    assert sorted(CommitteeMember.objects.values_list("campaign__slug", "member__username")) == [
        ("2024-nx2", "judge1"), ("2024-nx2", "judge2"), ("demo-review", "judge1"), ("demo-review", "judge2"),
    ]
    assert other.committee_members.count() == 2


def test_each_task_already_called_gets_its_call_as_the_first_attempt(db):
    operator = staff_with_role(roles.OPERATIONS)
    called = PhoneTaskFactory(outcome=CallOutcome.NO_ANSWER, called_by=operator,
                              called_at=beijing(2024, 4, 23, 9, 30, 15), note="无人接听")
    PhoneTaskFactory()  # never called

    CALLS.calls_into_attempts(apps, None)
    CALLS.calls_into_attempts(apps, None)  # a second run adds nothing

    assert list(CallAttempt.objects.values_list("task", "called_at", "called_by", "outcome", "note")) == [
        (called.pk, beijing(2024, 4, 23, 9, 30, 15), operator.pk, CallOutcome.NO_ANSWER, "无人接听"),
    ]


def test_the_campaign_admin_role_is_given_the_committee_permissions(db):
    group = Group.objects.get(name=roles.CAMPAIGN_ADMIN)
    group.permissions.remove(*group.permissions.filter(codename__in=MIGRATION.COMMITTEE_PERMISSIONS))

    MIGRATION.committee_permissions(apps, None)

    assert sorted(group.permissions.filter(content_type__app_label="reviews", codename__contains="committee")
                  .values_list("codename", flat=True)) == sorted(MIGRATION.COMMITTEE_PERMISSIONS)
