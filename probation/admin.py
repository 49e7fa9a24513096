"""The probation admin: leaders with their check history, violations recorded through the domain, and
the pages of ``probation.admin_pages`` (board, data import, report export).

Statuses are read-only here: they change through ``probation.services`` (checks, violations).
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from audit import services as audit
from audit.enums import AuditAction
from audit.exports import AuditedExportMixin
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin

from . import admin_pages, permissions  # noqa: F401  (admin_pages registers the board and the import page)
from .models import CheckResult, Leader, LeaderStatusChange, Violation
from .resources import LeaderResource
from .services import record_violation
from .wording import check_label


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_probation(request.user)


def _figures_html(metrics):
    """``{"gmv": "9000.00", "min_gmv": "10000.00", …}`` as "gmv 9000.00 / ≥ 10000.00" lines."""
    thresholds = {key[4:]: value for key, value in metrics.items() if key.startswith("min_")}
    rows = []
    for key, value in metrics.items():
        if key.startswith("min_") or isinstance(value, list | dict):
            continue
        threshold = thresholds.get(key)
        rows.append((key, value, f" / ≥ {threshold}" if threshold is not None else ""))
    extra = [(key[4:], "", f"≥ {value}") for key, value in metrics.items()
             if key.startswith("min_") and key[4:] not in metrics]
    return format_html_join(mark_safe("<br>"), "{}: {}{}", rows + extra)


class CheckResultInline(ReadOnlyInline):
    """The leader's check history (考核记录), with the figures and thresholds that decided each check."""

    model = CheckResult
    fields = readonly_fields = ["check_name", "passed", "figures", "due_at", "evaluated_at"]
    ordering = ["due_at", "code"]

    @admin.display(description=_("check"))
    def check_name(self, obj):
        return format_html("{}<br><code>{}</code>", check_label(obj.code), obj.code)

    @admin.display(description=_("figures"))
    def figures(self, obj):
        return _figures_html(obj.metrics)


class ViolationInline(ReadOnlyInline):
    model = Violation
    fields = readonly_fields = ["kind", "note", "recorded_by", "recorded_at"]


class StatusChangeInline(ReadOnlyInline):
    model = LeaderStatusChange
    fields = readonly_fields = ["from_status", "to_status", "effective_at", "reason", "actor", "recorded_at"]


@admin.register(Leader)
class LeaderAdmin(PredicatePermissionsMixin, AuditedExportMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [LeaderResource]
    audit_export_action = AuditAction.EXPORT_LEADERS
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"
    list_display = ["leader_account", "company_name", "campaign", "status", "closed_at", "closure_reason"]
    list_filter = ["campaign", "status"]
    search_fields = ["leader_account", "company_name", "credit_code"]
    readonly_fields = ["status", "closed_at", "closure_reason", "imported_at"]
    raw_id_fields = ["application"]
    inlines = [CheckResultInline, ViolationInline, StatusChangeInline]
    view_predicate = manage_predicate = MODEL_PERMISSIONS  # the overrides below decide where they differ

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_probation(request.user) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # verdicts and imported data hang on the leader: close the permission instead

    def has_export_permission(self, request):
        # django-import-export allows every staff user by default: only those who may see leaders.
        return permissions.can_view_probation(request.user)


@admin.register(Violation)
class ViolationAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Staff record a violation (SPEC §4); it closes the permission, voids the reward, tells the leader."""

    list_display = ["leader", "kind", "recorded_by", "recorded_at"]
    list_filter = ["kind", "leader__campaign"]
    search_fields = ["leader__leader_account", "note"]
    fields = ["leader", "kind", "note"]
    raw_id_fields = ["leader"]
    view_predicate = manage_predicate = MODEL_PERMISSIONS  # the overrides below decide

    def has_add_permission(self, request):
        return permissions.can_record_violation(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_probation(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and permissions.can_record_violation(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Recording goes through the domain: it also closes the permission."""
        violation = record_violation(obj.leader, kind=obj.kind, note=obj.note, actor=request.user)
        audit.record(AuditAction.VIOLATION, actor=request.user, obj=obj.leader, violation=violation.pk,
                     kind=violation.kind)
        obj.pk, obj.recorded_by, obj.recorded_at = violation.pk, violation.recorded_by, violation.recorded_at
