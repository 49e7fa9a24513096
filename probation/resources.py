"""Read-only spreadsheet exports of probation.

The probation report comes in two forms. Its CSV is the data contract: ``ProbationReportResource`` exports
exactly the rows of ``probation.report.report_rows`` (the ``probation_report`` command's rows) with the
DATA.md column names and values, except that a cell a spreadsheet would run as a formula is quoted
(``recruitment.spreadsheets``; the command's stdout stays verbatim). Its XLSX is for people
(``report_sheet``): the same rows and columns with headers in the staff member's language, statuses and
failed checks in words, the closing time a date-time and the counts numbers.
``LeaderResource`` exports the leader list of the changelist, headed like the admin's columns.
Imports do not go through django-import-export: see ``probation.imports`` and docs/probation.md.
"""

from datetime import datetime

import tablib
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext
from import_export import resources, widgets
from import_export.fields import Field

from recruitment.spreadsheets import FormulaSafeResource, safe_text

from .enums import LeaderStatus
from .models import Leader
from .report import REPORT_COLUMNS, report_rows
from .wording import check_label, reason_label

COUNT_COLUMNS = {"new_merchants_checkpoint", "new_merchants_total", "qualifying_merchants"}


class ProbationReportResource(FormulaSafeResource, resources.Resource):
    """Columns of ``REPORT_COLUMNS``; rows are the dicts of ``report_rows(campaign)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in REPORT_COLUMNS:
            # Counts stay numbers in XLSX (the CSV text is the same).
            widget = widgets.IntegerWidget(coerce_to_string=False) if name in COUNT_COLUMNS else None
            self.fields[name] = Field(attribute=name, column_name=name, widget=widget)

    def export_campaign(self, campaign):
        return self.export(report_rows(campaign))


def _leader_label(name):
    return capfirst(Leader._meta.get_field(name).verbose_name)


def report_headers():
    """The headers of ``REPORT_COLUMNS`` in the active language."""
    return {
        "leader_account": _leader_label("leader_account"),
        "status": _leader_label("status"),
        "failed_checks": capfirst(gettext("failed checks")),
        "closed_at": _leader_label("closed_at"),
        "new_merchants_checkpoint": capfirst(gettext("new merchants by the checkpoint")),
        "new_merchants_total": capfirst(gettext("new merchants over the activity")),
        "qualifying_merchants": capfirst(gettext("reward-qualifying merchants")),
        "reward_eligible": capfirst(gettext("reward eligible")),
    }


def report_sheet(campaign):
    """The report of ``campaign`` for people (the XLSX): one row per leader, the DATA.md columns in order."""
    headers = report_headers()
    dataset = tablib.Dataset(
        headers=[str(headers[name]) for name in REPORT_COLUMNS],
        title=pgettext("export file name", "Probation report"),
    )
    for row in report_rows(campaign):
        dataset.append([
            safe_text(row["leader_account"]),
            _status_label(row["status"]),
            "；".join(check_label(code) for code in row["failed_checks"].split(";") if code),
            datetime.fromisoformat(row["closed_at"]) if row["closed_at"] else None,
            row["new_merchants_checkpoint"],
            row["new_merchants_total"],
            row["qualifying_merchants"],
            gettext("Yes") if row["reward_eligible"] == "yes" else gettext("No"),
        ])
    return dataset


def _status_label(value):
    try:
        return str(LeaderStatus(value).label)
    except ValueError:
        return safe_text(value)


class LeaderResource(FormulaSafeResource, resources.ModelResource):
    """The leaders as the changelist lists them: headers in the active language, instants typed (the writer
    makes them date-times in XLSX and Beijing text in CSV), the status and closure reason in words."""

    campaign = Field(column_name=capfirst(gettext_lazy("campaign")))
    leader_account = Field(column_name=_leader_label("leader_account"))
    company_name = Field(column_name=_leader_label("company_name"))
    credit_code = Field(column_name=_leader_label("credit_code"))
    granted_at = Field(column_name=_leader_label("granted_at"))
    status = Field(column_name=_leader_label("status"))
    closed_at = Field(column_name=_leader_label("closed_at"))
    closure_reason = Field(column_name=_leader_label("closure_reason"))

    class Meta:
        model = Leader
        fields = ["campaign", "leader_account", "company_name", "credit_code", "granted_at", "status", "closed_at",
                  "closure_reason"]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("campaign")

    def dehydrate_campaign(self, leader):
        return leader.campaign.name

    def dehydrate_leader_account(self, leader):
        return leader.leader_account

    def dehydrate_company_name(self, leader):
        return leader.company_name

    def dehydrate_credit_code(self, leader):
        return leader.credit_code

    def dehydrate_granted_at(self, leader):
        return leader.granted_at

    def dehydrate_status(self, leader):
        return _status_label(leader.status)

    def dehydrate_closed_at(self, leader):
        return leader.closed_at

    def dehydrate_closure_reason(self, leader):
        return reason_label(leader.closure_reason) if leader.closure_reason else ""
