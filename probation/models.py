"""Probation data (试用期考核): the leaders in probation, the alliance exports they are judged on, and verdicts.

Every imported row is scoped by campaign: the alliance exports are per campaign, and each DATA.md key
(``leader_account``, ``merchant_id``, …) is unique within its campaign. Rows are written by
``probation.imports`` and read set-based by ``probation.checks``; verdicts are ``CheckResult`` rows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruitment.models import Campaign

from . import wording
from .enums import CheckMeasure, LeaderStatus, OrderStatus, ViolationKind


class ViolationQuerySet(models.QuerySet):
    def standing(self):
        """Violations that count: recorded and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Leader(models.Model):
    """An alliance account holding leader permission (招商团长权限) in probation for one campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="leaders", verbose_name=_("campaign")
    )
    leader_account = models.CharField(_("leader account (团长账号)"), max_length=64)
    company_name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    granted_at = models.DateTimeField(_("permission granted at"))
    status = models.CharField(
        _("status"), max_length=20, choices=LeaderStatus.choices, default=LeaderStatus.PROBATION
    )
    closed_at = models.DateTimeField(_("permission closed at"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=255, blank=True, default="")
    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
        verbose_name=_("application"),
    )
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)
    stale_checks = models.CharField(
        _("verdicts that today's data would change"), max_length=255, blank=True, default="", db_default="",
        editable=False,
        help_text=_("Check codes whose stored verdict disagrees with the data now on hand (数据已变化，待复核)."),
    )

    class Meta:
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        ordering = ["campaign", "leader_account"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "leader_account"], name="probation_leader_account_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="probation_leader_status_idx")]

    def __str__(self):
        return self.leader_account


class LeaderStatusChange(models.Model):
    """Audit row of one leader transition: who, when (effective instant), from, to, why."""

    leader = models.ForeignKey(
        Leader, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("leader")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=LeaderStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=LeaderStatus.choices)
    effective_at = models.DateTimeField(_("effective at"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leader status change")
        verbose_name_plural = _("leader status changes")
        ordering = ["leader", "recorded_at", "pk"]

    def __str__(self):
        return gettext("%(leader)s: %(from)s → %(to)s") % {
            "leader": self.leader, "from": self.get_from_status_display(), "to": self.get_to_status_display()
        }


class Merchant(models.Model):
    """A merchant with its Taobaoke opening time (淘宝客开通时间) and the leader that introduced it, if any."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    merchant_id = models.CharField(_("merchant ID"), max_length=64)
    merchant_name = models.CharField(_("merchant name"), max_length=200)
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="merchants",
        verbose_name=_("introduced by"),
    )
    opened_at = models.DateTimeField(_("Taobaoke opened at"))
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "merchant_id"], name="probation_merchant_id_unique"),
        ]
        indexes = [models.Index(fields=["leader", "opened_at"], name="probation_merchant_open_idx")]

    def __str__(self):
        return self.merchant_id


class MerchantExit(models.Model):
    """One interval [exited_at, rejoined_at) during which the merchant was out of Taobaoke."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="exits", verbose_name=_("merchant")
    )
    exited_at = models.DateTimeField(_("exited at"))
    rejoined_at = models.DateTimeField(_("rejoined at"), null=True, blank=True, help_text=_("Empty: still out."))
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("merchant exit")
        verbose_name_plural = _("merchant exits")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "exited_at"], name="probation_merchant_exit_unique"),
        ]

    def __str__(self):
        return gettext("%(merchant)s out of Taobaoke since %(at)s") % {
            "merchant": self.merchant, "at": f"{timezone.localtime(self.exited_at):%Y-%m-%d %H:%M:%S}"
        }


class Activity(models.Model):
    """A promotion activity (推广活动) created by a leader."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    activity_id = models.CharField(_("activity ID"), max_length=64)
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, related_name="activities", verbose_name=_("leader")
    )
    name = models.CharField(_("activity name"), max_length=200)
    created_at = models.DateTimeField(_("created at"))
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "activity_id"], name="probation_activity_id_unique"),
        ]
        indexes = [models.Index(fields=["leader", "created_at"], name="probation_activity_at_idx")]

    def __str__(self):
        return self.activity_id


class Enrollment(models.Model):
    """An item of a merchant enrolled (报名通过) into a leader's activity.

    The second largest table (over a million rows at alliance scale), written only by
    ``probation.imports``: like ``Order``, its foreign keys carry no database constraint (the import
    checks every reference in its transaction; three trigger lookups per row at commit otherwise), and
    the activity has no single-column index (both the unique key and the index below lead with it).
    Django's ``on_delete`` still applies.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", db_constraint=False, verbose_name=_("campaign")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="enrollments", db_index=False, db_constraint=False,
        verbose_name=_("activity"),
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="enrollments", db_constraint=False,
        verbose_name=_("merchant"),
    )
    item_id = models.CharField(_("item ID"), max_length=64)
    enrolled_at = models.DateTimeField(_("enrolment approved at"))
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["activity", "item_id"], name="probation_enrollment_item_unique"),
        ]
        indexes = [models.Index(fields=["activity", "enrolled_at"], name="probation_enrol_at_idx")]

    def __str__(self):
        return f"{self.activity} {self.item_id}"


class Order(models.Model):
    """One sub-order (淘宝子订单) promoted by a leader. Every row was paid once.

    The largest table by far (millions of rows per campaign), written only by ``probation.imports``,
    which checks every reference set-based in the transaction that writes the rows. So the foreign
    keys carry no database constraint (PostgreSQL would run three trigger lookups per row at commit:
    a third of an import's time) and no single-column index: the composite indexes below and the
    unique key lead with each of them. ``on_delete=PROTECT`` still guards deletions through Django.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
        verbose_name=_("campaign"),
    )
    order_id = models.CharField(_("sub-order number"), max_length=64)
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, related_name="orders", db_index=False, db_constraint=False,
        verbose_name=_("leader"),
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="orders", db_index=False, db_constraint=False,
        verbose_name=_("merchant"),
    )
    item_id = models.CharField(_("item ID"), max_length=64)
    paid_at = models.DateTimeField(_("paid at"))
    paid_amount = models.DecimalField(_("paid amount (yuan)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("order status"), max_length=10, choices=OrderStatus.choices)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("last imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order_id"], name="probation_order_id_unique"),
        ]
        indexes = [
            models.Index(fields=["leader", "paid_at"], name="probation_order_paid_idx"),
            models.Index(fields=["merchant", "leader", "paid_at"], name="probation_order_merch_idx"),
        ]

    def __str__(self):
        return self.order_id


class CheckResult(models.Model):
    """The verdict of one check (e.g. ``basic:2024-05``, ``special:checkpoint``) for one leader."""

    leader = models.ForeignKey(
        Leader, on_delete=models.CASCADE, related_name="check_results", verbose_name=_("leader")
    )
    code = models.CharField(_("check"), max_length=40)
    passed = models.BooleanField(_("passed"))
    metrics = models.JSONField(_("figures"), default=dict, help_text=_("The figures and thresholds that decided it."))
    due_at = models.DateTimeField(_("due at"))
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["leader", "due_at", "code"]
        constraints = [models.UniqueConstraint(fields=["leader", "code"], name="probation_one_result_per_check")]
        indexes = [models.Index(fields=["code", "passed"], name="probation_result_code_idx")]

    def __str__(self):
        verdict = gettext("passed") if self.passed else gettext("failed")
        return f"{self.leader} {wording.check_label(self.code)}：{verdict}"


class Violation(models.Model):
    """A violation recorded by staff (SPEC §4): it always voids reward eligibility; closing the permission
    for it is a separate choice (``closes_permission``) of the campaign admin. A violation recorded by
    mistake is withdrawn (never deleted): it then counts for nothing, and a closure it caused is undone."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="violations", verbose_name=_("leader"))
    kind = models.CharField(_("kind"), max_length=20, choices=ViolationKind.choices)
    note = models.TextField(_("note"), blank=True)
    closes_permission = models.BooleanField(
        _("permission closed for it"), default=False,
        help_text=_("The permission closes at the time the violation is recorded."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.CharField(_("reason for the withdrawal"), max_length=255, blank=True, editable=False)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["leader", "recorded_at"]

    def __str__(self):
        return f"{self.leader} {self.get_kind_display()}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class ImportRecord(models.Model):
    """One successful import of an alliance export (what the data-mark step lists per kind)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign"))
    kind = models.CharField(_("kind of data"), max_length=20)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("data import record")
        verbose_name_plural = _("data import records")
        ordering = ["campaign", "kind", "-imported_at"]
        indexes = [models.Index(fields=["campaign", "kind", "imported_at"], name="probation_import_latest_idx")]

    def __str__(self):
        kind = wording.KIND_LABELS.get(self.kind, self.kind)
        return f"{kind} {timezone.localtime(self.imported_at):%Y-%m-%d %H:%M:%S}"


class Board(Leader):
    """The probation board (试用期看板) in the admin: no table of its own, an entry in the admin index."""

    class Meta:
        proxy = True
        verbose_name = _("probation board")
        verbose_name_plural = _("probation board")


class DataImport(Leader):
    """The admin page importing the alliance exports (导入考核数据); ``add_dataimport`` allows it."""

    class Meta:
        proxy = True
        verbose_name = _("probation data import")
        verbose_name_plural = _("import probation data")


BUILT_IN_CODE_PREFIXES = ("basic:", "special:", "violation:")


class CheckItem(models.Model):
    """A check item added by staff during probation (新增考核项): one measure over a window against a
    threshold, due at ``due_at``. ``probation.checks.custom_checks`` makes it a ``CheckDefinition``, decided
    by the same engine as the built-in checks; its verdicts are ``CheckResult`` rows under ``code``."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="check_items", verbose_name=_("campaign")
    )
    code = models.CharField(
        _("code"), max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9:_-]+$", _("Letters, digits, “:”, “-” and “_” only."))],
        help_text=_("The check's code in the probation report (failed checks), e.g. X7:2024-07."),
    )
    name = models.CharField(_("name shown to leaders"), max_length=120)
    measure = models.CharField(_("measure"), max_length=30, choices=CheckMeasure.choices)
    starts_at = models.DateTimeField(
        _("window starts at"),
        help_text=_("For new merchants and reward-qualifying merchants this window replaces the activity window."),
    )
    ends_at = models.DateTimeField(_("window ends at"), help_text=_("Inclusive to the second."))
    threshold = models.DecimalField(
        _("at least"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    due_at = models.DateTimeField(
        _("due at"), help_text=_("When it is decided (closing the permission if not met); not in the past.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("check item")
        verbose_name_plural = _("check items")
        ordering = ["campaign", "due_at", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="probation_check_item_code_unique")]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        if self.code and self.code.startswith(BUILT_IN_CODE_PREFIXES):
            errors["code"] = gettext("Codes starting with basic:, special: or violation: belong to the built-in "
                                     "checks.")
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            errors["ends_at"] = gettext("The window must end after it starts.")
        if self.ends_at and self.due_at and self.due_at < self.ends_at:
            errors["due_at"] = gettext("The check cannot be due before its window ends.")
        if self.measure != CheckMeasure.GMV and self.threshold is not None and self.threshold != int(self.threshold):
            errors["threshold"] = gettext("A count threshold is a whole number.")
        if errors:
            raise ValidationError(errors)

    @property
    def rule_value(self):
        """The item as one line of the rule-change log."""
        def when(moment):
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"

        return (f"{self.name}: {CheckMeasure(self.measure).label} ≥ {self.threshold_text}, "
                f"{when(self.starts_at)} – {when(self.ends_at)}, {gettext('due')} {when(self.due_at)}")

    @property
    def threshold_text(self):
        return f"{self.threshold:.2f}" if self.measure == CheckMeasure.GMV else f"{int(self.threshold)}"


class RuleNotice(models.Model):
    """A 公布规则变更 notice: the text staff wrote, sent once to every leader in probation."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_notices",
                                 verbose_name=_("campaign"))
    text = models.TextField(_("notice"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("leaders told"), default=0)

    class Meta:
        verbose_name = _("rule-change notice")
        verbose_name_plural = _("rule-change notices")
        ordering = ["campaign", "published_at", "pk"]

    def __str__(self):
        return f"{self.campaign} {timezone.localtime(self.published_at):%Y-%m-%d %H:%M:%S}"


class RuleChange(models.Model):
    """One rule change (规则变更): a check item added, or a threshold, window or date leaders are judged by
    edited. Who, when, what, from, to; ``notice`` is the 公布规则变更 notice that told the leaders."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_changes",
                                 verbose_name=_("campaign"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    what = models.CharField(_("what"), max_length=200)
    from_value = models.CharField(_("from"), max_length=255, blank=True)
    to_value = models.CharField(_("to"), max_length=255, blank=True)
    notice = models.ForeignKey(RuleNotice, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="changes", verbose_name=_("notice"))

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["campaign", "changed_at", "pk"]

    def __str__(self):
        return f"{self.what}: {self.from_value or '–'} → {self.to_value or '–'}"
