"""An export mixin for django-import-export admins: every file exported writes an audit event."""

from recruitment.models import Campaign

from . import services


class AuditedExportMixin:
    """Put before ``ExportMixin``; ``audit_export_action`` names the ``AuditAction`` written."""

    audit_export_action = None

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
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
