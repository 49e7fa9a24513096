"""Application states and the transitions allowed between them (one table, checked in services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ROUND1_REJECTED = "round1_rejected", _("Rejected in round 1")
    FILING = "filing", _("Round 1 passed, awaiting filing")
    FILING_LAPSED = "filing_lapsed", _("Not filed by the deadline")
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
    # FILING -> FILING_LAPSED: after the campaign's filing deadline the risk officer closes out an
    # application that never filed (未按时备案), so that it does not block publication. The state is
    # public (the deadline is): the applicant reads "filing closed" at once.
    S.FILING: {S.RISK_REVIEW, S.FILING_LAPSED},
    # Reversible until publication: the campaign admin reopens the filing (back to FILING, with a reason);
    # publication tells the applicant the outcome like any other: not selected.
    S.FILING_LAPSED: {S.FILING, S.NOT_SELECTED},
    S.RISK_REVIEW: {S.FINAL_REVIEW, S.RISK_REJECTED},
    S.FINAL_REVIEW: {S.SELECTED, S.NOT_SELECTED},
    # Before publication a round-1 rejection reads as the phase it was decided in ("submitted"), and the
    # applicant may still do what that phase offers, exactly as if nothing had been decided (anything
    # else would give the decision away): withdraw it before the deadline.
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
    ANSWER = "answer", _("Answer to a custom question")



class ApplicantStatus(models.TextChoices):
    """What the applicant is told (申请人看到的状态): one word per phase the applicant may know about.

    Every applicant page, notice and action reads this, never ``ApplicationStatus``
    (``applications.visibility.applicant_status``): before publication a decision staff took shows as
    the phase it was taken in, so nothing the applicant sees or may do depends on it.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FILING = "filing", _("Round 1 passed, system filing to complete")
    FILED = "filed", _("System filing completed, under review")
    FILING_CLOSED = "filing_closed", _("Filing deadline passed")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


A = ApplicantStatus

# The applicant's word for each state: (before the results are published, once they are). Before
# publication an outcome reads as the phase it was decided in (``applicant_status`` follows the
# audit trail: a round-1 rejection reads "submitted"); the first value here is its fallback.
APPLICANT_STATUS = {
    S.DRAFT: (A.DRAFT, A.DRAFT),
    S.SUBMITTED: (A.SUBMITTED, A.SUBMITTED),
    S.WITHDRAWN: (A.WITHDRAWN, A.WITHDRAWN),
    S.FILING: (A.FILING, A.FILING),
    # Public from the close-out on: the filing deadline is public, so the closure reveals nothing.
    # Publication moves it on to NOT_SELECTED.
    S.FILING_LAPSED: (A.FILING_CLOSED, A.FILING_CLOSED),
    S.RISK_REVIEW: (A.FILED, A.FILED),
    S.FINAL_REVIEW: (A.FILED, A.FILED),
    S.ROUND1_REJECTED: (A.SUBMITTED, A.NOT_SELECTED),
    S.RISK_REJECTED: (A.FILED, A.NOT_SELECTED),
    S.SELECTED: (A.FILED, A.SELECTED),
    S.NOT_SELECTED: (A.FILED, A.NOT_SELECTED),
}

# Applicant statuses in which supplementary material (补充材料) may be uploaded: from the round-1 pass
# until the outcome is published.
SUPPLEMENT_APPLICANT_STATUSES = {A.FILING, A.FILED}


class QuestionKind(models.TextChoices):
    """The kinds of a campaign's custom question (自定义问题); the form field and the answer follow it."""

    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    DATE = "date", _("Date")
    FILE = "file", _("File upload")


# Kinds whose answer may be the condition of another question.
CONDITION_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO}
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}
