"""Round 1 in the admin (初审): the queue with its pass / reject actions, the decisions, the checklist
and the phone calls (电话通知) operations make after a pass.

The actions lead to an intermediate page (checklist and reason) that applies
``reviews.round1.decide_round1`` to each selected application on its own, and reports per application.
Every ``has_*_permission`` asks a predicate of ``reviews.permissions``.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from applications import permissions as application_permissions
from applications.admin_display import AnswerColumnsMixin
from applications.enums import ApplicationStatus
from applications.masking import mask_phone
from applications.models import Application
from applications.services import ApplicationError
from audit import services as audit
from audit.enums import AuditAction
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin, mask_field

from .. import permissions, round1
from ..enums import CallOutcome
from ..forms import Round1DecisionForm
from ..models import CallAttempt, ChecklistItem, PhoneTask, Round1Queue, Round1Review
from .workspace import campaign_filter, campaign_shown

S = ApplicationStatus
DECISIONS = {"pass": True, "reject": False}

# The number to call, masked (and so never searched, filtered or sorted on) for roles without it in full.
mask_field(PhoneTask, "phone", unmasked_for=application_permissions.can_see_full_phone)


def application_link(application):
    """The application's full read-only page (answers, files, audit trail)."""
    url = reverse("admin:applications_application_change", args=[application.pk])
    return format_html('<a href="{}">{}</a>', url, application)


@admin.register(Round1Queue)
class Round1QueueAdmin(PredicatePermissionsMixin, AnswerColumnsMixin, admin.ModelAdmin):
    """Submitted applications waiting for the round-1 decision."""

    change_list_template = "admin/reviews/round1/change_list.html"
    list_display = [
        "application",
        "alliance_account",
        "entity_type",
        "incorporated_on",
        "team_total",
        "new_merchants_available",
        "cases_count",
        "attachments_count",
        "submitted_at",
        "campaign",
    ]
    list_display_links = None
    list_filter = [campaign_filter(), "entity_type", "previous_permission", "has_offsite_promotion",
                   "has_exclusive_channels"]
    search_fields = ["company_name", "alliance_account", "credit_code", "contact_name", "mobile"]
    search_help_text = _("Company name, alliance account, credit code, contact person or mobile number.")
    list_select_related = ["campaign"]
    ordering = ["submitted_at", "pk"]
    actions = ["pass_round1", "reject_round1"]
    # The answers kept as lists of codes are shown by their names (the page is read-only for reviewers).
    exclude = ["associated_accounts", "other_platform_roles", "custom_answers"]
    readonly_fields = ["associated_accounts_display", "other_platform_roles_display", "custom_answers_display"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .filter(status=S.SUBMITTED)
            .annotate(cases_total=Count("cases", distinct=True), attachments_total=Count("attachments", distinct=True))
        )

    # --- Permissions: round-1 reviewers only; nothing is edited here, only decided. ---
    view_predicate = permissions.can_review_round1

    def has_round1_permission(self, request):
        return permissions.can_review_round1(request.user)

    # --- Columns ---
    @admin.display(description=_("application"), ordering="company_name")
    def application(self, obj):
        return application_link(obj)

    @admin.display(description=_("cooperation cases"), ordering="cases_total")
    def cases_count(self, obj):
        return obj.cases_total

    @admin.display(description=_("attachments"), ordering="attachments_total")
    def attachments_count(self, obj):
        return obj.attachments_total

    # --- Counts above the list ---
    def changelist_view(self, request, extra_context=None):
        campaign_id = campaign_shown(request)
        scope = Application.objects.all()
        if campaign_id is not None:
            scope = scope.filter(campaign_id=campaign_id)
        counts = scope.aggregate(
            waiting=Count("pk", filter=Q(status=S.SUBMITTED)),
            passed=Count("pk", filter=Q(round1_review__passed=True)),
            rejected=Count("pk", filter=Q(round1_review__passed=False)),
        )
        return super().changelist_view(request, {**(extra_context or {}), "round1_counts": counts})

    # --- Actions and the decision page ---
    @admin.action(description=_("Round 1: pass (初审通过)"), permissions=["round1"])
    def pass_round1(self, request, queryset):
        return self._to_decision_page("pass", queryset)

    @admin.action(description=_("Round 1: reject (初审不通过)"), permissions=["round1"])
    def reject_round1(self, request, queryset):
        return self._to_decision_page("reject", queryset)

    def _to_decision_page(self, decision, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        url = reverse("admin:reviews_round1queue_decide", args=[decision])
        return HttpResponseRedirect(f"{url}?{urlencode({'ids': ids})}")

    def get_urls(self):
        return [
            path(
                "decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="reviews_round1queue_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, decision):
        """GET shows the checklist and reason form for the selected applications; POST decides each."""
        if not permissions.can_review_round1(request.user):
            raise PermissionDenied
        if decision not in DECISIONS:
            raise PermissionDenied
        passed = DECISIONS[decision]
        raw = request.POST.get("ids") if request.method == "POST" else request.GET.get("ids")
        ids = [int(pk) for pk in (raw or "").split(",") if pk.strip().isdigit()]
        applications = list(Application.objects.filter(pk__in=ids).select_related("campaign").order_by("pk"))
        changelist = reverse("admin:reviews_round1queue_changelist")
        if not applications:
            self.message_user(request, gettext("Select at least one application."), messages.WARNING)
            return HttpResponseRedirect(changelist)
        campaigns = {a.campaign_id for a in applications}
        form = Round1DecisionForm(request.POST or None, campaigns=campaigns, passed=passed)
        if request.method == "POST" and form.is_valid():
            self._decide_each(request, applications, passed, form.cleaned_data)
            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Round 1: pass (初审通过)") if passed else gettext("Round 1: reject (初审不通过)"),
            "applications": applications,
            "ids": ",".join(str(a.pk) for a in applications),
            "form": form,
            "passed": passed,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/reviews/round1/decide.html", context)

    def _decide_each(self, request, applications, passed, data):
        """One transaction per application: each is decided completely or not at all."""
        for application in applications:
            try:
                review = round1.decide_round1(
                    application, actor=request.user, passed=passed, reason=data["reason"],
                    checked_items=data["checked_items"], checklist_waiver=data.get("checklist_waiver", ""),
                )
            except (ApplicationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    gettext("%(application)s: not decided. %(reason)s")
                    % {"application": application, "reason": str(error) or gettext("Not allowed.")},
                    messages.ERROR,
                )
            else:
                audit.record(
                    AuditAction.ROUND1_PASS if passed else AuditAction.ROUND1_REJECT, actor=request.user,
                    obj=application, reason=data["reason"],
                    checked_items=sorted(review.checked_items.values_list("pk", flat=True)),
                    **({"checklist_waiver": review.checklist_waiver} if review.checklist_waiver else {}),
                )
                self.message_user(
                    request,
                    (gettext("%(application)s: passed round 1; a phone task was created and the applicant notified.")
                     if passed else gettext("%(application)s: rejected in round 1."))
                    % {"application": application},
                    messages.SUCCESS,
                )


@admin.register(Round1Review)
class Round1ReviewAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """The round-1 decisions, read-only (who decided, the checklist, the reason)."""

    list_display = ["application", "passed", "reviewer", "decided_at", "reason", "checklist_waiver"]
    list_filter = ["passed", "application__campaign"]
    search_fields = ["application__company_name", "application__alliance_account"]
    list_select_related = ["application", "reviewer"]
    fields = readonly_fields = ["application", "reviewer", "passed", "checked_items", "checklist_waiver", "reason",
                                "decided_at"]

    # Read by the roles holding ``view_round1review``; decisions are made on the queue, never edited here.
    view_predicate = MODEL_PERMISSIONS


@admin.register(ChecklistItem)
class ChecklistItemAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """The round-1 checklist of each campaign, edited by the campaign admin (model permissions of the role)."""

    list_display = ["text", "position", "campaign"]
    list_editable = ["position"]
    list_filter = ["campaign"]
    search_fields = ["text"]
    view_predicate = manage_predicate = MODEL_PERMISSIONS


class ToCallFilter(admin.SimpleListFilter):
    """待致电: tasks never called, or whose last call went unanswered."""

    title = _("to call (待致电)")
    parameter_name = "to_call"

    def lookups(self, request, model_admin):
        return [("yes", _("To call")), ("no", pgettext_lazy("phone task", "Done"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(outcome__in=round1.TO_CALL)
        if self.value() == "no":
            return queryset.exclude(outcome__in=round1.TO_CALL)
        return queryset


class CallForm(forms.ModelForm):
    """The task's form records one new call: its outcome (a real one) and note, empty to start with."""

    class Meta:
        model = PhoneTask
        fields = ["outcome", "note"]
        labels = {"outcome": _("outcome of this call"), "note": _("note on this call")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "outcome" in self.fields:
            self.fields["outcome"].choices = [("", "---------")] + [
                (value, label) for value, label in CallOutcome.choices if value != CallOutcome.PENDING
            ]
            self.fields["outcome"].required = True
            self.initial["outcome"] = ""
        if "note" in self.fields:
            self.initial["note"] = ""


@admin.register(PhoneTask)
class PhoneTaskAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Whom to call after a round-1 pass; operations record each call (``reviews.round1.record_call``), and
    every call stays listed on the task. The list says how many tasks are still to call (待致电)."""

    change_list_template = "admin/reviews/round1/phone_change_list.html"
    form = CallForm
    list_display = ["contact_name", "phone", "application_display", "outcome", "attempt_count", "called_by",
                    "called_at", "note", "created_at"]
    list_filter = [ToCallFilter, "outcome", campaign_filter("application__campaign")]
    search_fields = ["contact_name", "phone", "application__company_name", "application__alliance_account"]
    list_select_related = ["application", "called_by"]
    fields = ["application_display", "contact_name", "phone", "latest_outcome", "called_by", "called_at",
              "created_at", "call_history", "outcome", "note"]
    readonly_fields = ["application_display", "contact_name", "phone", "latest_outcome", "called_by", "called_at",
                       "created_at", "call_history"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attempts_total=Count("attempts"))

    @admin.display(description=_("application"))
    def application_display(self, obj):
        return application_link(obj.application)

    @admin.display(description=_("latest outcome"))
    def latest_outcome(self, obj):
        return obj.get_outcome_display()

    @admin.display(description=_("calls"), ordering="attempts_total")
    def attempt_count(self, obj):
        return obj.attempts_total

    @admin.display(description=_("call attempts"))
    def call_history(self, obj):
        """Every call, oldest first: when, who, outcome, note."""
        calls = CallAttempt.objects.filter(task=obj).select_related("called_by").order_by("called_at", "pk")
        rows = format_html_join(
            "", '<tr class="call"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((date_format(timezone.localtime(c.called_at), "Y-m-d H:i:s"),
              c.called_by.get_username() if c.called_by else "—", c.get_outcome_display(), c.note) for c in calls),
        )
        if not rows:
            return gettext("Not called yet")
        return format_html(
            '<table id="call-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("called at"), gettext("called by"), gettext("outcome"), gettext("note"), rows,
        )

    # --- Masking: the number in full only for ``can_see_full_phone`` (operations, campaign admin) ---
    @admin.display(description=PhoneTask._meta.get_field("phone").verbose_name)
    def phone_masked(self, obj):
        return mask_phone(obj.phone)

    def _masks(self, request):
        return not application_permissions.can_see_full_phone(request.user)

    def _swap(self, request, names):
        return ["phone_masked" if n == "phone" else n for n in names] if self._masks(request) else list(names)

    def get_list_display(self, request):
        return self._swap(request, self.list_display)

    def get_fields(self, request, obj=None):
        names = self.fields
        if not permissions.can_manage_phone_tasks(request.user):
            names = [n for n in names if n not in ("outcome", "note")]  # the calls are in the list below
        return self._swap(request, names)

    def get_readonly_fields(self, request, obj=None):
        return self._swap(request, self.readonly_fields)

    def _masked_titles(self, request, response):
        """The change and history pages name the task by ``str()`` (contact and number): mask it there."""
        context = getattr(response, "context_data", None)
        if not self._masks(request) or context is None:
            return response
        for key in ("original", "object"):
            obj = context.get(key)
            if isinstance(obj, PhoneTask):
                masked = copy.copy(obj)
                masked.phone = mask_phone(obj.phone)
                context[key] = masked
                for title in ("subtitle", "title"):
                    if isinstance(context.get(title), str):
                        context[title] = context[title].replace(obj.phone, masked.phone)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._masked_titles(request, super().change_view(request, object_id, form_url, extra_context))

    def history_view(self, request, object_id, extra_context=None):
        return self._masked_titles(request, super().history_view(request, object_id, extra_context))

    def changelist_view(self, request, extra_context=None):
        """Above the list: the tasks still to call (待致电), per campaign."""
        waiting = [
            {"campaign_id": pk, "name": name, "counts": counts,
             "url": f"{reverse('admin:reviews_phonetask_changelist')}?"
                    f"{urlencode({'to_call': 'yes', 'application__campaign__id__exact': pk})}"}
            for pk, name, counts in round1.calls_waiting_by_campaign()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "calls_waiting": waiting})

    view_predicate = permissions.can_view_phone_tasks

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_phone_tasks(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """One new call (``record_call``); the task's own fields change only through it."""
        outcome, note = form.cleaned_data["outcome"], form.cleaned_data["note"]
        round1.record_call(obj, actor=request.user, outcome=outcome, note=note)
        audit.record(AuditAction.RECORD_CALL, actor=request.user, obj=obj.application, phone_task=obj.pk,
                     outcome=outcome)

