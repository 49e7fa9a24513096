"""Spreadsheet export of the round-3 ranking (CSV / XLSX) with scores and pending decisions.

Built with tablib directly: a ranking row is not a model row (the rank and mean are computed); written
by the formula-safe writer of ``recruitment.spreadsheets``. The export reads only — it runs the ranking
query plus one query for all the sheets' scores.
"""

from collections import defaultdict

import tablib
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from applications.enums import ApplicationStatus, PendingDecision
from applications.models import Application
from applications.resources import cell, choice_label
from recruitment import spreadsheets

from .final import ranking, with_committee_evidence
from .models import ScoreSheet

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def verbose(name):
    return capfirst(Application._meta.get_field(name).verbose_name)


def headers():
    return [
        _("Rank"),
        verbose("company_name"),
        verbose("alliance_account"),
        verbose("credit_code"),
        verbose("status"),
        _("Mean score"),
        _("Number of score sheets"),
        _("Score sheets (reviewer: weighted score)"),
        verbose("pending_decision"),
        verbose("decided_by"),
        verbose("decided_at"),
        _("Committee members without a score sheet"),
        _("Reason to select without every score sheet"),
    ]


def ranking_dataset(campaign):
    entries = with_committee_evidence(ranking(campaign), campaign)
    sheets = defaultdict(list)
    for sheet in (
        ScoreSheet.objects.filter(application__in=[e.application.pk for e in entries])
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    ):
        sheets[sheet.application_id].append(f"{sheet.reviewer.get_username()}: {sheet.weighted_score}")
    dataset = tablib.Dataset(headers=headers(), title=str(_("Ranking"))[:31])
    for entry in entries:
        app = entry.application
        dataset.append([
            entry.rank if entry.rank is not None else "",
            cell(app.company_name),
            cell(app.alliance_account),
            cell(app.credit_code),
            choice_label(ApplicationStatus, app.status),
            cell(entry.mean),
            entry.sheet_count,
            cell("；".join(sheets[app.pk])),
            choice_label(PendingDecision, app.pending_decision),
            cell(app.decided_by.get_username() if app.decided_by else ""),
            cell(app.decided_at),
            cell("、".join(member.get_username() for member in entry.missing_members)),
            cell(entry.override.reason if entry.override else ""),
        ])
    return dataset


def export_ranking(campaign, file_format):
    """``(content, content_type, filename, ASCII fallback filename)`` of the ranking in ``file_format``
    (``csv`` or ``xlsx``)."""
    dataset = ranking_dataset(campaign)
    if file_format == "xlsx":
        content = spreadsheets.to_xlsx(dataset)
    else:
        file_format = "csv"
        # A byte-order mark so that Excel opens the Chinese CSV as UTF-8.
        content = ("\ufeff" + spreadsheets.to_csv(dataset)).encode("utf-8")
    filename, fallback = spreadsheets.export_filename(
        pgettext("export file name", "Ranking"), file_format, campaign=campaign, fallback="ranking"
    )
    return content, FORMATS[file_format], filename, fallback
