"""Celery tasks of the DingTalk alerts (registered by ``NotificationsConfig.ready``; queued by name)."""

from celery import shared_task

from . import alerts


@shared_task(name="notifications.send_alerts", ignore_result=True)
def send_alerts():
    """Send the due alerts within each robot's budget (after a raise, and every minute by beat)."""
    return alerts.send_pending()
