"""The audit log in the admin, read-only, for the campaign admin (``audit.permissions.can_view_audit``)."""

from django.contrib import admin

from recruitment.admin_permissions import PredicatePermissionsMixin

from . import permissions
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "object_repr", "campaign", "details"]
    list_filter = ["action", "campaign"]
    search_fields = ["actor_name", "object_repr"]
    list_select_related = ["campaign"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at", "actor", "actor_name", "action", "campaign", "object_type", "object_id", "object_repr",
        "details",
    ]

    # Read-only for everyone: events are written by ``audit.services.record`` only.
    view_predicate = permissions.can_view_audit
