"""One entry point for telling people things: ``notify``. Decisions call it inside their transaction."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit import services as audit
from audit.enums import AuditAction
from recruitment import tasking
from recruitment.timeutils import BEIJING

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
    ``sms_params`` name it and fill it; by default the message is a notice whose title is the template's
    short SMS title (``<template>_sms_title.txt``) or else the subject.

    The rows commit with the caller's transaction (the outbox); queueing their delivery after commit
    never fails the caller: with the broker down they stay unsent and ``sweep_outbox`` sends them.
    """
    channels = channels or settings.NOTIFICATION_CHANNELS
    context = {"recipient": recipient, "application": application, **(context or {})}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/{template}_subject.txt", context).split())
        body = render_to_string(f"notifications/{template}_body.txt", context).strip()
        sms_title = _sms_title(template, context) or subject
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
                        **(_sms_fields(sms_title, sms_kind, sms_params) if channel == Channel.SMS else {}),
                    )
                )
        except IntegrityError:
            continue  # already recorded for this event: at most once
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return created


def _sms_title(template, context):
    """The title of an SMS notice, from ``notifications/<template>_sms_title.txt`` when the template has one.

    A notice's title is at most 35 characters (the provider's limit for a variable, ``sms.SMS_KINDS``); a
    subject that names the campaign (up to 120 characters) can be longer, and a notice too long is refused,
    never cut. Such templates carry a short title of their own; the SMS says where to read the rest (the
    status page). Without one, the subject is the title."""
    try:
        return " ".join(render_to_string(f"notifications/{template}_sms_title.txt", context).split())
    except TemplateDoesNotExist:
        return ""


def _sms_fields(title, kind, params):
    if kind:
        return {"sms_kind": kind, "sms_params": dict(params or {})}
    return {"sms_kind": NOTICE, "sms_params": {"title": title}}


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


def retry_delay(attempts):
    """How long after its ``attempts``-th failed try a row is tried again: the base delay doubled each time
    (1, 2, 4, 8 … minutes by default), never longer than ``NOTIFICATION_RETRY_MAX_SECONDS``."""
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def deliver(notification_id):
    """Send one notification if it is due; return whether it was sent. Safe to call twice, concurrently too.

    Due means not sent, not given up, and its retry time (``next_attempt_at``) reached. A failure is
    recorded on the row: a permanent one (``SmsError.permanent``: a bad number, a refused template, a value
    too long for its template) gives the row up at once (``failed_at``); a temporary one (the provider
    throttling or down, a timeout, an SMTP error) schedules the next try after ``retry_delay`` — until
    ``NOTIFICATION_MAX_ATTEMPTS`` tries, after which the row is given up too. A given-up row is never sent
    (``resend`` puts it back in the queue at a member of staff's request).

    The provider's id for the accepted message (an SMS's BizId) is kept as ``provider_id``, which delivery
    receipts (``record_sms_receipts``) match. A secret row's text (a one-time link or code) is wiped in the
    transaction that marks it sent or given up: the row keeps its subject, recipient, address and times as
    the record, and nobody reads the secret from the database afterwards. A secret row whose text was wiped
    unsent (``expire_secrets``) is never sent.
    """
    now = timezone.now()
    with transaction.atomic():
        notification = (
            # Locks the row only: PostgreSQL refuses FOR UPDATE on the nullable side of the recipient's outer join.
            Notification.objects.select_for_update(of=("self",)).select_related("recipient")
            .filter(pk=notification_id).first()
        )
        if notification is None or notification.sent_at is not None or notification.failed_at is not None:
            return False
        if notification.next_attempt_at is not None and notification.next_attempt_at > now:
            return False
        if notification.secret and not notification.body:
            return False
        if notification.secret and notification.expires_at and notification.expires_at <= now:
            return False
        notification.attempts += 1
        try:
            provider_id = SENDERS[notification.channel](notification)
        except Exception as exc:
            _record_failure(notification, exc, timezone.now())  # after the provider's answer (or its timeout)
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.next_attempt_at = None
        notification.provider_id = str(provider_id or "")[:100]
        fields = ["attempts", "sent_at", "last_error", "next_attempt_at", "provider_id"]
        if notification.secret:
            notification.body, notification.sms_params = "", {}
            fields += ["body", "sms_params"]
        notification.save(update_fields=fields)
        receipt = RECEIPTS.get(notification.event.split(":", 1)[0])
        if receipt:
            receipt(notification)
    return True


def _record_failure(notification, exc, now):
    notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    fields = ["attempts", "last_error", "next_attempt_at"]
    if getattr(exc, "permanent", False) or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        notification.failed_at, notification.next_attempt_at = now, None
        fields.append("failed_at")
        if notification.secret:  # never sent now: the secret has no reason to stay
            notification.body, notification.sms_params = "", {}
            fields += ["body", "sms_params"]
        logger.warning("notification %s failed for good: %s", notification.pk, notification.last_error)
    else:
        notification.next_attempt_at = now + retry_delay(notification.attempts)
        logger.warning("notification %s failed (try %s), retrying at %s: %s", notification.pk,
                       notification.attempts, notification.next_attempt_at.isoformat(), notification.last_error)
    notification.save(update_fields=fields)


def resend(notification, *, actor):
    """Put a given-up, non-secret row back in the queue (a member of staff fixed the cause: a template
    approved, the account topped up) and queue its delivery after commit; returns whether it was requeued.
    The tries start again from zero; the last error stays until the next try replaces it."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification.pk).first()
        if row is None or row.secret or row.sent_at is not None or row.failed_at is None:
            return False
        row.failed_at, row.next_attempt_at, row.attempts = None, None, 0
        row.save(update_fields=["failed_at", "next_attempt_at", "attempts"])
        audit.record(AuditAction.NOTIFICATION_RESEND, actor=actor, obj=row, channel=row.channel, event=row.event)
        transaction.on_commit(lambda: _queue([row.pk]))
    return True


def expire_secrets(now=None):
    """Wipe the text of secret rows still unsent once their secret has expired (at ``expires_at``, or for
    a password reset link ``PASSWORD_RESET_TIMEOUT`` seconds after it was written): sending it would help
    nobody, keeping it would keep a secret. The row stays, unsent and given up (``failed_at``), with the
    reason in ``last_error``. Returns how many were wiped."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Not sent before its one-time link expired; its text was deleted.")
    expired = Q(expires_at__isnull=True, created_at__lte=cutoff) | Q(expires_at__lte=now)
    return (
        Notification.objects.filter(expired, secret=True, sent_at__isnull=True)
        .exclude(body="")
        .update(body="", sms_params={}, last_error=reason, failed_at=now, next_attempt_at=None)
    )


def sweep_outbox(*, older_than=timedelta(minutes=1)):
    """Deliver notifications that are due and still unsent some time after they were recorded: never
    sent (their queued delivery was lost), or failed for a while and now at their retry time. Secret
    rows whose secret expired are wiped first, and never sent; given-up rows are left alone."""
    expire_secrets()
    now = timezone.now()
    pending = Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        sent_at__isnull=True, failed_at__isnull=True, created_at__lte=now - older_than,
    ).exclude(secret=True, body="")
    sent = 0
    for pk in pending.order_by("created_at").values_list("pk", flat=True)[:1000]:
        sent += deliver(pk)
    return sent


#: Where the Alibaba Cloud receipt times are written (``send_time``/``report_time``: Beijing time, no zone).
RECEIPT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def record_sms_receipts(reports):
    """Apply Alibaba Cloud delivery receipts (SmsReport pushes): each a dict with ``biz_id``, ``success``,
    ``report_time``, ``err_code``, ``err_msg``. The row sent with that ``provider_id`` gets ``delivered_at``
    (the report's time) or a ``delivery_error``. The provider may push a report more than once: applying it
    again writes the same values. Reports for no known row are ignored. Returns how many rows matched."""
    matched = 0
    for report in reports:
        biz_id = str(report.get("biz_id") or "")[:100]
        if not biz_id:
            continue
        if report.get("success") is True:
            values = {"delivered_at": _receipt_time(report.get("report_time")), "delivery_error": ""}
        else:
            reason = " ".join(str(report.get(key) or "") for key in ("err_code", "err_msg")).strip()
            values = {"delivered_at": None, "delivery_error": (reason or "unknown")[:300]}
        matched += Notification.objects.filter(
            channel=Channel.SMS, provider_id=biz_id, sent_at__isnull=False,
        ).update(**values)
    return matched


def _receipt_time(text):
    try:
        naive = datetime.strptime(str(text), RECEIPT_TIME_FORMAT)
    except ValueError:
        return timezone.now()
    return naive.replace(tzinfo=BEIJING)
