"""One entry point for telling people things: ``notify``. Decisions call it inside their transaction."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from recruitment import tasking

from .channels import SENDERS
from .models import Channel, Notification
from .sms import NOTICE

logger = logging.getLogger(__name__)


def _addresses(recipient, application):
    """Where each channel reaches the person: the account's own e-mail and mobile (the ones it logs in
    or recovers its password with), never contact details typed into a questionnaire, which anyone can
    set to someone else's address. ``application`` only says what the message is about."""
    if recipient is None:
        return {Channel.EMAIL: "", Channel.SMS: "", Channel.IN_APP: ""}
    return {Channel.EMAIL: recipient.email, Channel.SMS: getattr(recipient, "mobile", ""), Channel.IN_APP: ""}


#: What the app that raised an event records once its notification is sent, by the event's kind (the
#: text before the first ``:``): a callable called with the sent row, inside the delivering
#: transaction, whichever path delivered it (after commit, the sweep, a retry). The app registers it in
#: its ``AppConfig.ready`` (``register_receipt``), so this app, below the others, imports none of them.
RECEIPTS = {}


def register_receipt(kind, receipt):
    """Call ``receipt(notification)`` once a notification of event kind ``kind`` is sent (one per kind)."""
    if RECEIPTS.get(kind, receipt) is not receipt:
        raise ValueError(f"a receipt for {kind!r} is registered already")
    RECEIPTS[kind] = receipt


def notify(*, event, recipient, template, context=None, application=None, channels=None, addresses=None,
           secret=False, requested_by=None, sms_kind="", sms_params=None, expires_at=None):
    """Record a notification of ``event`` for ``recipient`` on each channel, once, and send it after commit.

    ``template`` names ``notifications/<template>_subject.txt`` and ``…_body.txt``, rendered in the
    site language. A channel without an address (no e-mail, no mobile) is skipped; ``addresses``
    overrides the address of a channel (an e-mail address may be several, comma-separated). Calling
    it again for the same event does nothing: the unique constraint keeps the first row.

    ``secret`` marks a message whose text carries a one-time secret (a password reset link): the
    admin never shows its text and delivery wipes it (``deliver``). ``requested_by`` is the member of
    staff who asked for the message, kept on the row as the record of who asked.

    ``recipient`` may be ``None`` for a message to an address that has no account yet (a sign-up's code):
    ``addresses`` then says where it goes, and the in-app channel is skipped. ``expires_at`` is when a
    secret message stops being worth sending (a code's expiry): not sent by then, it never is.

    On the SMS channel the provider sends a registered template (``sms.SMS_KINDS``): ``sms_kind`` and
    ``sms_params`` name it and fill it; by default the message is a notice whose title is the subject.

    The rows commit with the caller's transaction (the outbox); queueing their delivery after commit
    never fails the caller: with the broker down they stay unsent and ``sweep_outbox`` sends them.
    """
    channels = channels or settings.NOTIFICATION_CHANNELS
    context = {"recipient": recipient, "application": application, **(context or {})}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/{template}_subject.txt", context).split())
        body = render_to_string(f"notifications/{template}_body.txt", context).strip()
    addresses = {**_addresses(recipient, application), **(addresses or {})}
    created = []
    for channel in channels:
        if channel != Channel.IN_APP and not addresses[channel]:
            continue
        if channel == Channel.IN_APP and recipient is None:
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=recipient, application=application, event=event, channel=channel,
                        address=addresses[channel], subject=subject, body=body, secret=secret,
                        requested_by=requested_by, expires_at=expires_at,
                        **(_sms_fields(subject, sms_kind, sms_params) if channel == Channel.SMS else {}),
                    )
                )
        except IntegrityError:
            continue  # already recorded for this event: at most once
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return created


def _sms_fields(subject, kind, params):
    if kind:
        return {"sms_kind": kind, "sms_params": dict(params or {})}
    return {"sms_kind": NOTICE, "sms_params": {"title": subject}}


def _queue(ids):
    """Queue the delivery of each row (after commit). A broker error is logged, never raised: the
    caller's transaction has committed and its user must not see an error for it; the rows stay
    unsent in the outbox for ``sweep_outbox``. The first error stops the loop, so a request waits for
    one failed connection, not one per row."""
    for position, pk in enumerate(ids):
        try:
            tasking.queue("notifications.deliver", notification_id=pk)
        except Exception as error:  # broker down or unreachable (kombu/redis raise various types)
            logger.warning(
                "could not queue notification(s) %s (%s: %s); the outbox sweep will send them",
                ids[position:], type(error).__name__, error,
            )
            return


def deliver(notification_id):
    """Send one notification unless it was sent already. Safe to call twice, concurrently too.

    A secret row's text (a one-time link) is wiped in the transaction that marks it sent: the row keeps
    its subject, recipient, address and ``sent_at`` as the record, and nobody reads the link from the
    database afterwards. A secret row whose text was wiped unsent (``expire_secrets``) is never sent.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.sent_at is not None:
            return False
        if notification.secret and not notification.body:
            return False
        if notification.secret and notification.expires_at and notification.expires_at <= timezone.now():
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
        fields = ["attempts", "sent_at", "last_error"]
        if notification.secret:
            notification.body, notification.sms_params = "", {}
            fields += ["body", "sms_params"]
        notification.save(update_fields=fields)
        receipt = RECEIPTS.get(notification.event.split(":", 1)[0])
        if receipt:
            receipt(notification)
    return True


def expire_secrets(now=None):
    """Wipe the text of secret rows still unsent once their secret has expired (at ``expires_at``, or for
    a password reset link ``PASSWORD_RESET_TIMEOUT`` seconds after it was written): sending it would help
    nobody, keeping it would keep a secret. The row stays, unsent, with the reason in ``last_error``.
    Returns how many were wiped."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Not sent before its one-time link expired; its text was deleted.")
    expired = Q(expires_at__isnull=True, created_at__lte=cutoff) | Q(expires_at__lte=now)
    return (
        Notification.objects.filter(expired, secret=True, sent_at__isnull=True)
        .exclude(body="")
        .update(body="", sms_params={}, last_error=reason)
    )


def sweep_outbox(*, older_than=timedelta(minutes=1), max_attempts=10):
    """Deliver notifications that are still unsent some time after they were recorded (secret rows whose
    secret expired are wiped first, and never sent)."""
    expire_secrets()
    cutoff = timezone.now() - older_than
    pending = Notification.objects.filter(sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=max_attempts)
    pending = pending.exclude(secret=True, body="")
    sent = 0
    for pk in pending.order_by("created_at").values_list("pk", flat=True)[:1000]:
        sent += deliver(pk)
    return sent
