"""The notification outbox: one row per event, recipient and channel, sent at most once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notification_outbox_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient or self.address}: {self.subject}"


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
