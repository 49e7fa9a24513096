"""The probation admin: leaders with their check history, violations recorded through the domain, and
the pages of ``probation.admin_pages`` (board, data import, report export).

Statuses are read-only here: they change through ``probation.services`` (checks, violations).
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from audit import services as audit
from audit.enums import AuditAction
from audit.exports import AuditedExportMixin
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin
from recruitment.timeutils import instant_text

from . import admin_decisions, admin_pages, admin_rules, permissions  # noqa: F401  (admin_pages, admin_rules register pages)
from .decisions import DecisionRefused
from .enums import LeaderStatus, ViolationKind
from .models import CheckResult, Leader, LeaderStatusChange, Violation
from .resources import LeaderResource
from .services import record_violation
from .wording import check_label, figure_rows, reason_label


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
    """``{"gmv": "9000.00", "min_gmv": "10000.00", …}`` as "招商成交额（元）：9000.00 / ≥ 10000.00" lines."""
    rows = [
        (row["label"], "" if row["value"] is None else row["value"],
         "" if row["threshold"] is None else f"{' / ' if row['value'] is not None else ''}≥ {row['threshold']}")
        for row in figure_rows(metrics)
    ]
    return format_html_join(mark_safe("<br>"), "{}：{}{}", rows)


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
    fields = readonly_fields = ["from_status", "to_status", "effective_at", "reason_text", "actor", "recorded_at"]

    @admin.display(description=LeaderStatusChange._meta.get_field("reason").verbose_name)
    def reason_text(self, obj):
        return reason_label(obj.reason) or "-"


@admin.register(Leader)
class LeaderAdmin(PredicatePermissionsMixin, AuditedExportMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [LeaderResource]
    audit_export_action = AuditAction.EXPORT_LEADERS
    export_file_name = pgettext_lazy("export file name", "Leaders")
    export_file_fallback = "leaders"
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"
    list_display = ["leader_account", "company_name", "campaign", "status", "closed_at", "closure_reason_text",
                    "stale_checks"]
    list_filter = ["campaign", "status"]
    search_fields = ["leader_account", "company_name", "credit_code"]
    readonly_fields = ["status", "closed_at", "closure_reason_text", "stale_checks", "recheck", "imported_at"]
    exclude = ["closure_reason"]  # shown by its words (closure_reason_text); the decisions write it
    raw_id_fields = ["application"]
    inlines = [CheckResultInline, ViolationInline, StatusChangeInline]
    view_predicate = manage_predicate = MODEL_PERMISSIONS  # the overrides below decide where they differ
    actions = ["recheck_selected"]

    @admin.display(description=Leader._meta.get_field("closure_reason").verbose_name, ordering="closure_reason")
    def closure_reason_text(self, obj):
        """The closure reason's check codes (``special:checkpoint``) by their names; the code stays in the data."""
        return reason_label(obj.closure_reason) or "-"

    @admin.display(description=_("recheck"))
    def recheck(self, obj):
        """The leader's own recheck: its preview first, decided there by the campaign admin."""
        query = urlencode({"campaign": obj.campaign.slug, "leader": obj.pk})
        url = f"{reverse('admin:probation_board_recheck')}?{query}"
        return format_html('<a class="button" href="{}" id="pb-leader-recheck">{}</a>', url,
                           _("Recheck on the latest data"))

    @admin.action(description=_("Recheck the selected leaders on the latest data"))
    def recheck_selected(self, request, queryset):
        """Opens the recheck preview of the selected leaders (one campaign at a time); nothing is decided here."""
        campaigns = set(queryset.values_list("campaign__slug", flat=True))
        if len(campaigns) != 1:
            self.message_user(request, _("Select leaders of one campaign at a time."), messages.ERROR)
            return None
        query = urlencode({"campaign": campaigns.pop(), "leader": list(queryset.values_list("pk", flat=True))},
                          doseq=True)
        return HttpResponseRedirect(f"{reverse('admin:probation_board_recheck')}?{query}")

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_probation(request.user) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # verdicts and imported data hang on the leader: close the permission instead

    def has_export_permission(self, request):
        # django-import-export allows every staff user by default: only those who may see leaders.
        return permissions.can_view_probation(request.user)


@admin.register(Violation)
class ViolationAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Staff record a violation (SPEC §4): the leader is picked by search, a confirmation page shows the
    consequences, and the violation always voids the reward; closing the permission for it is the campaign
    admin's explicit choice. A violation recorded by mistake is withdrawn by the campaign admin, never deleted."""

    list_display = ["leader", "kind", "closes_permission", "recorded_by", "recorded_at", "withdrawn_at"]
    list_filter = ["kind", "closes_permission", "leader__campaign"]
    search_fields = ["leader__leader_account", "leader__company_name", "note"]
    autocomplete_fields = ["leader"]
    readonly_fields = ["withdrawal"]
    change_form_template = "admin/probation/violation_change_form.html"
    view_predicate = manage_predicate = MODEL_PERMISSIONS  # the overrides below decide

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["leader", "kind", "note", "closes_permission", "recorded_by", "recorded_at", "withdrawal"]
        if permissions.can_decide(request.user):
            return ["leader", "kind", "note", "closes_permission"]
        return ["leader", "kind", "note"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return self.get_fields(request, obj)
        return []

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:violation_id>/withdraw/",
                 wrap(lambda request, violation_id: admin_decisions.withdraw_view(self, request, violation_id)),
                 name="probation_violation_withdraw"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return permissions.can_record_violation(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_probation(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and permissions.can_record_violation(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("withdrawal"))
    def withdrawal(self, obj):
        if obj.is_withdrawn:
            return _("Withdrawn at %(at)s by %(by)s: %(reason)s") % {
                "at": instant_text(obj.withdrawn_at),
                "by": obj.withdrawn_by or "-", "reason": obj.withdrawal_reason}
        return _("Standing")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The campaign admin finds the withdrawal among the page's tools (``violation_change_form.html``)."""
        extra_context = dict(extra_context or {})
        violation = Violation.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if violation is not None and not violation.is_withdrawn and permissions.can_decide(request.user):
            extra_context["withdraw_url"] = reverse("admin:probation_violation_withdraw", args=[violation.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """A valid form first shows the confirmation page (the leader, what the violation does); only the
        confirmed POST records it. A decision refused meanwhile (an import running) records nothing."""
        if request.method == "POST" and "_confirmed" not in request.POST:
            form = self.get_form(request)(request.POST)
            if form.is_valid():
                return self.confirmation(request, form)
        try:
            return super().add_view(request, form_url, extra_context)
        except DecisionRefused as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def confirmation(self, request, form):
        data = form.cleaned_data
        leader = data["leader"]
        closes = bool(data.get("closes_permission")) and permissions.can_decide(request.user)
        return self.violation_page(
            request, "violation_confirm.html", title=_("Confirm the violation"), leader=leader,
            kind=dict(ViolationKind.choices)[data["kind"]], note=data["note"], closes=closes,
            already_closed=leader.status == LeaderStatus.CLOSED, hidden=[
                (name, value) for name, value in request.POST.items() if name != "csrfmiddlewaretoken"],
        )

    def violation_page(self, request, template, **context):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, f"admin/probation/{template}", context)

    def save_model(self, request, obj, form, change):
        """Recording goes through the domain (it may close the permission and tells the leader)."""
        closes = obj.closes_permission and permissions.can_decide(request.user)
        violation = record_violation(obj.leader, kind=obj.kind, note=obj.note, actor=request.user,
                                     close_permission=closes)
        audit.record(AuditAction.VIOLATION, actor=request.user, obj=obj.leader, violation=violation.pk,
                     kind=violation.kind, closes_permission=closes)
        obj.pk, obj.recorded_by, obj.recorded_at = violation.pk, violation.recorded_by, violation.recorded_at
        obj.closes_permission = closes
