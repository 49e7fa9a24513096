from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", acks_late=True, autoretry_for=(ConnectionError,), max_retries=5)
def deliver_notification(*, notification_id):
    return services.deliver(notification_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox():
    return services.sweep_outbox()
