"""Staff read applications here and export them (CSV / XLSX).

The admin shows applicants' answers read-only: applicants write them, and status changes come from
the review pipeline (``applications.services``), never from editing a form. Viewing needs only the
``view_application`` permission, which also covers the inlines and the export.
"""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from accounts.models import User
from audit.enums import AuditAction
from audit.exports import AuditedExportMixin, ColumnExportForm
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin, mask_field
from recruitment.models import Campaign
from reviews import permissions as review_permissions
from reviews import risk
from reviews.admin.exports import review_sheets
from reviews.admin.workspace import campaign_filter, campaign_shown
from reviews.models import ScoreSheet

from . import permissions
from .admin_display import AnswerColumnsMixin
from .enums import CONDITION_KINDS
from .masking import mask_phone, masked_login
from .models import Application, Attachment, CooperationCase, CustomQuestion, StatusChange
from .resources import ApplicationResource, add_custom_columns, cases_dataset


def can_view_applications(user):
    """Whether a staff user (the admin site already requires ``is_staff``) may read and export
    applications with their cases, attachments and audit trail; the attachment download checks the
    same permission."""
    return user.has_perm(permissions.VIEW_PERMISSION)


# Shown masked to roles without ``can_see_full_phone``, so never searched, filtered or sorted on for them.
# An applicant who signed up with a mobile number has it as login name too (``User.username``).
for _model, _field in ((Application, "mobile"), (User, "mobile"), (User, "username")):
    mask_field(_model, _field, unmasked_for=permissions.can_see_full_phone)


def attachment_download_url(attachment):
    """The questionnaire's download view (streams the private file), or ``None`` when it is not routed."""
    try:
        return reverse("applications:attachment", args=[attachment.pk])
    except NoReverseMatch:
        return None


class ApplicationExportForm(ColumnExportForm):
    """The column-labelled export form of the applications."""

    def get_selected_resource_export_fields(self):
        """The ticked columns, always led by the application number: the key of every sheet of the workbook."""
        fields = super().get_selected_resource_export_fields()
        return ["number", *(name for name in fields if name != "number")] if fields else fields


def mask_column(dataset, header, mask):
    """Replace the column headed ``header`` of a tablib ``dataset`` by its masked values (in place)."""
    if header not in (dataset.headers or []):
        return dataset
    index = dataset.headers.index(header)
    values = [mask(value) for value in dataset[header]]
    del dataset[header]
    dataset.insert_col(index, values, header=header)
    return dataset


# --- Inlines: the application's related rows, read-only -----------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_view_applications(request.user)


class CooperationCaseInline(ReadOnlyInline):
    model = CooperationCase
    fields = readonly_fields = ["merchant_name", "platform", "industry", "period", "gmv", "description"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ["download", "kind", "content_type", "human_size", "description", "uploaded_at"]

    @admin.display(description=_("file name"))
    def download(self, obj):
        url = attachment_download_url(obj)
        if url is None:
            return obj.original_name
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    @admin.display(description=_("size"))
    def human_size(self, obj):
        return filesizeformat(obj.size)


class ScoreSheetInline(ReadOnlyInline):
    """Round-3 score sheets (终审评分), for whoever may see them: the campaign admin, or a committee
    member once their own sheet is in (``reviews.permissions.can_see_scores_of``)."""

    model = ScoreSheet
    fields = readonly_fields = ["reviewer", "weighted_score", "scores_display", "comment", "submitted_at"]
    verbose_name_plural = _("round-3 score sheets")

    def get_queryset(self, request):
        # Not super(): it empties the rows unless the permission holds without an application, but a
        # member's right depends on the application. The inline only appears where it holds (below).
        return (
            ScoreSheet.objects.select_related("reviewer")
            .prefetch_related("scores__criterion")
            .order_by("submitted_at", "pk")
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return review_permissions.can_view_all_scores(request.user)
        return review_permissions.can_see_scores_of(request.user, obj)

    @admin.display(description=_("scores"))
    def scores_display(self, obj):
        return "；".join(f"{score.criterion.name} {score.value}" for score in obj.scores.all())


class StatusChangeInline(ReadOnlyInline):
    """The audit trail (who, when, from, to, why), oldest first."""

    model = StatusChange
    fields = readonly_fields = ["created_at", "actor", "from_status", "to_status", "reason_text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=StatusChange._meta.get_field("reason").verbose_name)
    def reason_text(self, obj):
        """Free text as written; a risk rejection's rule codes by the rules' names."""
        return risk.rejection_reason_label(obj.application, obj.reason) or "-"

    def _swap(self, request, names):
        if permissions.can_see_full_phone(request.user):
            return list(names)
        return ["actor_masked" if name == "actor" else name for name in names]

    def get_fields(self, request, obj=None):
        return self._swap(request, self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self._swap(request, self.readonly_fields)

    @admin.display(description=StatusChange._meta.get_field("actor").verbose_name)
    def actor_masked(self, obj):
        return masked_login(obj.actor)


# --- The application ----------------------------------------------------------------------------


@admin.register(Application)
class ApplicationAdmin(
    PredicatePermissionsMixin, AnswerColumnsMixin, AuditedExportMixin, ExportMixin, admin.ModelAdmin
):
    resource_classes = [ApplicationResource]
    audit_export_action = AuditAction.EXPORT_APPLICATIONS
    export_file_name = pgettext_lazy("export file name", "Applications")
    export_file_fallback = "applications"
    export_formats = [CSV, XLSX]
    export_form_class = ApplicationExportForm
    # A byte-order mark so that Excel opens the Chinese CSV as UTF-8.
    to_encoding = "utf-8-sig"

    list_display = [
        "company_name",
        "alliance_account",
        "credit_code",
        "contact_name",
        "mobile",
        "status",
        "submitted_at",
        "campaign",
    ]
    list_display_links = ["company_name", "alliance_account"]
    list_filter = [
        campaign_filter(),
        "status",
        "entity_type",
        "previous_permission",
        "has_offsite_promotion",
        "has_exclusive_channels",
        "submitted_at",
    ]
    search_fields = [
        "company_name",
        "credit_code",
        "alliance_account",
        "mobile",
        "applicant__username",
        "applicant__email",
    ]
    search_help_text = _("Company name, credit code, alliance account, mobile number, applicant login or e-mail.")
    list_select_related = ["campaign", "applicant"]
    # Latest submissions first and drafts last, on PostgreSQL (NULLS FIRST by default) as on SQLite.
    ordering = [F("submitted_at").desc(nulls_last=True), "-created_at"]
    date_hierarchy = "submitted_at"
    inlines = [CooperationCaseInline, AttachmentInline, ScoreSheetInline, StatusChangeInline]
    # Counts per state (and per other filter) next to each filter choice.
    show_facets = admin.ShowFacets.ALWAYS

    fieldsets = [
        (
            _("Application status and dates"),
            {"fields": ["campaign", "applicant", "status", "submitted_at", "withdrawn_at", "created_at", "updated_at"]},
        ),
        (
            _("Applicant identity"),
            {
                "fields": [
                    "alliance_account",
                    "company_name",
                    "credit_code",
                    "incorporated_on",
                    "registered_capital",
                    "contact_name",
                    "mobile",
                    "email",
                    "dingtalk_id",
                ]
            },
        ),
        (
            _("Risk information"),
            {"fields": ["entity_type", "associated_accounts_display", "previous_permission", "previous_closed_on"]},
        ),
        (
            _("General qualifications"),
            {
                "fields": [
                    "years_in_business",
                    "team_total",
                    "team_recruiting",
                    "team_operations",
                    "has_offsite_promotion",
                    "offsite_promotion_detail",
                    "other_platform_roles_display",
                    "other_platform_detail",
                    "other_alliance_identities",
                ]
            },
        ),
        (
            _("Key assessment"),
            {
                "fields": [
                    "new_merchants_available",
                    "new_merchant_examples",
                    "industries",
                    "channel_resources",
                    "has_exclusive_channels",
                    "exclusive_channels_detail",
                    "target_gmv",
                    "target_new_merchants",
                    "media_plan",
                ]
            },
        ),
        (_("Custom questions"), {"fields": ["custom_answers_display"]}),
        (_("Declaration"), {"fields": ["declaration_accepted"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.fieldsets
        asks = obj is not None and (
            obj.custom_answers or CustomQuestion.objects.filter(campaign_id=obj.campaign_id).exists()
        )
        if not asks:  # custom questions only where the campaign asks some (or answers to removed ones remain)
            fieldsets = [(t, options) for t, options in fieldsets if "custom_answers_display" not in options["fields"]]
        if permissions.can_see_full_phone(request.user):
            return fieldsets
        masked = {"mobile": "mobile_masked", "applicant": "applicant_masked"}
        return [
            (title, {**options, "fields": [masked.get(f, f) for f in options["fields"]]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        # Every answer is read-only: the fields of the fieldsets are exactly what the page shows.
        return [name for _title, options in self.get_fieldsets(request, obj) for name in options["fields"]]

    def get_list_display(self, request):
        if permissions.can_see_full_phone(request.user):
            return self.list_display
        return ["mobile_masked" if name == "mobile" else name for name in self.list_display]

    def get_data_for_export(self, request, queryset, **kwargs):
        """The export as the requesting staff member may see it: the mobile masked unless allowed."""
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        if not permissions.can_see_full_phone(request.user):
            mask_column(dataset, str(ApplicationResource.fields["mobile"].column_name), mask_phone)
        return add_custom_columns(dataset, queryset)

    def get_export_campaign(self, request):
        campaign_id = campaign_shown(request)
        return None if campaign_id is None else Campaign.objects.filter(pk=campaign_id).first()

    def get_export_sheets(self, request, queryset, dataset):
        """The XLSX: the applications, their cooperation cases, then the filing, the risk result and the scores
        as far as the role sees them (``reviews.admin.exports``); every sheet keyed by the application number."""
        return [dataset, cases_dataset(queryset), *review_sheets(request.user, queryset)]

    @admin.display(description=Application._meta.get_field("mobile").verbose_name)
    def mobile_masked(self, obj):
        return mask_phone(obj.mobile)

    @admin.display(description=Application._meta.get_field("applicant").verbose_name)
    def applicant_masked(self, obj):
        return masked_login(obj.applicant)

    # Read-only for everyone (no manage predicate): without a change permission the page has no save buttons.
    view_predicate = can_view_applications

    def has_export_permission(self, request):
        return can_view_applications(request.user)



# --- Custom questions (自定义问题) ------------------------------------------------------------------


class CustomQuestionForm(forms.ModelForm):
    class Meta:
        model = CustomQuestion
        fields = [
            "campaign", "section", "new_section_title", "position", "label", "help_text", "kind", "choices",
            "required", "condition_question", "condition_value",
        ]
        widgets = {"choices": forms.Textarea(attrs={"rows": 4}), "help_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The question's condition: another question of its campaign (checked again by the model's clean).
        questions = CustomQuestion.objects.filter(kind__in=CONDITION_KINDS).select_related("campaign")
        if self.instance.pk:
            questions = questions.filter(campaign_id=self.instance.campaign_id).exclude(pk=self.instance.pk)
        self.fields["condition_question"].queryset = questions.order_by("campaign", "position", "pk")
        self.fields["condition_question"].label_from_instance = lambda q: f"{q.label}（{q.campaign.name}）"


@admin.register(CustomQuestion)
class CustomQuestionAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """The campaign admin's questions added to a campaign's questionnaire (model permissions of the role).

    Changing or deleting a question never touches an answer given: answers keep the text they answered.
    """

    form = CustomQuestionForm
    list_display = ["label", "section_shown", "kind", "required", "condition_question", "position", "campaign"]
    list_display_links = ["label"]
    list_filter = [campaign_filter(), "kind", "required"]
    list_select_related = ["campaign", "condition_question"]
    search_fields = ["label"]
    ordering = ["campaign", "position", "id"]
    view_predicate = manage_predicate = MODEL_PERMISSIONS

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        campaign_id = campaign_shown(request)
        if campaign_id is not None:
            initial.setdefault("campaign", campaign_id)
        return initial

    @admin.display(description=_("section"), ordering="section")
    def section_shown(self, obj):
        return obj.get_section_display() if obj.section else obj.new_section_title
