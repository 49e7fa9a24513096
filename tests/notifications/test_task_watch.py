"""A Celery job failing again and again: one alert per streak of ``DINGTALK_TASK_FAILURE_STREAK`` failures in a row
to the environment's robot, @-mentioning the superusers; a success ends the streak."""

from datetime import timedelta

import pytest
import time_machine

from notifications import task_watch
from notifications.models import AlertKind, DingTalkAlert, TaskFailureStreak
from recruitment.celery import app as celery_app
from recruitment.timeutils import beijing
from tests.factories import UserFactory
from tests.notifications.dingtalk_stub import SECRET, DingTalkStub
from tests.notifications.flaky_task import flaky_job
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

T = beijing(2024, 6, 1, 3, 0)


def fail_at(moment, name="probation.evaluate_due"):
    with time_machine.travel(moment, tick=False):
        return task_watch.record_failure(name, RuntimeError("database is locked"))


@pytest.mark.django_db
def test_the_third_failure_in_a_row_raises_one_alert_with_the_task_and_the_error(settings):
    settings.DINGTALK_TASK_FAILURE_STREAK = 3
    UserFactory(username="root", first_name="", last_name="", is_superuser=True, is_staff=True,
                dingtalk_user_id="ding-root")

    counts = [fail_at(T + timedelta(minutes=n)) for n in range(2)]
    assert DingTalkAlert.objects.count() == 0
    counts += [fail_at(T + timedelta(minutes=n)) for n in range(2, 5)]

    assert counts == [1, 2, 3, 4, 5]
    alert = DingTalkAlert.objects.get()
    assert (alert.kind, alert.campaign, alert.key) == (
        AlertKind.TASK_FAILING, None, "task_failing:probation.evaluate_due:2024-05-31T19:00:00Z")
    assert alert.title == "定时任务连续失败：probation.evaluate_due"
    assert alert.text == ("任务 probation.evaluate_due 自 2024-06-01 03:00:00（北京时间）起已连续失败 3 次。"
                          "最近的错误：RuntimeError: database is locked")
    assert alert.mentions == [{"name": "root", "user_id": "ding-root", "mobile": ""}]


@pytest.mark.django_db
def test_a_success_ends_the_streak_and_the_next_streak_raises_its_own_alert(settings):
    settings.DINGTALK_TASK_FAILURE_STREAK = 3
    for n in range(3):
        fail_at(T + timedelta(minutes=n))
    task_watch.record_success("probation.evaluate_due")
    assert TaskFailureStreak.objects.count() == 0

    for n in range(10, 13):
        fail_at(T + timedelta(minutes=n))

    assert list(DingTalkAlert.objects.order_by("pk").values_list("key", flat=True)) == [
        "task_failing:probation.evaluate_due:2024-05-31T19:00:00Z",
        "task_failing:probation.evaluate_due:2024-05-31T19:10:00Z",
    ]


@pytest.mark.django_db
def test_streaks_are_counted_per_task_name(settings):
    settings.DINGTALK_TASK_FAILURE_STREAK = 3
    fail_at(T, "a.job")
    fail_at(T, "b.job")
    fail_at(T, "a.job")

    assert dict(TaskFailureStreak.objects.values_list("task_name", "failures")) == {"a.job": 2, "b.job": 1}
    assert DingTalkAlert.objects.count() == 0


@pytest.mark.django_db
def test_an_eager_task_failing_is_not_counted(settings):
    settings.DINGTALK_TASK_FAILURE_STREAK = 1

    with pytest.raises(RuntimeError):
        flaky_job.apply(kwargs={"fail": True}, throw=True)

    assert (TaskFailureStreak.objects.count(), DingTalkAlert.objects.count()) == (0, 0)


@pytest.mark.redis
def test_a_job_failing_three_times_in_a_real_worker_alerts_the_group_once(celery_worker, settings):  # noqa: F811
    settings.DINGTALK_TASK_FAILURE_STREAK = 3
    with DingTalkStub() as stub:
        settings.DINGTALK_ROBOT_WEBHOOK, settings.DINGTALK_ROBOT_SECRET = stub.webhook, SECRET
        for _ in range(4):
            celery_app.tasks["tests.flaky_job"].delay(fail=True)
        assert wait_until(lambda: TaskFailureStreak.objects.filter(failures=4).exists())
        assert wait_until(lambda: len(stub.messages) == 1)

        celery_app.tasks["tests.flaky_job"].delay(fail=False)
        assert wait_until(lambda: not TaskFailureStreak.objects.exists())

    assert DingTalkAlert.objects.get().status == "sent"
    (message,) = stub.messages
    assert message["markdown"]["title"] == "定时任务连续失败：tests.flaky_job"
    assert "已连续失败 3 次。最近的错误：RuntimeError: the flaky job failed on purpose" in message["markdown"]["text"]
