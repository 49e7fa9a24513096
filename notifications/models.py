"""The notification outbox: one row per event, recipient and channel, sent at most once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DeliveryStatus


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_APP = "inapp", _("Status page")


class Notification(models.Model):
    """A message to one person about one event.

    Rows are written in the transaction of the decision that causes them (the outbox); a Celery task
    delivers them after commit, and a periodic task retries whatever is still unsent (e.g. while
    Redis was down). ``(event, channel, recipient)`` is unique, so an event notifies a person once
    per channel however often the code that raises it runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        verbose_name=_("recipient"),
        help_text=_("Empty for a message to a number that has no account yet (a sign-up's verification code)."),
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        verbose_name=_("application"),
    )
    event = models.CharField(_("event"), max_length=100, help_text=_("e.g. round1_passed:42"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("E-mail or mobile number."))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    secret = models.BooleanField(
        _("holds a secret"), default=False,
        help_text=_("The message carries a one-time secret (a password reset link): the admin never shows its "
                    "text, and the text is wiped once delivered; only the delivery task reads it."),
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True,
        help_text=_("A secret message (a one-time code) not sent by then is never sent: its text is wiped."),
    )
    sms_kind = models.CharField(
        _("SMS template"), max_length=40, blank=True,
        help_text=_("SMS only: which of the provider's registered templates carries the message "
                    "(notifications.sms.SMS_KINDS)."),
    )
    sms_params = models.JSONField(
        _("SMS template parameters"), default=dict, blank=True,
        help_text=_("SMS only: the values filled into the template's variables; wiped with the text of a "
                    "secret message once delivered."),
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True,
        help_text=_("After a temporary failure: when delivery is tried again (the back-off doubles each time)."),
    )
    failed_at = models.DateTimeField(
        _("failed at"), null=True, blank=True,
        help_text=_("When delivery was given up: a permanent error (a bad number, a template the provider "
                    "refused) or too many temporary ones. It is never retried; the reason is the last error."),
    )
    provider_id = models.CharField(
        _("provider ID"), max_length=100, blank=True,
        help_text=_("The provider's ID for the accepted message (Alibaba Cloud's BizId); receipts refer to it."),
    )
    delivered_at = models.DateTimeField(
        _("delivered at"), null=True, blank=True,
        help_text=_("When the provider's delivery receipt says the phone received it."),
    )
    delivery_error = models.CharField(
        _("delivery error"), max_length=300, blank=True,
        help_text=_("The provider's delivery receipt when the phone did not receive it (code and reason)."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The member of staff who asked for this message (e.g. a password reset); empty when the "
                    "recipient asked or the system sent it."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "recipient"], name="notify_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="notification_outbox_idx"),
            models.Index(fields=["provider_id"], name="notification_provider_id_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient or self.address}: {self.subject}"

    @property
    def status(self):
        """Where the row stands (``enums.DeliveryStatus``), the same conditions as the admin's filter."""
        if self.sent_at is None:
            if self.failed_at is not None:
                return DeliveryStatus.FAILED
            return DeliveryStatus.RETRYING if self.attempts else DeliveryStatus.PENDING
        if self.delivered_at is not None:
            return DeliveryStatus.DELIVERED
        return DeliveryStatus.UNDELIVERED if self.delivery_error else DeliveryStatus.SENT

# DingTalk robots and the staff alert outbox (notifications.alerts).
from .alert_models import (  # noqa: E402, F401
    AlertKind,
    AlertStatus,
    DingTalkAlert,
    DingTalkRobot,
    RobotRequest,
    RobotState,
    TaskFailureStreak,
)
