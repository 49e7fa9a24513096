"""The review sheets of the applications export (XLSX): the filing, the risk result and the scores.

What a reviewer needs offline, as the exporting staff member may see it in the admin, each sheet keyed by
the application's number in its first column:

- the filing (系统备案) and the latest risk assessment (风险评估): roles that read filings / assessments see
  every exported application's; a final-review committee member sees those of the round-3 applications of
  the campaigns whose committee they sit on, as their score page shows them; nobody else gets the sheet.
  The legal representative's ID number is masked unless ``can_see_full_id_number``.
- the score sheets (终审评分): every sheet for whoever sees all scores (the campaign admin); a committee
  member sees the sheets of the applications they have scored themselves (``can_see_scores_of``), never
  the others' before their own; nobody else gets the sheet.

Each sheet is one or two queries whatever the number of rows.
"""

import tablib
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext

from applications.masking import mask_id_number
from applications.resources import application_number_header, cell

from .. import final, permissions, risk
from ..filing import FILING_FIELDS
from ..models import CommitteeMember, Filing, RiskAssessment, Score, ScoreSheet
from .risk import DATA_LABELS, _ordered, _value


def review_sheets(user, applications):
    """The filing, risk and score datasets ``user`` may see of ``applications`` (a queryset), in that order."""
    sheets = []
    evidence = _evidence_applications(user, applications)
    if evidence is not None:
        sheets.append(filing_dataset(user, evidence))
        sheets.append(risk_dataset(evidence))
    scored = _scored_applications(user, applications)
    if scored is not None:
        sheets.append(scores_dataset(scored))
    return sheets


def _evidence_applications(user, applications):
    """Those of ``applications`` whose filing and risk result ``user`` sees, or ``None``: no such sheet."""
    if permissions.can_view_filings(user) and permissions.can_view_risk(user):
        return applications
    if permissions.can_score(user):
        seats = CommitteeMember.objects.filter(campaign=OuterRef("campaign_id"), member=user)
        return applications.filter(Exists(seats), status__in=final.RANKED_STATES)
    return None


def _scored_applications(user, applications):
    """Those of ``applications`` whose score sheets ``user`` sees, or ``None``: no such sheet."""
    if permissions.can_view_all_scores(user):
        return applications
    if permissions.can_score(user):
        own = ScoreSheet.objects.filter(application=OuterRef("pk"), reviewer=user)
        return applications.filter(Exists(own))
    return None


def _keys(applications):
    return applications.order_by().values("pk")


def filing_dataset(user, applications):
    headers = [application_number_header()]
    headers += [capfirst(Filing._meta.get_field(name).verbose_name) for name in [*FILING_FIELDS, "filed_at"]]
    dataset = tablib.Dataset(headers=[str(h) for h in headers], title=str(capfirst(Filing._meta.verbose_name_plural)))
    for filing in Filing.objects.filter(application__in=_keys(applications)).order_by("application_id"):
        row = [filing.application_id]
        for name in FILING_FIELDS:
            value = getattr(filing, name)
            if name == "legal_representative_id_number":
                value = value if permissions.can_see_full_id_number(user) else mask_id_number(value)
            row.append(cell(value))
        row.append(filing.filed_at)
        dataset.append(row)
    return dataset


def risk_dataset(applications):
    """One row per rule of each application's latest assessment: the rule, its verdict and its data (one row
    with the verdict alone when no rule ran)."""
    headers = [
        application_number_header(),
        capfirst(RiskAssessment._meta.get_field("ran_at").verbose_name),
        capfirst(gettext("risk assessment result")),
        capfirst(gettext("rule")),
        capfirst(gettext("result")),
        capfirst(gettext("data")),
    ]
    dataset = tablib.Dataset(
        headers=[str(h) for h in headers], title=str(capfirst(RiskAssessment._meta.verbose_name_plural))
    )
    latest = (
        RiskAssessment.objects.filter(application__in=_keys(applications))
        .order_by("application_id", "-ran_at", "-pk")
    )
    seen = set()
    for assessment in latest:
        if assessment.application_id in seen:
            continue
        seen.add(assessment.application_id)
        if not assessment.results:  # no rule enabled: the verdict alone
            dataset.append([assessment.application_id, assessment.ran_at, _verdict(assessment.passed), "", "", ""])
        for result in assessment.results:
            data = "；".join(f"{DATA_LABELS.get(key, key)}：{_value(value)}"
                            for key, value in _ordered(result.get("data") or {}))
            dataset.append([
                assessment.application_id,
                assessment.ran_at,
                _verdict(assessment.passed),
                cell(str(risk.rule_label(result.get("code"), result.get("parameter")))),
                _verdict(result.get("passed")),
                cell(data),
            ])
    return dataset


def _verdict(passed):
    return gettext("passed") if passed else gettext("failed")


def scores_dataset(applications):
    """One row per score sheet: reviewer, time, weighted score, each criterion's score (by name) and comment."""
    sheets = list(
        ScoreSheet.objects.filter(application__in=_keys(applications))
        .select_related("reviewer")
        .order_by("application_id", "submitted_at", "pk")
    )
    scores = {}
    criteria = []  # names in rubric order, across the campaigns exported
    for score in (
        Score.objects.filter(sheet__in=[sheet.pk for sheet in sheets])
        .select_related("criterion")
        .order_by("criterion__campaign_id", "criterion__position", "criterion__pk")
    ):
        name = score.criterion.name
        if name not in criteria:
            criteria.append(name)
        scores[(score.sheet_id, name)] = score.value
    headers = [
        str(application_number_header()),
        str(capfirst(ScoreSheet._meta.get_field("reviewer").verbose_name)),
        str(capfirst(ScoreSheet._meta.get_field("submitted_at").verbose_name)),
        str(capfirst(ScoreSheet._meta.get_field("weighted_score").verbose_name)),
        *[cell(name) for name in criteria],
        str(capfirst(ScoreSheet._meta.get_field("comment").verbose_name)),
    ]
    dataset = tablib.Dataset(headers=headers, title=str(capfirst(ScoreSheet._meta.verbose_name_plural)))
    for sheet in sheets:
        dataset.append([
            sheet.application_id,
            cell(sheet.reviewer.get_username()),
            sheet.submitted_at,
            sheet.weighted_score,
            *[scores.get((sheet.pk, name)) for name in criteria],
            cell(sheet.comment),
        ])
    return dataset
