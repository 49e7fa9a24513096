"""Delivery channels. Each takes a Notification and sends it, raising on failure.

E-mail uses Django's e-mail backend (console by default); SMS uses the backend named by
``SMS_BACKEND`` (a logging backend by default) with a registered template (``sms.SMS_KINDS``); the in-app channel is
the status page itself, so delivering it only marks it sent.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Channel
from .sms import NOTICE, SMS_KINDS

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    """Writes the SMS to the log instead of sending it (the laptop and test default).

    Every SMS backend has this ``send``: the number, the text as the reader would see it (``kind``
    rendered with ``params``), the template kind and its parameters (what a provider is sent). It returns
    the provider's id for the message, or ``None``, and raises ``sms.SmsError`` on failure.
    """

    def send(self, number, text, *, kind, params):
        logger.info("SMS to %s [%s]: %s", number, kind, text)
        return None


def send_email(notification):
    """One message to the row's address, or to each of several comma-separated addresses at once."""
    recipients = [address.strip() for address in notification.address.split(",") if address.strip()]
    send_mail(notification.subject, notification.body, None, recipients)


def send_sms(notification):
    """The row's template kind and parameters, checked against the template before the provider is asked
    (a value too long for its template raises ``PermanentSmsError`` and no request is made); returns the
    provider's id for the accepted message."""
    kind = SMS_KINDS[notification.sms_kind or NOTICE]
    params = notification.sms_params or {"title": notification.subject}
    kind.check(params)
    backend = import_string(settings.SMS_BACKEND)()
    return backend.send(notification.address, kind.render(params), kind=kind.key, params=params)


def show_in_app(notification):
    """Nothing to send: the status page lists the applicant's in-app notifications."""


SENDERS = {Channel.EMAIL: send_email, Channel.SMS: send_sms, Channel.IN_APP: show_in_app}
