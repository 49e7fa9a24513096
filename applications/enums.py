"""Application states and the transitions allowed between them (one table, checked in services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ROUND1_REJECTED = "round1_rejected", _("Rejected in round 1")
    FILING = "filing", _("Round 1 passed, awaiting filing")
    RISK_REVIEW = "risk_review", _("Filed, risk assessment running")
    RISK_REJECTED = "risk_rejected", _("Rejected by the risk assessment")
    FINAL_REVIEW = "final_review", _("In final review")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


S = ApplicationStatus

# from-state -> the states it may move to. ``applications.services.transition`` checks it; nothing
# else changes a status. Selection outcomes are only reached through publication.
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.FILING, S.ROUND1_REJECTED},
    S.WITHDRAWN: {S.DRAFT},
    S.FILING: {S.RISK_REVIEW, S.ROUND1_REJECTED},
    S.RISK_REVIEW: {S.FINAL_REVIEW, S.RISK_REJECTED},
    S.FINAL_REVIEW: {S.SELECTED, S.NOT_SELECTED},
    # Before publication a round-1 rejection looks "submitted" to the applicant, who may still withdraw
    # it before the deadline exactly like a pending application (so the button gives nothing away).
    S.ROUND1_REJECTED: {S.WITHDRAWN},
    S.RISK_REJECTED: set(),
    S.SELECTED: set(),
    S.NOT_SELECTED: set(),
}

# States in which the applicant may still change answers and attachments.
EDITABLE_STATES = {S.DRAFT}

# States that are under review (submitted and not yet finally decided).
IN_REVIEW_STATES = {S.SUBMITTED, S.FILING, S.RISK_REVIEW, S.FINAL_REVIEW}

# Outcomes that an applicant sees only once results are published (results date reached and the
# publication step run); before that they read "under review".
OUTCOME_STATES = {S.ROUND1_REJECTED, S.RISK_REJECTED, S.SELECTED, S.NOT_SELECTED}


class PendingDecision(models.TextChoices):
    """A round-3 decision recorded by staff and applied by publication (择优通过)."""

    NONE = "", _("Undecided")
    SELECTED = "selected", _("To be selected")
    NOT_SELECTED = "not_selected", _("Not to be selected")


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
