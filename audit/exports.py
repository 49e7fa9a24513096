"""An export mixin for django-import-export admins: every file is written formula-safe, named and audited."""

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils.text import capfirst
from import_export.forms import SelectableFieldsExportForm

from recruitment import spreadsheets
from recruitment.models import Campaign

from . import services


class ColumnExportForm(SelectableFieldsExportForm):
    """The export form with each column's tick box labelled by its header (Chinese for staff)
    rather than by the attribute name. Overrides a private hook of django-import-export 4.4.

    A header that is the attribute's own name is a data contract's (the leaders' DATA.md columns,
    ``leader_account``): its tick box reads the model field's name instead, the file keeps the header."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        if field is None:
            return field_name
        if field.column_name == field_name and field.attribute:
            try:
                return capfirst(resource._meta.model._meta.get_field(field.attribute).verbose_name)
            except FieldDoesNotExist:
                pass
        return field.column_name


class AuditedExportMixin:
    """Put before ``ExportMixin``; ``audit_export_action`` names the ``AuditAction`` written.

    The file is written by ``recruitment.spreadsheets`` (text that a spreadsheet would run as a formula is
    quoted, XLSX cells are typed), after every change the admin makes to the dataset (e.g. masking). It is
    named ``export_file_name`` (in the staff member's language; ``export_file_fallback`` in ASCII), the
    campaign of ``get_export_campaign`` and the date. An XLSX holds the sheets of ``get_export_sheets``.
    """

    audit_export_action = None
    export_form_class = ColumnExportForm
    export_file_name = None
    export_file_fallback = "export"

    def get_export_campaign(self, request):
        """The campaign the exported rows were filtered to (``?campaign__id__exact=``), or ``None``."""
        campaign_id = request.GET.get("campaign__id__exact", "")
        return Campaign.objects.filter(pk=campaign_id).first() if campaign_id.isdigit() else None

    def get_export_sheets(self, request, queryset, dataset):
        """The datasets of an XLSX, one sheet each; the list's own dataset first (override to add sheets)."""
        return [dataset]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export 4.4's own version, with the writer replaced. It decides native cell types by
        # the exact format class; a binary format (XLSX) gets them here too: numbers and dates as such.
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
        if file_format.get_title() == "xlsx":
            dataset.title = str(capfirst(self.model._meta.verbose_name_plural))
            data = spreadsheets.to_xlsx_book(self.get_export_sheets(request, queryset, dataset))
        else:
            data = spreadsheets.export(dataset, file_format)
        encoding = kwargs.get("encoding")
        if isinstance(data, str) and encoding:
            data = data.encode(encoding)
        filters = {key: value for key, value in request.GET.items() if not key.startswith("_")}
        campaign_id = filters.get("campaign__id__exact", "")
        services.record(
            self.audit_export_action,
            actor=request.user,
            campaign=Campaign.objects.filter(pk=campaign_id).first() if campaign_id.isdigit() else None,
            model=self.model._meta.label,
            format=file_format.get_title(),
            rows=queryset.count(),
            filters=filters,
        )
        return data

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # django-import-export writes ``filename="…"`` alone, which garbles a Chinese name: RFC 6266 instead.
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        name, fallback = spreadsheets.export_filename(
            self.export_file_name or capfirst(self.model._meta.verbose_name_plural),
            file_format.get_extension(),
            campaign=self.get_export_campaign(request),
            fallback=self.export_file_fallback,
        )
        return spreadsheets.attach(response, name, fallback)
