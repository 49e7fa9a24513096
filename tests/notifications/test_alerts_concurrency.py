"""Two sending passes at once (two workers, PostgreSQL row locks) still never exceed a robot's budget."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from notifications import alerts
from notifications.models import AlertKind, AlertStatus, DingTalkAlert, RobotRequest
from recruitment.timeutils import beijing
from tests.notifications.dingtalk_stub import SECRET, DingTalkStub

pytestmark = pytest.mark.postgres

T = beijing(2024, 5, 6, 9, 30)


def test_concurrent_passes_share_one_budget(transactional_db, settings):
    settings.DINGTALK_MESSAGES_PER_MINUTE = 18
    with DingTalkStub() as stub:
        settings.DINGTALK_ROBOT_WEBHOOK, settings.DINGTALK_ROBOT_SECRET = stub.webhook, SECRET
        DingTalkAlert.objects.bulk_create([  # written directly: raise_alert would send them at once on commit
            DingTalkAlert(kind=AlertKind.TASK_FAILING, key=f"c:{n}", title=f"告警{n}", text="x",
                          next_attempt_at=T - timedelta(seconds=1)) for n in range(60)])
        results, barrier = [], threading.Barrier(4)

        def worker():
            try:
                barrier.wait()
                results.append(alerts.send_pending())
            finally:
                connection.close()

        with time_machine.travel(T, tick=False):
            threads = [threading.Thread(target=worker) for _ in range(3)]
            for thread in threads:
                thread.start()
            barrier.wait()
            for thread in threads:
                thread.join(30)

    assert RobotRequest.objects.count() == len(stub.received) == 18
    assert sorted(results) == [0, 0, 37]
    assert DingTalkAlert.objects.filter(status=AlertStatus.SENT).count() == 37
