"""``probation.evaluate_due`` through Redis and real Celery workers, against PostgreSQL.

(a) the in-thread worker of ``tests/workers.py`` runs the task and the permission is closed;
(b) a worker PROCESS killed in the middle of an evaluation leaves nothing half-done, and the rerun
    completes it: the test holds a row lock the evaluation must wait for, so the worker is provably
    inside its transaction when it is killed;
(c) the same for a recheck: the previous decisions stay intact and the rerun gives what a clean run gives.
"""

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from notifications.models import Notification
from probation.enums import LeaderStatus
from probation.models import CheckResult, Leader, LeaderStatusChange
from probation.tasks import evaluate_due, recheck
from recruitment.celery import app as celery_app
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, BasicCheckMonthFactory, CampaignFactory, UserFactory
from tests.probation.factories import LeaderFactory, MerchantFactory
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

CLOSED_AT = beijing(2024, 6, 1)


def _campaign_with_leader():
    """The 2024 campaign (re-created after the transactional flush) and one leader with no data; the data is
    marked complete up to the checkpoint's due time."""
    campaign = CampaignFactory(data_complete_until=CLOSED_AT)
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=beijing(2024, month, 1).date())
    # Notices go to the leader's own account (its e-mail and mobile).
    application = ApplicationFactory(campaign=campaign, applicant=UserFactory(username="boss@example.com",
                                                                              mobile="13800000001"))
    return LeaderFactory(campaign=campaign, leader_account="P01", application=application)


def _assert_fully_evaluated(leader):
    leader.refresh_from_db()
    assert (leader.status, leader.closed_at, leader.closure_reason) == (
        LeaderStatus.CLOSED, CLOSED_AT, "basic:2024-05;special:checkpoint"
    )
    assert sorted(CheckResult.objects.values_list("code", "passed")) == [
        ("basic:2024-05", False), ("special:checkpoint", False),
    ]
    assert LeaderStatusChange.objects.filter(leader=leader).count() == 1
    assert sorted(Notification.objects.values_list("event", "channel")) == [
        (f"probation_closed:{leader.pk}", channel) for channel in ("email", "inapp", "sms")
    ]


def test_a_real_worker_evaluates_and_closes_the_permission(celery_worker):  # noqa: F811
    leader = _campaign_with_leader()

    lines = evaluate_due.delay().get(timeout=30)

    assert lines[-1] == "2024-nx2: closed P01 at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)"
    _assert_fully_evaluated(leader)


class RowLock:
    """``SELECT … FOR UPDATE`` of one leader row from another connection (a thread), held until released."""

    def __init__(self, pk):
        self.pk, self.taken, self.release = pk, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with transaction.atomic():
                Leader.objects.select_for_update().get(pk=self.pk)
                self.taken.set()
                self.release.wait(timeout=120)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=10)


def _sql(query):
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _waiting_on_a_lock():
    return _sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")


def _other_backends():
    return _sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _start_worker(log):
    database = {**settings.DATABASES["default"]}
    url = f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:" \
          f"{database['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL,
           "DJANGO_SETTINGS_MODULE": "recruitment.settings"}
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    return subprocess.Popen(
        [str(celery), "-A", "recruitment", "worker", "--pool", "solo", "--loglevel", "info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def _killed_inside_its_transaction(tmp_path, leader, send):
    """Start a worker process, ``send`` its task, wait until it blocks on ``leader``'s row lock (inside its
    transaction), SIGKILL it and wait for its backend to roll back. Returns the dead worker process."""
    log = open(tmp_path / "worker.log", "w")
    worker = None
    try:
        with RowLock(leader.pk):
            worker = _start_worker(log)
            send()
            blocked = wait_until(_waiting_on_a_lock, timeout=60, interval=0.2)
            assert blocked == 1, (tmp_path / "worker.log").read_text()
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        # The killed worker's backend rolls back once it finds its client gone.
        assert wait_until(lambda: _other_backends() == 0, timeout=30) is True
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        log.close()
    return worker


@pytest.fixture
def clean_broker(transactional_db):
    celery_app.control.purge()
    yield
    celery_app.control.purge()
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index")  # the killed worker's message, not to be redelivered later


def test_a_worker_killed_mid_evaluation_leaves_nothing_and_the_rerun_completes(clean_broker, tmp_path):
    leader = _campaign_with_leader()
    worker = _killed_inside_its_transaction(tmp_path, leader, evaluate_due.delay)

    leader.refresh_from_db()
    assert worker.returncode == -signal.SIGKILL
    assert CheckResult.objects.count() == 0
    assert (leader.status, leader.closed_at, leader.closure_reason) == (LeaderStatus.PROBATION, None, "")
    assert LeaderStatusChange.objects.count() == 0
    assert Notification.objects.count() == 0

    evaluate_due.apply().get(timeout=30)  # the rerun (in process)

    _assert_fully_evaluated(leader)


def test_a_worker_killed_mid_recheck_keeps_the_previous_decisions_and_the_rerun_reinstates(clean_broker, tmp_path):
    leader = _campaign_with_leader()
    campaign = leader.campaign
    campaign.basic_months.update(min_activities=0, min_merchants=0, min_items=0, min_gmv=0)
    campaign.checkpoint_min_new_merchants = 1
    campaign.save()
    evaluate_due.apply().get(timeout=30)  # closed at the checkpoint: no new merchant yet
    MerchantFactory(leader=leader, opened_at=beijing(2024, 5, 31, 22))  # arrives late
    decided = sorted(CheckResult.objects.values_list("code", "passed", "metrics"))
    worker = _killed_inside_its_transaction(tmp_path, leader, lambda: recheck.delay(campaign_id=campaign.pk))

    leader.refresh_from_db()
    assert worker.returncode == -signal.SIGKILL
    assert (leader.status, leader.closed_at, leader.closure_reason) == (LeaderStatus.CLOSED, CLOSED_AT,
                                                                        "special:checkpoint")
    assert sorted(CheckResult.objects.values_list("code", "passed", "metrics")) == decided
    assert LeaderStatusChange.objects.count() == 1

    recheck.apply(kwargs={"campaign_id": campaign.pk}).get(timeout=30)  # the rerun (in process)

    leader.refresh_from_db()
    assert (leader.status, leader.closed_at, leader.closure_reason) == (LeaderStatus.PROBATION, None, "")
    assert sorted(CheckResult.objects.values_list("code", "passed")) == [
        ("basic:2024-05", True), ("special:checkpoint", True)]
    assert list(LeaderStatusChange.objects.order_by("pk").values_list("from_status", "to_status")) == [
        ("probation", "closed"), ("closed", "probation")]
    assert sorted(set(Notification.objects.values_list("event", flat=True))) == [
        f"probation_closed:{leader.pk}", f"probation_reinstated:{leader.pk}:1"]
