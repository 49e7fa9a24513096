"""Round 3, 终审 (final review): committee members score the rubric, and applications are ranked.

Each member of the campaign's committee (``can_score_in``: the final committee role and a seat on
that campaign's committee, ``reviews.committee``) submits one score sheet per application: every
criterion of the campaign's rubric within 0..max_score and a comment. The sheet is final once submitted — no edits,
since after submitting a member sees the others' sheets (``can_see_scores_of``) and an edit would
no longer be an independent opinion. The ranking is computed from the sheets in one query.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import ApplicationError

from . import committee, permissions
from .models import (
    CallAttempt,
    CommitteeMember,
    Filing,
    PhoneTask,
    RiskAssessment,
    RubricCriterion,
    Score,
    ScoreSheet,
    SelectionOverride,
)

CENT = Decimal("0.01")

# The applications the ranking lists: in round 3, and (after publication) their outcome.
RANKED_STATES = (ApplicationStatus.FINAL_REVIEW, ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED)


class ScoringError(ApplicationError):
    """A score sheet was refused; nothing was written."""


class AlreadyScored(ScoringError):
    """The reviewer already submitted a sheet for this application (sheets are final)."""


def round_half_up(value):
    """A ``Fraction`` or ``Decimal`` rounded to 2 decimals, halves away from zero (ROUND_HALF_UP)."""
    value = Fraction(value)
    cents = (abs(value) * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(cents) / 100).quantize(CENT) * (1 if value >= 0 else -1)


def weighted_score(criteria, values):
    """Σ(weight × value / max_score) / Σ weight × 100, exact, rounded half up to 2 decimals.

    ``criteria`` are ``RubricCriterion`` rows, ``values`` maps their ids to the scores given.
    """
    total_weight = sum(c.weight for c in criteria)
    weighted = sum(Fraction(c.weight * values[c.pk], c.max_score) for c in criteria)
    return round_half_up(weighted / total_weight * 100)


def rubric_of(campaign):
    return list(RubricCriterion.objects.filter(campaign=campaign).order_by("position", "id"))


def rubric_is_locked(campaign):
    """Once a sheet exists in the campaign its rubric is frozen: stored weighted scores depend on it."""
    return ScoreSheet.objects.filter(application__campaign=campaign).exists()


def _clean_scores(criteria, scores):
    """The scores keyed by criterion id as ints, or ``ScoringError`` naming what is wrong."""
    by_id = {c.pk: c for c in criteria}
    try:
        values = {int(key): value for key, value in scores.items()}
    except (TypeError, ValueError) as exc:
        raise ScoringError(_("The score sheet names an unknown criterion.")) from exc
    unknown = set(values) - set(by_id)
    if unknown:
        raise ScoringError(_("The score sheet names an unknown criterion."))
    missing = [c for c in criteria if values.get(c.pk) in (None, "")]
    if missing:
        names = "、".join(c.name for c in missing)
        raise ScoringError(_("Every criterion must be scored. Still missing: %(items)s.") % {"items": names})
    cleaned = {}
    for criterion in criteria:
        value = values[criterion.pk]
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        else:
            try:
                value = int(value)
            except ValueError:
                value = None
        if value is None or not 0 <= value <= criterion.max_score:
            raise ScoringError(
                _("“%(name)s” must be a whole number from 0 to %(max)s.")
                % {"name": criterion.name, "max": criterion.max_score}
            )
        cleaned[criterion.pk] = value
    return cleaned


def submit_scores(application, *, reviewer, scores, comment):
    """Record ``reviewer``'s score sheet for a round-3 application and return it.

    ``scores`` maps criterion ids to whole scores. Refused (``ScoringError``, nothing written) unless
    the reviewer may score, the application is in final review, every criterion of its campaign is
    scored within 0..max_score and a comment is given; refused too when the reviewer does not sit on
    the committee of the application's campaign. ``AlreadyScored`` on a second sheet by the same
    reviewer (also when two submissions race: the database constraint decides).
    """
    if not permissions.can_score(reviewer):
        raise ScoringError(_("You are not a member of the final review committee."))
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not permissions.sits_on_committee(reviewer, locked.campaign_id):
            raise ScoringError(_("You do not sit on this campaign's final-review committee."))
        if locked.status != ApplicationStatus.FINAL_REVIEW:
            raise ScoringError(
                _("Only an application in final review can be scored; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        criteria = rubric_of(locked.campaign_id)
        if not criteria:
            raise ScoringError(_("The campaign has no rubric yet."))
        if ScoreSheet.objects.filter(application=locked, reviewer=reviewer).exists():
            raise AlreadyScored(_("You have already scored this application; a submitted score sheet is final."))
        values = _clean_scores(criteria, scores)
        if not comment:
            raise ScoringError(_("A comment is required."))
        try:
            with transaction.atomic():
                sheet = ScoreSheet.objects.create(
                    application=locked, reviewer=reviewer, comment=comment,
                    weighted_score=weighted_score(criteria, values),
                )
        except IntegrityError as exc:
            raise AlreadyScored(
                _("You have already scored this application; a submitted score sheet is final.")
            ) from exc
        Score.objects.bulk_create(Score(sheet=sheet, criterion=c, value=values[c.pk]) for c in criteria)
    return sheet


def sheets_of(application):
    """The submitted sheets with their scores, in submission order (3 queries whatever their number)."""
    return list(
        ScoreSheet.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("scores__criterion")
        .order_by("submitted_at", "id")
    )


# --- Ranking --------------------------------------------------------------------------------------


@dataclass
class RankedApplication:
    application: Application
    rank: int | None  # None: no sheet yet (unranked, listed last)
    mean: Decimal | None
    sheet_count: int
    missing_members: list = field(default_factory=list)  # committee members without a sheet on it
    override: SelectionOverride | None = None  # selected without every member's sheet: why


def with_scores(queryset):
    """Annotate each application's sheet count and score total in the same query (set-based).

    The mean is total / count computed exactly in Python: an ``Avg`` over decimals runs in floating
    point on SQLite, which would round 85.125 either way.
    """
    return queryset.annotate(
        sheet_count=Count("score_sheets"),
        score_total=Sum("score_sheets__weighted_score"),
    )


def mean_of(total, count):
    if not count:
        return None
    return round_half_up(Fraction(Decimal(total)) / count)


def ranking(campaign, *, queryset=None):
    """The campaign's round-3 applications ranked by mean weighted score (one query).

    Competition ranking on the mean rounded to 2 decimals (the value staff see): equal means share a
    rank and the next rank skips (1, 2, 2, 4). Within a tie the list is ordered by number of sheets
    (more first), then submission time (earlier first) — for display only, the rank is shared.
    Applications without a sheet come last without a rank.
    """
    if queryset is None:
        queryset = Application.objects.filter(campaign=campaign, status__in=RANKED_STATES)
    rows = with_scores(queryset.select_related("decided_by")).order_by()
    entries = [RankedApplication(app, None, mean_of(app.score_total, app.sheet_count), app.sheet_count) for app in rows]
    far_future = (1, 0)

    def order(entry):
        submitted = entry.application.submitted_at
        when = (0, submitted.timestamp()) if submitted else far_future
        if entry.mean is None:
            return (1, 0, 0, when, entry.application.pk)
        return (0, -entry.mean, -entry.sheet_count, when, entry.application.pk)

    entries.sort(key=order)
    previous_mean, previous_rank = None, None
    for position, entry in enumerate(entries, start=1):
        if entry.mean is None:
            break
        entry.rank = previous_rank if entry.mean == previous_mean else position
        previous_mean, previous_rank = entry.mean, entry.rank
    return entries


def with_committee_evidence(entries, campaign):
    """``entries`` of ``ranking`` with, for each, the committee members without a sheet and the selection
    override, if any (three queries whatever their number). Returns ``entries``."""
    applications = [entry.application for entry in entries]
    if not applications:
        return entries
    missing = committee.missing_sheets_by_application(applications, campaign)
    overrides = {
        o.application_id: o
        for o in SelectionOverride.objects.filter(application__in=applications).select_related("decided_by")
    }
    for entry in entries:
        entry.missing_members = missing[entry.application.pk]
        entry.override = overrides.get(entry.application.pk)
    return entries


def unscored_by(user, queryset):
    """Applications of ``queryset`` on which ``user`` has not submitted a sheet yet."""
    return queryset.exclude(Q(score_sheets__reviewer=user))


def on_committees_of(user, queryset):
    """Applications of ``queryset`` whose campaign's committee ``user`` sits on (one ``EXISTS``)."""
    return queryset.filter(
        Exists(CommitteeMember.objects.filter(campaign=OuterRef("campaign"), member=user))
    )


def awaiting_my_score(user, campaign):
    """How many round-3 applications of ``campaign`` wait for ``user``'s sheet: none unless ``user`` sits on
    its committee (the figure the dashboard shows a judge)."""
    if not permissions.can_score_in(user, campaign):
        return 0
    queryset = Application.objects.filter(campaign=campaign, status=ApplicationStatus.FINAL_REVIEW)
    return unscored_by(user, queryset).count()


# --- What a judge scores from (系统填写的基本情况) -----------------------------------------------------


@dataclass
class Evidence:
    """Beside the questionnaire, what the other rounds found: the filing, the latest risk assessment,
    the phone task with every call. Values as stored: the page masks what a role may not see."""

    filing: Filing | None
    assessment: RiskAssessment | None
    phone_task: PhoneTask | None
    calls: list


def evidence_of(application):
    """The filing, the latest risk assessment and the phone task with its calls (four queries)."""
    filing = Filing.objects.filter(application=application).first()
    assessment = RiskAssessment.objects.filter(application=application).order_by("-ran_at", "-pk").first()
    phone_task = PhoneTask.objects.filter(application=application).first()
    calls = []
    if phone_task is not None:
        calls = list(
            CallAttempt.objects.filter(task=phone_task).select_related("called_by").order_by("called_at", "pk")
        )
    return Evidence(filing, assessment, phone_task, calls)
