"""The audit log in the admin, read-only, for the campaign admin (``audit.permissions.can_view_audit``)."""

from django.contrib import admin

from . import permissions
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "object_repr", "campaign", "details"]
    list_filter = ["action", "campaign"]
    search_fields = ["actor_name", "object_repr"]
    list_select_related = ["campaign"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at", "actor", "actor_name", "action", "campaign", "object_type", "object_id", "object_repr",
        "details",
    ]

    def has_module_permission(self, request):
        return permissions.can_view_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_audit(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
