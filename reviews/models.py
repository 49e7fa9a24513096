"""The three review rounds (官方审核) as data: checklists, filings, risk rules, rubrics and scores.

Every status change of an application still goes through ``applications.services.transition``;
these models hold what each round records on the way.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from recruitment.models import Campaign

from .enums import CallOutcome, RiskRuleCode, SanctionKind, rule_title

# --- Round 1: 初审 ------------------------------------------------------------------------------


class ChecklistItem(models.Model):
    """One point a round-1 reviewer ticks (completeness, general qualifications)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="checklist_items", verbose_name=_("campaign")
    )
    text = models.CharField(_("check"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("round-1 checklist item")
        verbose_name_plural = _("round-1 checklist items")
        ordering = ["campaign", "position", "id"]

    def __str__(self):
        return self.text


class Round1Review(models.Model):
    """The round-1 decision on an application: the ticked checklist, pass or reject, and why."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="round1_review", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    checked_items = models.ManyToManyField(ChecklistItem, blank=True, verbose_name=_("checked items"))
    passed = models.BooleanField(_("passed"))
    reason = models.TextField(_("reason"), blank=True)
    checklist_waiver = models.TextField(
        _("reason to pass without the full checklist"), blank=True,
        help_text=_("Required to pass an application without every checklist item of its campaign ticked."),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("round-1 review")
        verbose_name_plural = _("round-1 reviews")

    def __str__(self):
        return f"{self.application}：{gettext('passed') if self.passed else gettext('rejected')}"


class PhoneTask(models.Model):
    """Staff call the applicant after a round-1 pass (电话通知): who to call and on which number.

    Every call is a ``CallAttempt``; ``outcome``, ``called_by``, ``called_at`` and ``note`` repeat the
    latest one (written only by ``reviews.round1.record_call``, in the attempt's transaction) so the
    list can filter and sort on them.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="phone_task", verbose_name=_("application")
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone number"), max_length=20)
    outcome = models.CharField(
        _("latest outcome"), max_length=20, choices=CallOutcome.choices, default=CallOutcome.PENDING, db_index=True
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("last called by"),
    )
    called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    note = models.TextField(_("latest note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone notification")
        verbose_name_plural = _("phone notifications")
        ordering = ["outcome", "created_at"]

    def __str__(self):
        return f"{self.contact_name} {self.phone}"


class CallAttempt(models.Model):
    """One call made for a phone task: when, by whom, the outcome and a note. Every attempt is kept."""

    task = models.ForeignKey(
        PhoneTask, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("phone notification")
    )
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("called by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["task", "called_at", "id"]

    def __str__(self):
        return f"{self.called_at:%Y-%m-%d %H:%M:%S} {self.get_outcome_display()}"


# --- Round 2: 系统备案 + 风险评估 -----------------------------------------------------------------


class Filing(models.Model):
    """The system filing (系统备案) an applicant completes after passing round 1."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="filing", verbose_name=_("application")
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    legal_representative_id_number = models.CharField(_("legal representative's ID number"), max_length=18)
    registered_address = models.CharField(_("registered address"), max_length=200)
    business_address = models.CharField(_("business address"), max_length=200)
    settlement_account_name = models.CharField(_("settlement account holder"), max_length=200)
    associated_accounts_confirmed = models.BooleanField(_("associated accounts confirmed"), default=False)
    rules_accepted = models.BooleanField(_("management rules accepted"), default=False)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self):
        return str(self.application)


class RiskRule(models.Model):
    """One risk rule of one campaign, with its parameter; disabled rules are skipped."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="risk_rules", verbose_name=_("campaign")
    )
    code = models.CharField(_("rule"), max_length=40, choices=RiskRuleCode.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    parameter = models.PositiveIntegerField(
        _("parameter"), null=True, blank=True, help_text=_("N in the rule's description, where it has one.")
    )

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="one_rule_per_code_per_campaign")]

    def __str__(self):
        return str(rule_title(self.code, self.parameter))


class SanctionRecord(models.Model):
    """An account or company closed, cleared or sanctioned before; the risk rules read this list."""

    alliance_account = models.CharField(_("Taobao Alliance account"), max_length=64, blank=True, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SanctionKind.choices)
    occurred_on = models.DateField(_("date"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="sanctions",
        verbose_name=_("campaign"), help_text=_("Set when the closure happened in a campaign's probation."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sanction record")
        verbose_name_plural = _("sanction records")
        ordering = ["-occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alliance_account="") | ~Q(credit_code=""), name="sanction_names_account_or_company"
            ),
            models.UniqueConstraint(
                fields=["alliance_account", "credit_code", "kind", "occurred_on"], name="sanction_record_unique"
            ),
        ]

    def __str__(self):
        return f"{self.alliance_account or self.credit_code} {self.get_kind_display()} {self.occurred_on}"


class RiskAssessment(models.Model):
    """One run of the risk rules on an application: the verdict and, per rule, the data it used."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="risk_assessments", verbose_name=_("application")
    )
    passed = models.BooleanField(_("passed"))
    results = models.JSONField(
        _("rule results"), default=list,
        help_text=_("One entry per rule: code, passed, and the data it was decided on."),
    )
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["application", "-ran_at"]

    def __str__(self):
        return f"{self.application}：{gettext('passed') if self.passed else gettext('failed')}"

    @property
    def failed_rules(self):
        return [r for r in self.results if not r.get("passed")]


# --- Round 3: 终审 --------------------------------------------------------------------------------


class RubricCriterion(models.Model):
    """One criterion of the final-review rubric with its weight (weights are relative)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("campaign")
    )
    name = models.CharField(_("criterion"), max_length=100)
    description = models.TextField(_("what to look for"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1)])
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["campaign", "position", "id"]

    def __str__(self):
        return self.name


class CommitteeMember(models.Model):
    """A judge on one campaign's final-review committee (终审委员会).

    Members score that campaign's round-3 applications (and only they do); selecting an application
    (择优通过) needs a sheet from every member, or an override with a reason (``SelectionOverride``).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="committee_members", verbose_name=_("campaign")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats",
        verbose_name=_("committee member"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["campaign", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_committee_seat_per_campaign"),
        ]

    def __str__(self):
        return self.member.get_username()


class ScoreSheet(models.Model):
    """One reviewer's scores and comment for one application in round 3."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="score_sheets", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("reviewer")
    )
    comment = models.TextField(_("comment"))
    weighted_score = models.DecimalField(
        _("weighted score"), max_digits=6, decimal_places=2,
        help_text=_("0–100: the criteria's scores weighted, as a share of the maximum."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["application", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_score_sheet_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.application} / {self.reviewer}"


class Score(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("score sheet")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class SelectionOverride(models.Model):
    """择优通过 without every committee member's score sheet: why, who decided, whose sheets were missing.

    Written by ``reviews.publication.record_decision`` with the selection; removed when the decision
    changes to anything else (the audit log keeps every decision). Shown on the ranking.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="selection_override", verbose_name=_("application")
    )
    reason = models.TextField(_("reason to select without every score sheet"))
    missing_members = models.JSONField(
        _("members without a score sheet"), default=list,
        help_text=_("Login names of the committee members who had not scored when the selection was made."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("selection without every score sheet")
        verbose_name_plural = _("selections without every score sheet")

    def __str__(self):
        return str(self.application)


# --- Admin queues -----------------------------------------------------------------------------------
# Proxies of Application so each round gets its own changelist (and role) in the admin.


class Round1Queue(Application):
    class Meta:
        proxy = True
        verbose_name = _("round-1 queue (初审)")
        verbose_name_plural = _("round-1 queue (初审)")


class RiskQueue(Application):
    class Meta:
        proxy = True
        verbose_name = _("round-2 queue (系统备案与风险评估)")
        verbose_name_plural = _("round-2 queue (系统备案与风险评估)")


class FinalReviewQueue(Application):
    class Meta:
        proxy = True
        verbose_name = _("round-3 queue (终审)")
        verbose_name_plural = _("round-3 queue (终审)")


class Committee(Campaign):
    """A campaign seen as its final-review committee: the campaign admin assigns its judges here."""

    class Meta:
        proxy = True
        verbose_name = _("final-review committee (终审委员会)")
        verbose_name_plural = _("final-review committees (终审委员会)")
