"""Fault 2: the same scheduled task delivered twice, both copies running at the same time.

Celery delivers at least once (``acks_late``: a message whose worker died is delivered again; a beat
restarted at the wrong moment may send a tick twice). Two ``probation.evaluate_due`` runs racing on
PostgreSQL must leave exactly what one clean run leaves, and notify each leader once; two deliveries
of one notification (the after-commit task and the sweep) send one e-mail. The worker killed in the
middle of an evaluation is tested in ``tests/probation/test_worker.py``.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Channel, Notification
from notifications.tasks import deliver_notification, sweep_outbox
from probation.enums import LeaderStatus
from probation.models import CheckResult, Leader, LeaderStatusChange
from probation.tasks import evaluate_due
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.factories import ApplicationFactory, BasicCheckMonthFactory, CampaignFactory, UserFactory
from tests.faults.concurrency import race_behind
from tests.probation.factories import LeaderFactory

pytestmark = pytest.mark.postgres

CLOSED_AT = beijing(2024, 6, 1)


def run(task, **kwargs):
    """Execute ``task`` here as a worker would (its own thread stands for another worker process)."""
    result = task.apply(kwargs=kwargs)
    assert result.successful(), result.traceback
    return result.result


@pytest.fixture
def leaders(transactional_db):
    """Three leaders of the 2024 campaign with no data: each fails May and the checkpoint, due 2024-06-01 (the
    data is marked complete up to then)."""
    campaign = CampaignFactory(data_complete_until=CLOSED_AT)
    for month in (5, 6, 7):
        BasicCheckMonthFactory(campaign=campaign, month=beijing(2024, month, 1).date())
    return [
        LeaderFactory(
            campaign=campaign, leader_account=f"P0{n}",
            application=ApplicationFactory(campaign=campaign, applicant=UserFactory(  # notices go to the account
                username=f"leader{n}@example.com", mobile=f"1380000000{n}")),
        )
        for n in (1, 2, 3)
    ]


def test_evaluate_due_delivered_twice_at_once_closes_and_notifies_once(leaders):
    campaign = leaders[0].campaign

    with time_machine.travel(beijing(2024, 6, 15), tick=True):
        racers = race_behind(Campaign, campaign.pk, lambda: run(evaluate_due), lambda: run(evaluate_due))

    assert racers.errors == []
    # One run did the work, the other found every result recorded and changed nothing.
    first, second = sorted(racers.results, key=len)
    assert first == []
    assert second[-3:] == [
        f"2024-nx2: closed P0{n} at 2024-06-01T00:00:00+08:00 (basic:2024-05;special:checkpoint)" for n in (1, 2, 3)
    ]
    assert sorted(CheckResult.objects.values_list("leader__leader_account", "code", "passed")) == [
        (f"P0{n}", code, False) for n in (1, 2, 3) for code in ("basic:2024-05", "special:checkpoint")
    ]
    assert sorted(Leader.objects.values_list("leader_account", "status", "closed_at", "closure_reason")) == [
        (f"P0{n}", LeaderStatus.CLOSED, CLOSED_AT, "basic:2024-05;special:checkpoint") for n in (1, 2, 3)
    ]
    assert LeaderStatusChange.objects.count() == 3
    assert sorted(Notification.objects.values_list("event", "channel")) == sorted(
        (f"probation_closed:{leader.pk}", channel) for leader in leaders for channel in ("email", "inapp", "sms")
    )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [f"leader{n}@example.com" for n in (1, 2, 3)]


def test_the_delivery_task_and_the_sweep_racing_on_one_row_send_it_once(transactional_db):
    user = UserFactory(email="someone@example.com")
    # A row left unsent two minutes ago (its after-commit queueing found no broker).
    row = Notification.objects.create(
        recipient=user, event="ping:1", channel=Channel.EMAIL, address="someone@example.com", subject="初审通过",
        body="请完成系统备案。",
    )
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    racers = race_behind(
        Notification, row.pk,
        lambda: run(deliver_notification, notification_id=row.pk),
        lambda: run(sweep_outbox),
    )

    assert racers.errors == []
    assert sorted(int(sent) for sent in racers.results) == [0, 1]
    assert [(m.subject, m.to) for m in mail.outbox] == [("初审通过", ["someone@example.com"])]
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 1
