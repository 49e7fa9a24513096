"""Application states and the transitions allowed between them (one table, checked in services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# from-state -> the states it may move to. The review pipeline extends this table.
TRANSITIONS = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED},
    ApplicationStatus.SUBMITTED: {ApplicationStatus.WITHDRAWN},
    ApplicationStatus.WITHDRAWN: {ApplicationStatus.DRAFT},
}

# States in which the applicant may still change answers and attachments.
EDITABLE_STATES = {ApplicationStatus.DRAFT}


class EntityType(models.TextChoices):
    COMPANY = "company", _("Company (enterprise legal person)")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other")


class PreviousPermissionOutcome(models.TextChoices):
    NEVER = "never", _("Never held leader permission")
    ACTIVE = "active", _("Held, still active")
    ENDED = "ended", _("Held, ended normally")
    CLOSED = "closed", _("Held, closed")
    CLEARED = "cleared", _("Held, cleared (清退)")


class OtherPlatform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    JD = "jd", _("JD.com")
    PDD = "pdd", _("Pinduoduo")
    OTHER = "other", _("Other platform")


class AttachmentKind(models.TextChoices):
    SUPPORTING = "supporting", _("Supporting file")
    SUPPLEMENTARY = "supplementary", _("Supplementary material (after round 1)")

# States an applicant sees in the timeline of the status page. Review states are added here only
# once their outcome is meant to be visible (after results_published_at).
APPLICANT_VISIBLE_STATES = {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}
