"""The campaign: every date, seat count and threshold of one recruitment round, as data.

A campaign (招募活动) is one intake such as 纳新 2.0 of 2024. Nothing in the code knows its dates:
windows, quotas and probation thresholds are fields edited in the admin, so 纳新 3.0 is a new row.
All instants are aware datetimes; end instants are inclusive to the second (``23:59:59``).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruitment import calendar_rules, timeutils
from recruitment.validators import parse_hours_list, validate_hours_list


class CampaignQuerySet(models.QuerySet):
    def current(self):
        """The campaign now open for applications (at most one is flagged current)."""
        return self.filter(is_current=True).first()


class Campaign(models.Model):
    slug = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Used by --campaign in commands."))
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("summary shown on the home page"), blank=True)
    is_current = models.BooleanField(
        _("current campaign"),
        default=False,
        help_text=_("The campaign shown on the home page and open for applications. Only one at a time."),
    )

    # Application and review calendar
    application_opens_at = models.DateTimeField(_("applications open at"))
    application_closes_at = models.DateTimeField(
        _("applications close at"), help_text=_("Inclusive to the second, e.g. 23:59:59 Beijing time.")
    )
    review_starts_on = models.DateField(_("review starts on"))
    review_ends_on = models.DateField(_("review ends on"))
    results_published_at = models.DateTimeField(
        _("results published from"), help_text=_("Before this instant applicants only see 'under review'.")
    )
    seats = models.PositiveIntegerField(_("seats"), default=50, validators=[MinValueValidator(1)])

    # System filing (系统备案, round 2): nobody may block publication by never filing
    filing_deadline = models.DateTimeField(
        _("filing deadline (系统备案截止)"),
        help_text=_("Inclusive to the second. Applicants who passed round 1 file until then; after it the risk "
                    "officer may close out those who have not filed (未按时备案)."),
    )
    filing_reminder_hours = models.CharField(
        _("filing reminders (hours before the deadline)"), max_length=100, blank=True, default="72,24",
        validators=[validate_hours_list],
        help_text=_("Comma-separated, e.g. 72,24: applicants who passed round 1 and have not filed are reminded "
                    "once at each. Empty: no reminders."),
    )

    # Probation
    probation_starts_on = models.DateField(_("probation starts on"))
    probation_ends_on = models.DateField(_("probation ends on"))
    activity_starts_at = models.DateTimeField(_("拓客先锋 activity starts at"))
    activity_ends_at = models.DateTimeField(_("拓客先锋 activity ends at"))
    checkpoint_ends_at = models.DateTimeField(
        _("special-check checkpoint ends at"),
        help_text=_("New merchants opened from the activity start to this instant count for the checkpoint."),
    )
    final_result_at = models.DateTimeField(
        _("special-check final result at"),
        help_text=_("When the total and qualifying counts are evaluated, after settlement."),
    )
    window_618_starts_at = models.DateTimeField(_("618 window starts at"))
    window_618_ends_at = models.DateTimeField(_("618 window ends at"))

    # Special check thresholds
    checkpoint_min_new_merchants = models.PositiveIntegerField(_("checkpoint: new merchants at least"), default=2)
    total_min_new_merchants = models.PositiveIntegerField(_("total: new merchants at least"), default=5)
    qualifying_min_merchants = models.PositiveIntegerField(_("qualifying merchants at least"), default=3)
    best_item_min_orders = models.PositiveIntegerField(
        _("X: orders of a single item at least"), default=10
    )
    settlement_rate_min_percent = models.DecimalField(
        _("Y: effective settlement rate at least (%)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    at_risk_reminder_day = models.PositiveSmallIntegerField(
        _("at-risk reminder day of the month"), default=20,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("On this day leaders below a basic-check threshold of the month are reminded."),
    )

    # Deciding on complete data (DATA.md): moved only through ``probation.datamark`` and ``probation.decisions``
    data_complete_until = models.DateTimeField(
        _("data complete until (数据完整至)"), null=True, blank=True, editable=False,
        help_text=_("Every kind of alliance data is imported up to this instant; it only moves forward."),
    )
    decided_until = models.DateTimeField(
        _("checks decided until"), null=True, blank=True, editable=False,
        help_text=_("The latest instant up to which probation checks have been decided; it never moves back."),
    )
    data_wait_reminder_days = models.PositiveSmallIntegerField(
        _("remind operations after a due check waits (days)"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Operations are reminded once a day while a due check waits longer than this for its data."),
    )
    verdicts_compared_at = models.DateTimeField(
        _("stored verdicts compared with today's data at"), null=True, blank=True, editable=False,
    )

    # Publication (set by reviews.publication.publish_results, never edited by hand)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)

    # Questionnaire
    attachment_max_mb = models.PositiveIntegerField(_("attachment size limit (MB)"), default=10)
    supplement_max_mb = models.PositiveIntegerField(_("supplementary material size limit (MB)"), default=50)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-application_opens_at"]
        permissions = [
            ("select_applications", _("Can select applications in the final review")),
            ("publish_results", _("Can publish the results")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_campaign"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The calendar must hold together (``recruitment.calendar_rules``): each broken rule is a message on
        the field concerned."""
        errors = calendar_rules.campaign_errors(self)
        if errors:
            raise ValidationError(errors)

    # --- Application window -------------------------------------------------------------------
    def accepts_applications(self, now=None):
        """Whether an application may be submitted at ``now`` (inclusive at both ends, to the second)."""
        now = timeutils.to_second(now or timezone.now())
        return self.application_opens_at <= now <= self.application_closes_at

    def window_state(self, now=None):
        """``"upcoming"``, ``"open"`` or ``"closed"``."""
        now = timeutils.to_second(now or timezone.now())
        if now < self.application_opens_at:
            return "upcoming"
        if now <= self.application_closes_at:
            return "open"
        return "closed"

    # --- System filing --------------------------------------------------------------------------
    @property
    def filing_reminder_offsets(self):
        """The reminder offsets in hours, largest first (``[]`` when none or unreadable)."""
        try:
            return parse_hours_list(self.filing_reminder_hours)
        except ValueError:
            return []

    def filing_deadline_passed(self, now=None):
        """Whether the filing deadline is behind ``now`` (the deadline's own second still counts as before)."""
        return timeutils.to_second(now or timezone.now()) > self.filing_deadline

    def results_are_published(self, now=None):
        """Outcomes are visible once the publication step ran, and never before the results date."""
        return self.published_at is not None and (now or timezone.now()) >= self.results_published_at

    # --- Probation instants ---------------------------------------------------------------------
    @property
    def probation_end_instant(self):
        """The first instant after probation (e.g. 2024-09-01 00:00:00 Beijing time)."""
        return timeutils.start_of_day(self.probation_ends_on + timedelta(days=1))

    @property
    def checkpoint_due_at(self):
        return self.checkpoint_ends_at + timedelta(seconds=1)


class BasicCheckMonth(models.Model):
    """One natural month of the basic check (基础项考核) with its own thresholds."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="basic_months", verbose_name=_("campaign")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    min_activities = models.PositiveIntegerField(_("new promotion activities at least"), default=1)
    min_merchants = models.PositiveIntegerField(_("merchants recruited at least"), default=3)
    min_items = models.PositiveIntegerField(_("items recruited at least"), default=10)
    min_gmv = models.DecimalField(_("GMV at least (yuan)"), max_digits=14, decimal_places=2, default=10000)

    class Meta:
        verbose_name = _("basic check month")
        verbose_name_plural = _("basic check months")
        ordering = ["campaign", "month"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month"], name="one_threshold_row_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="basic_month_is_first_day"),
        ]

    def __str__(self):
        # The check's name, as probation.wording.check_label words it; the code stays in the data.
        return gettext("basic check of %(month)s") % {"month": f"{self.month:%Y-%m}"}

    @property
    def code(self):
        return f"basic:{self.month:%Y-%m}"

    @property
    def starts_at(self):
        return timeutils.start_of_day(self.month)

    @property
    def ends_at(self):
        """Last second of the month, inclusive."""
        return self.due_at - timedelta(seconds=1)

    @property
    def due_at(self):
        """First instant of the next month."""
        nxt = (self.month.replace(day=28) + timedelta(days=4)).replace(day=1)
        return timeutils.start_of_day(nxt)

