"""An export mixin for django-import-export admins: every file is written formula-safe and audited."""

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
    quoted, XLSX cells are typed), after every change the admin makes to the dataset (e.g. masking).
    """

    audit_export_action = None
    export_form_class = ColumnExportForm

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export 4.4's own version, with the writer replaced. It decides native cell types by
        # the exact format class; a binary format (XLSX) gets them here too: numbers and dates as such.
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
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
