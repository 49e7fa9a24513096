"""Delivery channels. Each takes a Notification and sends it, raising on failure.

E-mail uses Django's e-mail backend (console by default); SMS uses the backend named by
``SMS_BACKEND`` (a logging backend by default: no SMS provider is wired in); the in-app channel is
the status page itself, so delivering it only marks it sent.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Channel

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    """Writes the SMS to the log instead of sending it (the laptop and test default)."""

    def send(self, number, text):
        logger.info("SMS to %s: %s", number, text)


def send_email(notification):
    """One message to the row's address, or to each of several comma-separated addresses at once."""
    recipients = [address.strip() for address in notification.address.split(",") if address.strip()]
    send_mail(notification.subject, notification.body, None, recipients)


def send_sms(notification):
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(notification.address, f"{notification.subject}：{notification.body}")


def show_in_app(notification):
    """Nothing to send: the status page lists the applicant's in-app notifications."""


SENDERS = {Channel.EMAIL: send_email, Channel.SMS: send_sms, Channel.IN_APP: show_in_app}
