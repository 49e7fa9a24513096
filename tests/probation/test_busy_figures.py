"""Pages that read live figures while a data import holds the orders table (PostgreSQL).

A campaign's first large import rebuilds the secondary indexes of the orders and enrolments tables
inside its transaction (probation.imports.pgcopy), which locks them until it commits. The leader's
status page and the probation board must then say so after a short wait instead of hanging until
the web server's timeout; once the lock is gone they show the figures again.
"""

import psycopg
import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from probation.progress import leader_progress
from recruitment.timeutils import beijing
from tests.probation.factories import LeaderFactory, staff_with

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = beijing(2024, 6, 20, 9)


class ImportLock:
    """Another session holding the lock a rebuilding import holds, until ``release``."""

    def __init__(self, tables=("probation_order", "probation_enrollment")):
        params = connection.get_connection_params()
        self.session = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
        self.session.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")

    def release(self):
        self.session.rollback()
        self.session.close()


@pytest.fixture
def locked():
    lock = ImportLock()
    yield lock
    if not lock.session.closed:
        lock.release()


@pytest.fixture
def leader(campaign):
    # No order or enrolment: this test's own transaction must not hold a lock on those tables.
    return LeaderFactory(campaign=campaign, leader_account="P01")


def test_the_status_figures_say_an_import_is_running_after_a_short_wait(leader, locked):
    progress = leader_progress(leader, now=NOW)
    html = render_to_string("probation/_progress.html", {"probation_progress": progress})

    assert (progress["busy"], progress["basic_months"], progress["special"], progress["periods"]) == (
        True, [], None, [],
    )
    assert 'id="probation-busy"' in html and 'id="probation-basic"' not in html
    assert progress["status"] == "probation" and progress["closure_rules"]
    # The page's connection works on, with its usual lock timeout.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone()[0] == "0"


def test_the_status_figures_come_back_once_the_import_commits(leader, locked):
    locked.release()

    progress = leader_progress(leader, now=NOW)
    html = render_to_string("probation/_progress.html", {"probation_progress": progress})

    assert progress["busy"] is False
    assert [m["code"] for m in progress["basic_months"]] == ["basic:2024-05", "basic:2024-06", "basic:2024-07"]
    assert 'id="probation-basic"' in html and 'id="probation-busy"' not in html


def test_the_board_says_an_import_is_running_and_still_counts_the_leaders(client, leader, locked):
    client.force_login(staff_with("probation.view_leader"))

    with time_machine.travel(NOW, tick=False):
        busy = client.get(reverse("admin:probation_board_changelist"))
    locked.release()
    with time_machine.travel(NOW, tick=False):
        free = client.get(reverse("admin:probation_board_changelist"))

    assert (busy.status_code, free.status_code) == (200, 200)
    assert (busy.context["figures_busy"], free.context["figures_busy"]) == (True, False)
    assert 'id="pb-busy"' in busy.text and 'id="pb-busy"' not in free.text
    assert [s["count"] for s in busy.context["statuses"]] == [s["count"] for s in free.context["statuses"]] == [1, 0, 0]
    assert [row.leader.leader_account for row in free.context["basic_at_risk"]] == ["P01"]

