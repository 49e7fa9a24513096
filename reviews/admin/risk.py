"""Round 2 in the admin (系统备案 + 风险评估): the queue, the assessments with the data each rule decided
on, the rules of each campaign, and the sanction list with import / export.

Risk officers (``can_view_risk``) read the queue and the assessments; ``can_rerun_risk`` re-runs an
assessment stuck in ``RISK_REVIEW``; ``can_manage_sanctions`` edits and imports the sanction list. After
the filing deadline the queue's actions close out non-filers and reopen their filing (``non_filers``).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from applications.enums import ApplicationStatus, EntityType
from applications.masking import mask_id_number
from applications.services import ApplicationError
from audit import services as audit
from audit.enums import AuditAction
from audit.exports import AuditedExportMixin
from probation.enums import ViolationKind
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin, mask_field
from recruitment.uploads import LimitedImportForm

from .. import permissions, risk
from ..enums import SanctionKind
from ..models import Filing, RiskAssessment, RiskQueue, RiskRule, SanctionRecord
from ..resources import SanctionRecordResource
from .non_filers import NonFilerActionsMixin
from .round1 import application_link
from .workspace import campaign_filter

S = ApplicationStatus
ROUND2_STATES = [S.FILING, S.FILING_LAPSED, S.RISK_REVIEW, S.RISK_REJECTED, S.FINAL_REVIEW]

# The legal representative's ID number: masked, never searched, filtered or sorted on, for other roles.
mask_field(Filing, "legal_representative_id_number", unmasked_for=permissions.can_see_full_id_number)

# Labels of the keys rules store in their data (``reviews.risk``).
DATA_LABELS = {
    "entity_type": _("entity type"),
    "incorporated_on": _("date of incorporation"),
    "years": _("years required"),
    "required_by": _("incorporated on or before"),
    "assessed_on": _("assessed on"),
    "associated_accounts": _("associated accounts"),
    "limit": _("limit"),
    "months": _("months"),
    "since": _("counted after"),
    "records": _("sanction records"),
    "closed_leaders": _("closed leader permissions"),
    "declared_closed_on": _("closure date declared by the applicant"),
    "probation_violations": _("violations recorded in probation"),
}


# Labels of the keys of one record in a rule's data (a sanction record, a closed leader, a violation).
ITEM_LABELS = {
    "kind": _("kind"),
    "account": _("Taobao Alliance account"),
    "credit_code": _("unified social credit code"),
    "date": _("date"),
    "campaign": _("campaign"),
}


def _code_label(key, value):
    """A code stored in a rule's data (``company``, ``closed``, ``fake_orders``) by its name."""
    choices = {"entity_type": [EntityType], "kind": [SanctionKind, ViolationKind]}.get(key, [])
    for enum in choices:
        try:
            return enum(value).label
        except ValueError:
            continue
    return value


def _value(value, key=None):
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "；".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{ITEM_LABELS.get(k, k)}：{_value(v, k)}" for k, v in value.items() if v not in (None, ""))
    return str(_code_label(key, value))


def _ordered(data):
    """The data's items in the order of ``DATA_LABELS`` (PostgreSQL's jsonb does not keep key order)."""
    order = list(DATA_LABELS)
    return sorted(data.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))


def results_table(assessment):
    """Per rule: its Chinese label, verdict and the data it was decided on."""
    if assessment is None:
        return "—"
    rows = format_html_join(
        "",
        '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                "risk-pass" if r.get("passed") else "risk-fail",
                risk.rule_label(r.get("code"), r.get("parameter")),
                gettext("passed") if r.get("passed") else gettext("failed"),
                format_html_join(
                    "", "<div>{}：{}</div>",
                    ((DATA_LABELS.get(k, k), _value(v, k)) for k, v in _ordered(r.get("data") or {})),
                ),
            )
            for r in assessment.results
        ),
    )
    return format_html(
        '<table class="risk-results"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        gettext("rule"), gettext("result"), gettext("data"), rows,
    )


def failed_labels(assessment):
    if assessment is None:
        return "—"
    return "、".join(str(risk.rule_label(r["code"], r.get("parameter"))) for r in assessment.failed_rules) or "—"


class FilingInline(admin.StackedInline):
    model = Filing
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "legal_representative", "legal_representative_id_number", "registered_address", "business_address",
        "settlement_account_name", "associated_accounts_confirmed", "rules_accepted", "filed_at",
    ]

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_risk(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # The ID number in full only for ``can_see_full_id_number`` (risk officer, campaign admin).
    def _swap(self, request, names):
        if permissions.can_see_full_id_number(request.user):
            return list(names)
        return ["id_number_masked" if n == "legal_representative_id_number" else n for n in names]

    def get_fields(self, request, obj=None):
        return self._swap(request, self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self._swap(request, self.readonly_fields)

    @admin.display(description=Filing._meta.get_field("legal_representative_id_number").verbose_name)
    def id_number_masked(self, obj):
        return mask_id_number(obj.legal_representative_id_number)


@admin.register(RiskQueue)
class RiskQueueAdmin(PredicatePermissionsMixin, NonFilerActionsMixin, admin.ModelAdmin):
    """Applications in round 2: waiting for the filing (or closed out for not filing), being assessed,
    rejected or passed on."""

    list_display = ["application", "alliance_account", "status", "filed_at", "verdict", "failed_rules"]
    list_display_links = None
    list_filter = ["status", campaign_filter()]
    search_fields = ["company_name", "alliance_account", "credit_code"]
    search_help_text = _("Company name, alliance account or credit code.")
    list_select_related = ["campaign", "filing"]
    ordering = ["status", "pk"]
    actions = ["rerun_assessment", *NonFilerActionsMixin.non_filer_actions]
    fields = readonly_fields = ["application", "status", "associated_accounts", "latest_assessment"]
    inlines = [FilingInline]

    def get_queryset(self, request):
        latest = RiskAssessment.objects.filter(application=OuterRef("pk")).order_by("-ran_at", "-pk").values("pk")
        return super().get_queryset(request).filter(status__in=ROUND2_STATES).annotate(latest_id=Subquery(latest[:1]))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        ids = [obj.latest_id for obj in changelist.result_list if obj.latest_id]
        self._assessments = RiskAssessment.objects.in_bulk(ids)
        return changelist

    def _latest(self, obj):
        cache = getattr(self, "_assessments", None)
        if cache is not None and obj.latest_id in cache:
            return cache[obj.latest_id]
        return RiskAssessment.objects.filter(pk=obj.latest_id).first() if obj.latest_id else None

    # --- Permissions: read-only for risk officers; the re-run is an action ---
    view_predicate = permissions.can_view_risk

    def has_rerun_permission(self, request):
        return permissions.can_rerun_risk(request.user)

    # --- Columns ---
    @admin.display(description=_("application"), ordering="company_name")
    def application(self, obj):
        return application_link(obj)

    @admin.display(description=_("filed at"), ordering="filing__filed_at")
    def filed_at(self, obj):
        filing = getattr(obj, "filing", None)
        return filing.filed_at if filing else None

    @admin.display(description=_("risk assessment"))
    def verdict(self, obj):
        assessment = self._latest(obj)
        if assessment is None:
            return "—"
        return gettext("passed") if assessment.passed else gettext("failed")

    @admin.display(description=_("failed rules"))
    def failed_rules(self, obj):
        return failed_labels(self._latest(obj))

    @admin.display(description=_("latest risk assessment"))
    def latest_assessment(self, obj):
        return results_table(self._latest(obj))

    # --- Actions ---
    @admin.action(description=_("Re-run the risk assessment"), permissions=["rerun"])
    def rerun_assessment(self, request, queryset):
        """For applications stuck in ``RISK_REVIEW`` (e.g. the worker was down); each on its own."""
        for application in queryset:
            try:
                assessment = risk.rerun_risk(application, actor=request.user)
            except (ApplicationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    gettext("%(application)s: not assessed. %(reason)s")
                    % {"application": application, "reason": str(error) or gettext("Not allowed.")},
                    messages.ERROR,
                )
            else:
                audit.record(AuditAction.RISK_RERUN, actor=request.user, obj=application,
                             assessment=assessment.pk, passed=assessment.passed,
                             failed_rules=[r.get("code") for r in assessment.failed_rules])
                if assessment.passed:
                    text = gettext("%(application)s: all risk rules passed; moved to the final review.")
                else:
                    text = gettext("%(application)s: rejected by the risk rules: %(rules)s.")
                self.message_user(
                    request, text % {"application": application, "rules": failed_labels(assessment)},
                    messages.SUCCESS if assessment.passed else messages.WARNING,
                )


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Every run of the risk rules, read-only: which rule failed and on what data."""

    list_display = ["application_display", "passed", "failed_rules", "ran_at"]
    list_filter = ["passed", campaign_filter("application__campaign")]
    search_fields = ["application__company_name", "application__alliance_account", "application__credit_code"]
    list_select_related = ["application"]
    fields = readonly_fields = ["application_display", "passed", "ran_at", "results_display"]

    @admin.display(description=_("application"), ordering="application__company_name")
    def application_display(self, obj):
        return application_link(obj.application)

    @admin.display(description=_("failed rules"))
    def failed_rules(self, obj):
        return failed_labels(obj)

    @admin.display(description=_("rule results"))
    def results_display(self, obj):
        return results_table(obj)

    view_predicate = permissions.can_view_risk


@admin.register(RiskRule)
class RiskRuleAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """The risk rules of each campaign: enable or disable, set N (risk officers and campaign admins,
    by the model permissions their roles hold)."""

    list_display = ["rule_name", "campaign", "enabled", "parameter"]
    list_editable = ["enabled", "parameter"]
    list_filter = ["campaign", "enabled"]
    list_select_related = ["campaign"]
    view_predicate = manage_predicate = MODEL_PERMISSIONS

    @admin.display(description=RiskRule._meta.get_field("code").verbose_name, ordering="code")
    def rule_name(self, obj):
        """The rule with its parameter in place of N ("关联账号不超过 3 个")."""
        return str(obj)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["campaign", "rule_name", "enabled", "parameter"]
        return ["campaign", "code", "enabled", "parameter"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "rule_name"] if obj is not None else []


@admin.register(SanctionRecord)
class SanctionRecordAdmin(PredicatePermissionsMixin, AuditedExportMixin, ImportExportModelAdmin):
    """Accounts and companies closed, cleared or sanctioned before (importable); the risk rules read it.
    Every import and export writes an audit event."""

    audit_export_action = AuditAction.EXPORT_SANCTIONS
    export_file_name = pgettext_lazy("export file name", "Sanction list")
    export_file_fallback = "sanction-list"

    resource_classes = [SanctionRecordResource]
    import_form_class = LimitedImportForm  # a file over the upload limit: its reason, not "no valid data"
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"
    list_display = ["alliance_account", "credit_code", "company_name", "kind", "occurred_on", "campaign", "note"]
    list_filter = ["kind", "campaign", "occurred_on"]
    search_fields = ["alliance_account", "credit_code", "company_name"]
    list_select_related = ["campaign"]
    date_hierarchy = "occurred_on"

    view_predicate = permissions.can_view_risk
    manage_predicate = permissions.can_manage_sanctions

    def has_import_permission(self, request):
        return permissions.can_manage_sanctions(request.user)

    def process_result(self, result, request):
        """After a confirmed import: the audit event with the row counts (new, update, delete, skip…)."""
        audit.record(AuditAction.SANCTION_IMPORT, actor=request.user, rows=result.total_rows,
                     totals={str(key): value for key, value in result.totals.items()})
        return super().process_result(result, request)

    def has_export_permission(self, request):
        return permissions.can_view_risk(request.user)
