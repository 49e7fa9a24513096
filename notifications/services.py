"""One entry point for telling people things: ``notify``. Decisions call it inside their transaction."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .channels import SENDERS
from .models import Channel, Notification

logger = logging.getLogger(__name__)


def _addresses(recipient, application):
    """Where each channel reaches the person: the application's contact details, else the account's."""
    email = (application.email if application else "") or recipient.email
    mobile = (application.mobile if application else "") or getattr(recipient, "mobile", "")
    return {Channel.EMAIL: email, Channel.SMS: mobile, Channel.IN_APP: ""}


def notify(*, event, recipient, template, context=None, application=None, channels=None):
    """Record a notification of ``event`` for ``recipient`` on each channel, once, and send it after commit.

    ``template`` names ``notifications/<template>_subject.txt`` and ``…_body.txt``, rendered in the
    site language. A channel without an address (no e-mail, no mobile) is skipped. Calling it again
    for the same event does nothing: the unique constraint keeps the first row.
    """
    channels = channels or settings.NOTIFICATION_CHANNELS
    context = {"recipient": recipient, "application": application, **(context or {})}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/{template}_subject.txt", context).split())
        body = render_to_string(f"notifications/{template}_body.txt", context).strip()
    addresses = _addresses(recipient, application)
    created = []
    for channel in channels:
        if channel != Channel.IN_APP and not addresses[channel]:
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=recipient, application=application, event=event, channel=channel,
                        address=addresses[channel], subject=subject, body=body,
                    )
                )
        except IntegrityError:
            continue  # already recorded for this event: at most once
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return created


def _queue(ids):
    from .tasks import deliver_notification

    for pk in ids:
        try:
            deliver_notification.delay(notification_id=pk)
        except Exception:  # broker down: the row stays unsent and the outbox sweep retries it
            logger.warning("could not queue notification %s; the outbox sweep will send it", pk, exc_info=True)


def deliver(notification_id):
    """Send one notification unless it was sent already. Safe to call twice, concurrently too."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.sent_at is not None:
            return False
        notification.attempts += 1
        try:
            SENDERS[notification.channel](notification)
        except Exception as exc:
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            notification.save(update_fields=["attempts", "last_error"])
            logger.warning("notification %s failed: %s", notification_id, notification.last_error)
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "sent_at", "last_error"])
    return True


def sweep_outbox(*, older_than=timedelta(minutes=1), max_attempts=10):
    """Deliver notifications that are still unsent some time after they were recorded."""
    cutoff = timezone.now() - older_than
    pending = Notification.objects.filter(sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=max_attempts)
    sent = 0
    for pk in pending.order_by("created_at").values_list("pk", flat=True)[:1000]:
        sent += deliver(pk)
    return sent
