"""The applicant's questionnaire (问卷): one application per alliance account per campaign.

Fields are blank-able because a draft is saved section by section; completeness is checked by the
questionnaire definition when the applicant submits (``applications.questionnaire``).
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruitment.models import Campaign
from recruitment.validators import validate_credit_code, validate_mobile

from .enums import (
    CHOICE_KINDS,
    CONDITION_KINDS,
    EDITABLE_STATES,
    ApplicationStatus,
    AttachmentKind,
    EntityType,
    PendingDecision,
    PreviousPermissionOutcome,
    QuestionKind,
)


class Application(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="applications", verbose_name=_("campaign")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )

    # --- Identity (主体信息) ---
    alliance_account = models.CharField(_("Taobao Alliance account"), max_length=64, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    incorporated_on = models.DateField(_("date of incorporation"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    mobile = models.CharField(_("contact mobile number"), max_length=11, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("contact e-mail"), blank=True)
    dingtalk_id = models.CharField(_("DingTalk ID"), max_length=64, blank=True)

    # --- Risk facts (《招商服务商管理规范》) ---
    entity_type = models.CharField(_("entity type"), max_length=30, choices=EntityType.choices, blank=True)
    associated_accounts = models.JSONField(
        _("associated alliance accounts"), default=list, blank=True,
        help_text=_("Other Taobao Alliance accounts of the same company or controller."),
    )
    previous_permission = models.CharField(
        _("leader permission held before"), max_length=20, choices=PreviousPermissionOutcome.choices, blank=True
    )
    previous_closed_on = models.DateField(_("date closed or cleared"), null=True, blank=True)

    # --- General qualifications (通用资质) ---
    years_in_business = models.PositiveSmallIntegerField(_("years in business"), null=True, blank=True)
    team_total = models.PositiveIntegerField(_("team size"), null=True, blank=True)
    team_recruiting = models.PositiveIntegerField(_("merchant-recruiting staff"), null=True, blank=True)
    team_operations = models.PositiveIntegerField(_("operations staff"), null=True, blank=True)
    has_offsite_promotion = models.BooleanField(_("off-site promotion experience"), null=True, blank=True)
    offsite_promotion_detail = models.TextField(_("off-site promotion details"), blank=True)
    other_platform_roles = models.JSONField(_("leader roles on other platforms"), default=list, blank=True)
    other_platform_detail = models.TextField(_("details of roles on other platforms"), blank=True)
    other_alliance_identities = models.TextField(_("other Taobao Alliance partner identities"), blank=True)

    # --- Key assessment: new-merchant acquisition (重点考核) ---
    new_merchants_available = models.PositiveIntegerField(
        _("merchants not yet on Taobaoke you can bring"), null=True, blank=True
    )
    new_merchant_examples = models.TextField(_("examples of such merchants"), blank=True)
    industries = models.TextField(_("industry specialisations"), blank=True)
    channel_resources = models.TextField(_("channel resources"), blank=True)
    has_exclusive_channels = models.BooleanField(_("exclusive promotion channels"), null=True, blank=True)
    exclusive_channels_detail = models.TextField(_("exclusive channel details"), blank=True)
    target_gmv = models.DecimalField(
        _("target recruitment GMV (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    target_new_merchants = models.PositiveIntegerField(_("target number of new merchants"), null=True, blank=True)
    media_plan = models.TextField(_("media investment plan"), blank=True)

    # --- Custom questions of the campaign (``CustomQuestion``) ---
    custom_answers = models.JSONField(
        _("answers to custom questions"), default=dict, blank=True,
        help_text=_("Question number -> the question's text when answered, its type and the answer."),
    )

    # --- Declaration ---
    declaration_accepted = models.BooleanField(_("declaration accepted"), default=False)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    pending_decision = models.CharField(
        _("pending decision"), max_length=20, choices=PendingDecision.choices, blank=True, default="",
        help_text=_("Recorded in round 3; applied when results are published."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation e-mail sent at"), null=True, blank=True,
        help_text=_("Set when the submission confirmation went out; a resubmission sends a new one."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "alliance_account"],
                condition=~Q(alliance_account=""),
                name="one_application_per_account_per_campaign",
                violation_error_message=_("This alliance account has already applied in this campaign."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "applicant"],
                name="one_application_per_user_per_campaign",
                violation_error_message=_("You already have an application in this campaign."),
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]
        permissions = [
            ("close_out_non_filers", _("Can close out applications not filed by the filing deadline")),
            ("reopen_filing", _("Can reopen the filing of an application closed out for not filing")),
        ]

    def __str__(self):
        return self.company_name or self.alliance_account or f"#{self.pk}"

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATES


class CooperationCase(models.Model):
    """A historical cooperation case (历史合作案例); an application lists any number."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="cases", verbose_name=_("application")
    )
    merchant_name = models.CharField(_("merchant or brand"), max_length=120)
    platform = models.CharField(_("platform"), max_length=60, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    period = models.CharField(_("period"), max_length=60, blank=True, help_text=_("e.g. 2023-06 to 2023-11"))
    gmv = models.DecimalField(
        _("GMV achieved (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("what you did and the result"))

    class Meta:
        verbose_name = _("cooperation case")
        verbose_name_plural = _("cooperation cases")
        ordering = ["application", "id"]

    def __str__(self):
        return self.merchant_name


def attachment_path(instance, filename):
    """Stored under a random name: the applicant's file name is kept in ``original_name`` only."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("application")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.SUPPORTING
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "uploaded_at"]

    def __str__(self):
        return self.original_name


class StatusChange(models.Model):
    """Audit trail: every transition of an application, who made it, when, from, to and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("application")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["application", "created_at", "id"]

    def __str__(self):
        return gettext("%(from)s → %(to)s") % {
            "from": self.get_from_status_display(), "to": self.get_to_status_display()
        }


class CustomQuestion(models.Model):
    """A question the campaign admin adds to one campaign's questionnaire (自定义问题).

    It goes into one of the questionnaire's form sections, or into a new section named by
    ``new_section_title`` (questions with the same title share it). The answers live on the application
    (``Application.custom_answers``) with the question's text at the time of answering, so changing or
    deleting the question never changes or loses an answer already given.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="custom_questions", verbose_name=_("campaign")
    )
    section = models.CharField(
        _("section"), max_length=30, blank=True,
        choices=[
            ("identity", _("Applicant identity")),
            ("risk", _("Risk information")),
            ("qualifications", _("General qualifications")),
            ("assessment", _("Key assessment: new-merchant resources and plan")),
        ],
        help_text=_("A section of the questionnaire; leave empty and give a new section's title instead."),
    )
    new_section_title = models.CharField(
        _("new section title"), max_length=100, blank=True,
        help_text=_("A new section, shown after the key assessment; questions with the same title share it."),
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SHORT_TEXT)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a single or multiple choice: one choice per line.")
    )
    required = models.BooleanField(
        _("required"), default=False,
        help_text=_("Needed to submit. Binds drafts only: an application already submitted stays submitted."),
    )
    condition_question = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="dependents",
        verbose_name=_("shown only if the answer to"),
        help_text=_("A single choice, multiple choice or yes/no question of the same campaign."),
    )
    condition_value = models.CharField(
        _("has the answer"), max_length=200, blank=True,
        help_text=_("One of that question's choices, or 是 / 否 for a yes/no question."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom question")
        verbose_name_plural = _("custom questions")
        ordering = ["campaign", "position", "id"]

    def __str__(self):
        return self.label

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def field_name(self):
        """The name of its form field and the key of its answer (``Application.custom_answers``)."""
        return f"q{self.pk}"

    def clean(self):
        errors = {}
        if bool(self.section) == bool(self.new_section_title.strip()):
            errors["new_section_title"] = _("Choose a section of the questionnaire or give a new section's title "
                                            "(one of the two).")
        if self.kind in CHOICE_KINDS and len(self.choice_list) < 2:
            errors["choices"] = _("Give at least two choices, one per line.")
        condition = self.condition_question
        if condition is not None:
            if (self.pk and condition.pk == self.pk) or condition.campaign_id != self.campaign_id:
                errors["condition_question"] = _("Choose another question of the same campaign.")
            elif condition.kind not in CONDITION_KINDS:
                errors["condition_question"] = _("Only a single choice, multiple choice or yes/no question can be "
                                                 "a condition.")
            else:
                value = normalized_condition_value(condition, self.condition_value)
                if value is None:
                    errors["condition_value"] = _("Give one of that question's answers.")
                else:
                    self.condition_value = value
        elif self.condition_value:
            errors["condition_value"] = _("A value needs a question to compare with.")
        if errors:
            raise ValidationError(errors)


YES_WORDS = {"yes", "是", "true"}
NO_WORDS = {"no", "否", "false"}


def normalized_condition_value(condition, value):
    """``value`` as the condition stores it (a choice, or ``yes``/``no``), ``None`` if it is no answer of
    ``condition``."""
    value = (value or "").strip()
    if condition.kind == QuestionKind.YES_NO:
        if value.casefold() in YES_WORDS:
            return "yes"
        if value.casefold() in NO_WORDS:
            return "no"
        return None
    return value if value in condition.choice_list else None
