"""The minimal probation admin."""

import pytest
from django.urls import reverse

from probation.enums import LeaderStatus
from probation.models import Violation
from tests.probation.factories import CheckResultFactory

pytestmark = pytest.mark.django_db


def test_leader_changelist_lists_leaders_with_status(admin_client, leader):
    response = admin_client.get(reverse("admin:probation_leader_changelist"))

    assert response.status_code == 200
    assert "P01" in response.text
    assert response.context["cl"].result_count == 1


def test_leader_change_page_shows_check_results(admin_client, leader):
    CheckResultFactory(leader=leader, code="special:checkpoint", passed=False)

    response = admin_client.get(reverse("admin:probation_leader_change", args=[leader.pk]))

    assert response.status_code == 200
    assert "special:checkpoint" in response.text


def test_violation_add_page_get_changes_nothing(admin_client, leader):
    response = admin_client.get(reverse("admin:probation_violation_add"))

    leader.refresh_from_db()
    assert response.status_code == 200
    assert Violation.objects.count() == 0
    assert leader.status == LeaderStatus.PROBATION
