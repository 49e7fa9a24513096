"""A minimal probation admin: leaders with their verdicts, and violations recorded through the domain.

Statuses are read-only here: they change through ``probation.services`` (checks, violations). The
lead's probation board and the import forms build on this.
"""

from django.contrib import admin

from .models import CheckResult, Leader, LeaderStatusChange, Violation
from .services import record_violation


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckResultInline(ReadOnlyInline):
    model = CheckResult
    fields = ["code", "passed", "due_at", "evaluated_at", "metrics"]
    readonly_fields = fields


class ViolationInline(ReadOnlyInline):
    model = Violation
    fields = ["kind", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = LeaderStatusChange
    fields = ["from_status", "to_status", "effective_at", "reason", "actor", "recorded_at"]
    readonly_fields = fields


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["leader_account", "company_name", "campaign", "status", "closed_at", "closure_reason"]
    list_filter = ["campaign", "status"]
    search_fields = ["leader_account", "company_name", "credit_code"]
    readonly_fields = ["status", "closed_at", "closure_reason", "imported_at"]
    raw_id_fields = ["application"]
    inlines = [CheckResultInline, ViolationInline, StatusChangeInline]


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["leader", "kind", "recorded_by", "recorded_at"]
    list_filter = ["kind", "leader__campaign"]
    search_fields = ["leader__leader_account", "note"]
    fields = ["leader", "kind", "note"]
    raw_id_fields = ["leader"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Recording goes through the domain: it also closes the permission."""
        violation = record_violation(obj.leader, kind=obj.kind, note=obj.note, actor=request.user)
        obj.pk, obj.recorded_by, obj.recorded_at = violation.pk, violation.recorded_by, violation.recorded_at
