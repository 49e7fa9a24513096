"""Read-only spreadsheet exports of probation through django-import-export.

``ProbationReportResource`` exports exactly the rows of ``probation.report.report_rows`` (the
``probation_report`` command's rows) with the DATA.md column names, so the CSV staff download from
the admin is the command's CSV, except that a cell a spreadsheet would run as a formula is quoted
(``recruitment.spreadsheets``; the command's stdout is the data contract and stays verbatim).
``LeaderResource`` exports the leader list of the changelist.
Imports do not go through django-import-export: see ``probation.imports`` and docs/probation.md.
"""

from import_export import resources, widgets
from import_export.fields import Field

from recruitment.spreadsheets import FormulaSafeResource
from recruitment.timeutils import BEIJING

from .models import Leader
from .report import REPORT_COLUMNS, report_rows

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


def _beijing(moment):
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class LeaderResource(FormulaSafeResource, resources.ModelResource):
    granted_at = Field(attribute="granted_at", column_name="granted_at")
    closed_at = Field(attribute="closed_at", column_name="closed_at")

    class Meta:
        model = Leader
        fields = ["leader_account", "company_name", "credit_code", "granted_at", "status", "closed_at",
                  "closure_reason"]
        export_order = fields

    def dehydrate_granted_at(self, leader):
        return _beijing(leader.granted_at)

    def dehydrate_closed_at(self, leader):
        return _beijing(leader.closed_at)
