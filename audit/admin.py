"""The audit log in the admin, read-only, for the campaign admin (``audit.permissions.can_view_audit``)."""

from django.apps import apps
from django.contrib import admin

from recruitment.admin_permissions import PredicatePermissionsMixin

from . import permissions
from .display import details_html
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "object_repr", "campaign", "details_text"]
    list_filter = ["action", "campaign"]
    search_fields = ["actor_name", "object_repr"]
    list_select_related = ["campaign"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at", "actor", "actor_name", "action", "campaign", "object_type_text", "object_id", "object_repr",
        "details_text",
    ]

    # Read-only for everyone: events are written by ``audit.services.record`` only.
    view_predicate = permissions.can_view_audit

    @admin.display(description=AuditEvent._meta.get_field("object_type").verbose_name)
    def object_type_text(self, obj):
        """The model by its name (the stored label, ``probation.Leader``, stays as written)."""
        try:
            return apps.get_model(obj.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            return obj.object_type or "—"

    @admin.display(description=AuditEvent._meta.get_field("details").verbose_name)
    def details_text(self, obj):
        """The details by their labels, codes by their names (``audit.display``); the JSON keeps the codes."""
        return details_html(obj.details)
