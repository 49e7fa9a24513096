"""DingTalk robots and the staff alert outbox (钉钉告警). ``notifications.alerts`` writes and sends them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    CHECK_WAITING = "check_waiting", _("Due check waiting for data")
    IMPORT_FAILED = "import_failed", _("Data import failed")
    DEADLINE_PASSED = "deadline_passed", _("Application deadline passed")
    RESULTS_PUBLISHED = "results_published", _("Results published")
    TASK_FAILING = "task_failing", _("Scheduled job failing repeatedly")


class AlertStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class DingTalkRobot(models.Model):
    """The DingTalk group robot (自定义机器人, security setting 加签) a campaign's alerts go to.

    Alerts of a campaign without an active robot, and alerts that belong to no campaign, go to the robot of
    the environment (``DINGTALK_ROBOT_WEBHOOK`` and ``DINGTALK_ROBOT_SECRET``).
    """

    campaign = models.OneToOneField(
        "recruitment.Campaign", on_delete=models.CASCADE, related_name="dingtalk_robot", verbose_name=_("campaign"),
    )
    webhook_url = models.URLField(
        _("webhook"), max_length=500,
        help_text=_("The robot's webhook as DingTalk shows it: https://oapi.dingtalk.com/robot/send?access_token=…"),
    )
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("The SEC… string under 加签 on the robot's security settings."),
    )
    active = models.BooleanField(_("active"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("changed by"), editable=False,
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("DingTalk robot")
        verbose_name_plural = _("DingTalk robots")
        ordering = ["campaign__slug"]

    def __str__(self):
        return str(self.campaign)


class DingTalkAlert(models.Model):
    """One alert to staff in a DingTalk group, raised once (``key``) and sent after commit.

    ``mentions`` is who is @-mentioned, as they were when the alert was raised: ``[{"name", "user_id",
    "mobile"}]`` (DingTalk user ID when known, else the mobile number).
    """

    campaign = models.ForeignKey(
        "recruitment.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="dingtalk_alerts",
        verbose_name=_("campaign"), help_text=_("Empty for what belongs to no campaign (the environment's robot)."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    key = models.CharField(_("key"), max_length=200, unique=True,
                           help_text=_("The same key is never raised twice."))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("message"))
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=100, blank=True)
    batch_size = models.PositiveSmallIntegerField(
        _("alerts in the message"), default=0,
        help_text=_("1 when sent on its own; more when sent in one combined message with others (over the "
                    "robot's limit per minute)."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("DingTalk alert")
        verbose_name_plural = _("DingTalk alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="dingtalk_alert_outbox_idx")]

    def __str__(self):
        return self.title


class RobotState(models.Model):
    """Per robot (``robot_key``): the lock a sending pass holds, the back-off after 130101, and the robot
    configuration that was refused for good (its ``fingerprint``): nothing is sent to it until it changes."""

    robot_key = models.CharField(_("robot"), max_length=40, unique=True)
    backoff_until = models.DateTimeField(_("back off until"), null=True, blank=True)
    refused_fingerprint = models.CharField(_("refused configuration"), max_length=64, blank=True)
    refused_error = models.TextField(_("refusal"), blank=True)

    class Meta:
        verbose_name = _("DingTalk robot state")
        verbose_name_plural = _("DingTalk robot states")

    def __str__(self):
        return self.robot_key


class RobotRequest(models.Model):
    """Each request made to a robot (alerts and test messages): the rolling minute's budget counts them."""

    robot_key = models.CharField(_("robot"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"))
    alerts = models.PositiveSmallIntegerField(_("alerts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("DingTalk robot request")
        verbose_name_plural = _("DingTalk robot requests")
        indexes = [models.Index(fields=["robot_key", "sent_at"], name="dingtalk_request_window_idx")]

    def __str__(self):
        return f"{self.robot_key} {self.sent_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class TaskFailureStreak(models.Model):
    """Consecutive failures of one Celery task name; a success deletes the row. One alert per streak."""

    task_name = models.CharField(_("task"), max_length=200, unique=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_failed_at = models.DateTimeField(_("last failed at"))
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("failing task")
        verbose_name_plural = _("failing tasks")

    def __str__(self):
        return f"{self.task_name} ×{self.failures}"
