"""Staff alerts in DingTalk groups (钉钉告警): raised once, sent after commit, throttled, batched when over.

The apps above call ``raise_alert`` inside the transaction of what caused the alert (a publication, a failed
import, a job's run); this app imports none of them. The row is the outbox: the task ``notifications.send_alerts``
sends it after commit, and the beat job of the same name every minute sends whatever is still pending (the
broker was down, the robot was throttled, a temporary error).

Throttling: a robot accepts about 20 messages a minute and then refuses everything for about ten minutes
(errcode 130101). Every request to a robot is recorded (``RobotRequest``); a pass sends at most
``DINGTALK_MESSAGES_PER_MINUTE`` (18) requests in any rolling 60 seconds. When more alerts wait than the budget
allows, the pass sends what fits one by one and puts the rest into one combined message (a list of the alerts,
at most ``BATCH_MAX``), so nothing is lost and the limit is never reached. A 130101 answer backs off
``DINGTALK_TOO_FAST_BACKOFF_MINUTES``; another temporary error backs off that alert exponentially; a permanent one
(310000: signature, keyword or IP allow-list) fails the alert and holds the robot's other alerts until its
webhook or secret changes.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitment import tasking

from . import dingtalk
from .models import AlertStatus, DingTalkAlert, DingTalkRobot, RobotRequest, RobotState

logger = logging.getLogger(__name__)

#: Alerts in one combined message at most; more wait for the next minute.
BATCH_MAX = 20
#: A temporary error is tried this many times, then the alert fails for good.
MAX_ATTEMPTS = 10
ENVIRONMENT = "environment"


# --- Who is mentioned --------------------------------------------------------------------------------


def staff_with_permission(dotted):
    """Active staff holding ``app_label.codename`` through a group or directly (superusers not implied): the
    people a role's alert @-mentions, e.g. ``probation.add_dataimport`` for operations or
    ``recruitment.publish_results`` for the campaign admin."""
    app_label, codename = dotted.split(".")
    granted = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return get_user_model().objects.filter(granted, is_active=True, is_staff=True).distinct().order_by("pk")


def superusers():
    """Active superusers: who keeps the system running, mentioned when a scheduled job keeps failing."""
    return get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")


def mention_of(user):
    """What an alert keeps of a mentioned person: the DingTalk user ID, else the mobile (None with neither)."""
    user_id, mobile = (user.dingtalk_user_id or "").strip(), (user.mobile or "").strip()
    if not user_id and not mobile:
        return None
    return {"name": str(user), "user_id": user_id, "mobile": "" if user_id else mobile}


def key_time(moment):
    """An instant in an alert's key, the same however it was read (UTC, to the second): ``2024-05-31T16:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_language():
    """Alerts are written in the site's language (zh-hans), whoever caused them."""
    return translation.override(settings.LANGUAGE_CODE)


# --- Raising -----------------------------------------------------------------------------------------


def raise_alert(*, kind, key, title, text, campaign=None, mention=()):
    """Record the alert ``key`` once and send it after the caller's transaction commits.

    ``text`` is markdown; ``mention`` the users to @ (those with neither a DingTalk user ID nor a mobile
    are left out). Returns the new ``DingTalkAlert``, or ``None`` when ``key`` was raised before.
    """
    mentions = [m for m in (mention_of(user) for user in mention) if m]
    try:
        with transaction.atomic():
            alert = DingTalkAlert.objects.create(
                campaign=campaign, kind=kind, key=key[:200], title=title[:200], text=text, mentions=mentions,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None
    transaction.on_commit(_queue_sending)
    return alert


def _queue_sending():
    try:
        tasking.queue("notifications.send_alerts")
    except Exception as error:  # broker down: the beat job sends it within a minute of its return
        logger.warning("could not queue the DingTalk alerts (%s: %s); the beat job will send them",
                       type(error).__name__, error)


# --- Robots ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where an alert goes: a campaign's robot or the environment's (``webhook`` empty: the log)."""

    key: str
    label: str
    webhook: str
    secret: str

    @property
    def fingerprint(self):
        return hashlib.sha256(f"{self.webhook}\n{self.secret}".encode()).hexdigest()


def environment_robot():
    return Target(ENVIRONMENT, _("the environment's robot"), settings.DINGTALK_ROBOT_WEBHOOK,
                  settings.DINGTALK_ROBOT_SECRET)


def robot_target(robot):
    return Target(f"robot:{robot.pk}", _("robot of %(campaign)s") % {"campaign": robot.campaign.slug},
                  robot.webhook_url, robot.secret)


def target_for(campaign_id, robots):
    robot = robots.get(campaign_id)
    return robot_target(robot) if robot is not None else environment_robot()


# --- Sending -----------------------------------------------------------------------------------------


def send_pending(*, now=None):
    """Send the alerts that are due, robot by robot, within each robot's budget. Returns how many were sent.

    Safe to run concurrently: each robot's pass holds its ``RobotState`` row lock.
    """
    now = now or timezone.now()
    RobotRequest.objects.filter(sent_at__lt=now - timedelta(hours=1)).delete()
    due = list(
        DingTalkAlert.objects.filter(status=AlertStatus.PENDING, next_attempt_at__lte=now)
        .order_by("created_at", "pk").values_list("pk", "campaign_id")[:1000]
    )
    if not due:
        return 0
    robots = {
        robot.campaign_id: robot
        for robot in DingTalkRobot.objects.filter(active=True, campaign_id__in={c for _pk, c in due if c})
        .select_related("campaign")
    }
    by_target = {}
    for pk, campaign_id in due:
        by_target.setdefault(target_for(campaign_id, robots), []).append(pk)
    sent = 0
    with site_language():
        for target, ids in by_target.items():
            sent += _send_to(target, ids, now=now)
    return sent


def _locked_state(target):
    RobotState.objects.get_or_create(robot_key=target.key)
    return RobotState.objects.select_for_update().get(robot_key=target.key)


def budget_left(target, *, now):
    window = now - timedelta(seconds=60)
    used = RobotRequest.objects.filter(robot_key=target.key, sent_at__gt=window).count()
    return settings.DINGTALK_MESSAGES_PER_MINUTE - used


def _send_to(target, ids, *, now):
    with transaction.atomic():
        state = _locked_state(target)
        if state.refused_fingerprint and state.refused_fingerprint == target.fingerprint:
            return 0  # refused for good until the webhook or the secret changes
        if state.backoff_until and state.backoff_until > now:
            return 0
        alerts = list(DingTalkAlert.objects.select_for_update().filter(pk__in=ids, status=AlertStatus.PENDING)
                      .order_by("created_at", "pk"))
        budget = budget_left(target, now=now)
        if not alerts or budget <= 0:
            return 0
        if len(alerts) <= budget:
            groups = [[alert] for alert in alerts]
        else:
            groups = [[alert] for alert in alerts[: budget - 1]] + [alerts[budget - 1: budget - 1 + BATCH_MAX]]
        sent = 0
        for group in groups:
            message = single_message(group[0]) if len(group) == 1 else combined_message(group)
            outcome = "ok"
            try:
                dingtalk.send(target.webhook, target.secret, message)
            except dingtalk.DingTalkError as error:
                outcome = str(error)[:200]
                _failed(group, error, now=now)
                if error.too_fast:
                    state.backoff_until = now + timedelta(minutes=settings.DINGTALK_TOO_FAST_BACKOFF_MINUTES)
                elif error.permanent:
                    state.refused_fingerprint, state.refused_error = target.fingerprint, str(error)
                break  # the robot's next answer would most likely be the same
            finally:
                RobotRequest.objects.create(robot_key=target.key, sent_at=now, alerts=len(group), outcome=outcome)
            for alert in group:
                alert.status, alert.sent_at, alert.sent_via = AlertStatus.SENT, now, target.label
                alert.batch_size, alert.attempts, alert.last_error = len(group), alert.attempts + 1, ""
                alert.save(update_fields=["status", "sent_at", "sent_via", "batch_size", "attempts", "last_error"])
            sent += len(group)
        state.save(update_fields=["backoff_until", "refused_fingerprint", "refused_error"])
    return sent


def _failed(group, error, *, now):
    for alert in group:
        alert.attempts += 1
        alert.last_error = str(error)[:2000]
        if error.permanent or alert.attempts >= MAX_ATTEMPTS:
            alert.status = AlertStatus.FAILED
        elif error.too_fast:
            alert.next_attempt_at = now + timedelta(minutes=settings.DINGTALK_TOO_FAST_BACKOFF_MINUTES)
        else:
            alert.next_attempt_at = now + timedelta(minutes=min(2 ** (alert.attempts - 1), 60))
        alert.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    logger.warning("DingTalk: %d alert(s) not sent: %s", len(group), error)


def _mentions(alerts):
    user_ids, mobiles = [], []
    for alert in alerts:
        for mention in alert.mentions:
            if mention.get("user_id") and mention["user_id"] not in user_ids:
                user_ids.append(mention["user_id"])
            elif mention.get("mobile") and mention["mobile"] not in mobiles:
                mobiles.append(mention["mobile"])
    return tuple(user_ids), tuple(mobiles)


def single_message(alert):
    user_ids, mobiles = _mentions([alert])
    return dingtalk.Message(title=alert.title, text=f"### {alert.title}\n\n{alert.text}",
                            at_user_ids=user_ids, at_mobiles=mobiles)


def combined_message(alerts):
    """One message listing ``alerts`` (over the robot's budget): each title and text, mentions merged."""
    user_ids, mobiles = _mentions(alerts)
    title = ngettext("%(count)d alert", "%(count)d alerts", len(alerts)) % {"count": len(alerts)}
    parts = [f"### {title}"] + [f"#### {n}. {alert.title}\n\n{alert.text}" for n, alert in enumerate(alerts, 1)]
    return dingtalk.Message(title=title, text="\n\n".join(parts), at_user_ids=user_ids, at_mobiles=mobiles)


def send_test_message(robot, *, actor, now=None):
    """Send a test message to ``robot`` now, within its budget. Returns ``(ok, what happened)`` in words."""
    now = now or timezone.now()
    target = robot_target(robot)
    with site_language(), transaction.atomic():
        state = _locked_state(target)
        if budget_left(target, now=now) <= 0 or (state.backoff_until and state.backoff_until > now):
            return False, _("The robot has had its messages for this minute; try again in a minute.")
        message = dingtalk.Message(
            title=_("Test message"),
            text=_("Test message from the recruitment system, sent by %(user)s: this group receives the alerts of "
                   "%(campaign)s.") % {"user": actor.get_username(), "campaign": robot.campaign},
            at_user_ids=tuple(filter(None, [(actor.dingtalk_user_id or "").strip()])),
            at_mobiles=tuple(filter(None, [] if actor.dingtalk_user_id else [(actor.mobile or "").strip()])),
        )
        try:
            dingtalk.send(target.webhook, target.secret, message)
        except dingtalk.DingTalkError as error:
            RobotRequest.objects.create(robot_key=target.key, sent_at=now, outcome=str(error)[:200])
            if error.too_fast:
                state.backoff_until = now + timedelta(minutes=settings.DINGTALK_TOO_FAST_BACKOFF_MINUTES)
                state.save(update_fields=["backoff_until"])
            return False, _("DingTalk refused the test message: %(error)s") % {"error": error}
        RobotRequest.objects.create(robot_key=target.key, sent_at=now, outcome="ok")
        if state.refused_fingerprint:  # the robot works again: its held alerts go out
            state.refused_fingerprint, state.refused_error = "", ""
            state.save(update_fields=["refused_fingerprint", "refused_error"])
    return True, _("The test message was sent to the robot of %(campaign)s.") % {"campaign": robot.campaign}
