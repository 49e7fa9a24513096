"""A Celery job failing again and again raises one alert (the environment's robot) per streak.

``task_failure`` and ``task_success`` are Celery's signals, sent in the worker after a task's last try: a failure
adds one to the task name's streak (``TaskFailureStreak``), a success ends it. When a streak reaches
``DINGTALK_TASK_FAILURE_STREAK`` failures in a row, one alert is raised (key: the task name and the streak's first
failure), so a job failing every minute says so once, and again only after it has succeeded in between. Tasks run
eagerly in process (a laptop without a broker, tests) are left out: their caller sees the error itself.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment import timeutils

from . import alerts
from .models import AlertKind, TaskFailureStreak

logger = logging.getLogger(__name__)


def record_failure(task_name, error, *, now=None):
    """Count one failure of ``task_name``; raise the streak's alert when it reaches the threshold. Returns the
    streak's length."""
    now = now or timezone.now()
    error_text = f"{type(error).__name__}: {error}"[:2000] if isinstance(error, BaseException) else str(error)[:2000]
    with transaction.atomic():
        streak, created = TaskFailureStreak.objects.get_or_create(
            task_name=task_name, defaults={"failures": 1, "first_failed_at": now, "last_failed_at": now,
                                           "last_error": error_text})
        if not created:
            TaskFailureStreak.objects.filter(pk=streak.pk).update(
                failures=F("failures") + 1, last_failed_at=now, last_error=error_text)
            streak.refresh_from_db()
        if streak.failures == settings.DINGTALK_TASK_FAILURE_STREAK:
            with alerts.site_language():
                alerts.raise_alert(
                    kind=AlertKind.TASK_FAILING,
                    key=f"task_failing:{task_name}:{alerts.key_time(streak.first_failed_at)}",
                    title=_("Scheduled job failing: %(task)s") % {"task": task_name},
                    text=_("The job %(task)s has failed %(count)d times in a row since %(since)s (Beijing time). "
                           "Last error: %(error)s") % {
                        "task": task_name, "count": streak.failures,
                        "since": timeutils.instant_text(streak.first_failed_at), "error": error_text},
                    mention=alerts.superusers(),
                )
    return streak.failures


def record_success(task_name):
    """A success ends the task's streak."""
    TaskFailureStreak.objects.filter(task_name=task_name).delete()


def _is_eager(sender):
    return bool(getattr(getattr(sender, "request", None), "is_eager", False))


def on_task_failure(sender=None, exception=None, **kwargs):
    if sender is None or _is_eager(sender):
        return
    try:
        record_failure(sender.name, exception)
    except Exception:  # the database itself may be what fails: never make the worker's failure worse
        logger.exception("could not record the failure of %s", getattr(sender, "name", sender))


def on_task_success(sender=None, **kwargs):
    if sender is None or _is_eager(sender):
        return
    try:
        record_success(sender.name)
    except Exception:
        logger.exception("could not record the success of %s", getattr(sender, "name", sender))


def connect():
    from celery.signals import task_failure, task_success

    task_failure.connect(on_task_failure, dispatch_uid="notifications.task_watch.failure")
    task_success.connect(on_task_success, dispatch_uid="notifications.task_watch.success")
