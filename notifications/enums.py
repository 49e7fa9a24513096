"""Where an outbox row stands, as staff read it in the admin (derived from the row's times, never stored)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    RETRYING = "retrying", _("Waiting to retry")
    FAILED = "failed", _("Failed permanently")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Delivery failed")


#: Each status as a condition on the row's fields: the admin's filter and ``Notification.status`` agree.
STATUS_CONDITIONS = {
    DeliveryStatus.PENDING: Q(sent_at__isnull=True, failed_at__isnull=True, attempts=0),
    DeliveryStatus.RETRYING: Q(sent_at__isnull=True, failed_at__isnull=True, attempts__gt=0),
    DeliveryStatus.FAILED: Q(sent_at__isnull=True, failed_at__isnull=False),
    DeliveryStatus.SENT: Q(sent_at__isnull=False, delivered_at__isnull=True, delivery_error=""),
    DeliveryStatus.DELIVERED: Q(sent_at__isnull=False, delivered_at__isnull=False),
    DeliveryStatus.UNDELIVERED: Q(sent_at__isnull=False, delivered_at__isnull=True) & ~Q(delivery_error=""),
}
