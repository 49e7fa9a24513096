"""The probation pages of the admin: the board, the data import and the report export.

They hang off two proxy models (``Board``, ``DataImport``) so that they sit in the admin index, and
ask the predicates of ``probation.permissions``; the work is done by the same functions as the
commands and the scheduled job (``import_file``, ``probation.decisions``, ``report_rows``). The board's
decision pages (data mark, preview, recheck) are ``probation.admin_decisions``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit import services as audit
from audit.enums import AuditAction
from recruitment import spreadsheets
from recruitment.admin_permissions import PredicatePermissionsMixin
from recruitment.models import Campaign
from recruitment.spreadsheets import CSV, XLSX  # formula-safe writers

from . import admin_decisions, board, charts, datamark, metrics, permissions
from .enums import CheckMeasure, LeaderStatus
from .imports import KINDS, import_file
from .models import Board, DataImport, Leader
from .resources import ProbationReportResource, report_sheet
from .wording import KIND_LABELS, check_label, metric_label, reason_label

EXPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}


class PageAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """A ModelAdmin that is one page: no add, change or delete; shown to those ``view_predicate`` allows."""

    def get_model_perms(self, request):
        return {"view": self.has_view_permission(request), "add": False, "change": False, "delete": False}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A page has no objects: 404 for those allowed on the page, 403 for everyone else."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        return self.change_view(request, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        return self.change_view(request, object_id)

    def context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}


# --- The board ------------------------------------------------------------------------------------


@admin.register(Board)
class BoardAdmin(PageAdmin):
    view_predicate = permissions.can_view_probation

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def page(view):
            return wrap(lambda request, *args, **kwargs: view(self, request, *args, **kwargs))

        return [
            path("data/", page(admin_decisions.data_view), name="probation_board_data"),
            path("preview/", page(admin_decisions.preview_view), name="probation_board_preview"),
            path("recheck/", page(admin_decisions.recheck_view), name="probation_board_recheck"),
            path("report/", wrap(self.report_view), name="probation_board_report"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not permissions.can_view_probation(request.user):
            raise PermissionDenied
        campaign = board.board_campaign(request.GET.get("campaign"))
        now = timezone.now()
        context = self.context(request, title=_("Probation board"), campaign=campaign, now=now,
                               campaigns=Campaign.objects.order_by("-probation_starts_on"),
                               can_decide=permissions.can_decide(request.user),
                               can_import=permissions.can_import_probation_data(request.user))
        if campaign is not None:
            context.update(board_figures(campaign, now=now))
        return TemplateResponse(request, "admin/probation/board.html", context)

    def report_view(self, request):
        """The report of ``?campaign=``: the DATA.md CSV (UTF-8 with BOM, for Excel) or the XLSX for people
        (``?format=xlsx``: headers and words in the staff member's language, numbers and times typed)."""
        if not permissions.can_view_probation(request.user):
            raise PermissionDenied
        campaign = get_object_or_404(Campaign, slug=request.GET.get("campaign", ""))
        name = request.GET.get("format", "csv")
        if name not in EXPORT_FORMATS:
            raise PermissionDenied
        file_format = EXPORT_FORMATS[name]()
        if name == "xlsx":
            dataset = report_sheet(campaign)
            content = spreadsheets.to_xlsx(dataset)
        else:
            dataset = ProbationReportResource().export_campaign(campaign)
            content = file_format.export_data(dataset).encode("utf-8-sig")
        audit.record(AuditAction.EXPORT_PROBATION_REPORT, actor=request.user, campaign=campaign, format=name,
                     rows=len(dataset))
        filename, fallback = spreadsheets.export_filename(
            pgettext("export file name", "Probation report"), file_format.get_extension(),
            campaign=campaign, fallback="probation-report",
        )
        return spreadsheets.attach(HttpResponse(content, content_type=file_format.get_content_type()),
                                   filename, fallback)


def board_figures(campaign, *, now):
    """Everything the board shows for ``campaign`` at ``now``: counts and lists by status, who is at risk."""
    leaders = list(Leader.objects.filter(campaign=campaign).order_by("leader_account"))
    for leader in leaders:
        leader.reason_text = reason_label(leader.closure_reason) if leader.closure_reason else ""
        leader.stale_text = reason_label(leader.stale_checks) if leader.stale_checks else ""
    counts = board.status_counts(campaign)
    month = board.current_basic_month(campaign, now)
    try:
        with metrics.waiting_at_most():
            basic = board.basic_at_risk(campaign, now=now)
            checkpoint = board.checkpoint_at_risk(campaign, now=now)
            items = board.items_at_risk(campaign, now=now)
            month_chart = charts.month_figures(campaign, now=now)
        busy = False
    except metrics.FiguresBusy:
        basic, checkpoint, items, month_chart, busy = [], [], [], None, True
    for row in items:
        row.check = row.item.name
        row.figures[0].label = CheckMeasure(row.item.measure).label
    for row in basic + checkpoint:
        row.check = check_label(row.period)
        for figure in row.figures:
            figure.label = metric_label(figure.name) if figure.name != "new_merchants" else _("new merchants")
    return {
        "waiting": datamark.waiting_checks(campaign, now=now),
        "pending_rule_changes": campaign.rule_changes.filter(notice__isnull=True).count(),
        "stale": [leader for leader in leaders if leader.stale_checks],
        "statuses": [
            {"value": status, "label": label, "count": counts[status],
             "leaders": [leader for leader in leaders if leader.status == status]}
            for status, label in LeaderStatus.choices
        ],
        "total": len(leaders),
        "month": month,
        "month_label": check_label(month.code) if month else "",
        "basic_at_risk": basic,
        "checkpoint_at_risk": checkpoint,
        "items_at_risk": items,
        "figures_busy": busy,
        "charts": {"checks": charts.check_outcomes(campaign), "month": month_chart},
    }


# --- The import page --------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of data"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.order_by("-probation_starts_on"), to_field_name="slug"
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX; the first row holds the column names."),
    )


@admin.register(DataImport)
class DataImportAdmin(PageAdmin):
    view_predicate = permissions.can_import_probation_data

    def changelist_view(self, request, extra_context=None):
        """GET shows the form; POST imports the file all or nothing and shows the summary or every bad row."""
        if not permissions.can_import_probation_data(request.user):
            raise PermissionDenied
        result = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    result = import_file(data["kind"], data["file"].file, campaign=data["campaign"],
                                         file_name=data["file"].name)
                except Exception as error:  # an unreadable file (e.g. a broken XLSX): nothing was written
                    form.add_error("file", _("The file cannot be read: %(error)s") % {"error": error})
                    audit.record(AuditAction.DATA_IMPORT, actor=request.user, campaign=data["campaign"],
                                 kind=data["kind"], file=data["file"].name[:200], ok=False, unreadable=True)
                else:
                    audit.record(AuditAction.DATA_IMPORT, actor=request.user, campaign=data["campaign"],
                                 kind=data["kind"], file=data["file"].name[:200], ok=result.ok, rows=result.rows,
                                 created=result.created, updated=result.updated, errors=len(result.errors))
                    if result.ok:
                        messages.success(request, _(
                            "%(kind)s: %(rows)d rows imported into %(campaign)s: %(created)d created, "
                            "%(updated)d updated.") % {
                            "kind": KIND_LABELS[result.kind], "rows": result.rows, "campaign": data["campaign"].slug,
                            "created": result.created, "updated": result.updated})
        else:
            initial = {}
            campaign = board.board_campaign()
            if campaign is not None:
                initial["campaign"] = campaign.slug
            form = ImportForm(initial=initial)
        context = self.context(request, title=_("Import probation data"), form=form, result=result,
                               kinds=[(KINDS[k], KIND_LABELS[k]) for k in KINDS])
        return TemplateResponse(request, "admin/probation/import.html", context)
