from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver_notification(*, notification_id):
    return services.deliver(notification_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox():
    return services.sweep_outbox()
