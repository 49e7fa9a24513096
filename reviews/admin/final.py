"""Round 3 in the admin (终审): the rubric, the committee's queue and score page, the ranking with its
decisions (择优通过), publication (结果公示) and the ranking export.

Every view asks a predicate of ``reviews.permissions`` and calls the domain (``reviews.final``,
``reviews.publication``); nothing here changes data by itself.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import permissions as application_permissions
from applications import questionnaire
from applications.enums import ApplicationStatus, PendingDecision
from applications.masking import mask_id_number, mask_phone, masked_login, phone_for
from applications.models import Application
from applications.services import ApplicationError
from audit import services as audit
from audit.enums import AuditAction
from recruitment import spreadsheets
from recruitment.admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin
from recruitment.models import Campaign

from .. import committee, final, permissions, publication, ranking_resources, workspace
from ..filing import FILING_FIELDS
from ..models import CommitteeMember, Filing, FinalReviewQueue, RubricCriterion, ScoreSheet, SelectionOverride
from .risk import results_table
from .workspace import campaign_filter

S = ApplicationStatus
DECISION_ACTIONS = {
    PendingDecision.SELECTED: AuditAction.SELECT,
    PendingDecision.NOT_SELECTED: AuditAction.NOT_SELECT,
    PendingDecision.NONE: AuditAction.CLEAR_DECISION,
}


def chosen_campaign(request):
    """The campaign named by ``?campaign=<id>``, else the one the staff member works on (``reviews.workspace``)."""
    pk = request.GET.get("campaign") or request.POST.get("campaign")
    if pk:
        if not str(pk).isdigit():
            raise Http404
        return get_object_or_404(Campaign, pk=pk)
    return workspace.campaign_of_request(request)


# --- Rubric (评分标准) -------------------------------------------------------------------------------


class RubricCriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["campaign", "position", "name", "description", "weight", "max_score"]

    def clean_campaign(self):
        campaign = self.cleaned_data["campaign"]
        if campaign is not None and self.instance.pk is None and final.rubric_is_locked(campaign):
            raise forms.ValidationError(
                _("Scoring has started in this campaign: its rubric can no longer change."), code="rubric_locked"
            )
        return campaign


@admin.register(RubricCriterion)
class RubricCriterionAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """The campaign admin edits the rubric (weights are relative) until the first sheet is submitted."""

    form = RubricCriterionForm
    list_display = ["name", "campaign", "weight", "max_score", "position"]
    list_display_links = ["name"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    ordering = ["campaign", "position", "id"]
    view_predicate = manage_predicate = MODEL_PERMISSIONS

    def has_change_permission(self, request, obj=None):
        if obj is not None and final.rubric_is_locked(obj.campaign_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and final.rubric_is_locked(obj.campaign_id):
            return False
        return super().has_delete_permission(request, obj)


# --- The committee's queue ----------------------------------------------------------------------------


class ScoredByMeFilter(admin.SimpleListFilter):
    title = _("my score sheet")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("no", _("Not scored by me")), ("yes", _("Scored by me"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(my_sheet=False)
        if self.value() == "yes":
            return queryset.filter(my_sheet=True)
        return queryset


class PendingDecisionFilter(admin.SimpleListFilter):
    """The pending decision (择优通过 / 不通过), a filter only for those who see the decisions."""

    title = Application._meta.get_field("pending_decision").verbose_name
    parameter_name = "pending_decision"

    def lookups(self, request, model_admin):
        return PendingDecision.choices

    def queryset(self, request, queryset):
        if self.value() in PendingDecision.values:
            return queryset.filter(pending_decision=self.value())
        return queryset


class ScoreSheetForm(forms.Form):
    """One field per rubric criterion (0..max) and the comment; the domain validates again."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[self.key(criterion)] = forms.IntegerField(
                label=criterion.name,
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_score,
                widget=forms.NumberInput(attrs={"min": 0, "max": criterion.max_score, "step": 1}),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
        )

    @staticmethod
    def key(criterion):
        return f"criterion_{criterion.pk}"

    def rows(self):
        return [(criterion, self[self.key(criterion)]) for criterion in self.criteria]

    def scores(self):
        return {c.pk: self.cleaned_data[self.key(c)] for c in self.criteria}


@admin.register(FinalReviewQueue)
class FinalReviewQueueAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Round-3 applications. Members score from here; the campaign admin also decides (择优通过)."""

    change_list_template = "admin/reviews/final/queue_change_list.html"
    list_display_links = None
    list_filter = [campaign_filter(), ScoredByMeFilter, PendingDecisionFilter]
    search_fields = ["company_name", "alliance_account", "credit_code"]
    list_select_related = ["campaign"]
    ordering = ["submitted_at", "pk"]
    actions = ["select_applications", "not_select_applications", "clear_decisions"]

    # Permissions: the proxy's own permissions are never granted; the predicates decide.
    view_predicate = permissions.can_view_final_queue

    def has_select_permission(self, request):
        return permissions.can_select(request.user)

    def get_queryset(self, request):
        mine = ScoreSheet.objects.filter(application=OuterRef("pk"), reviewer=request.user)
        queryset = super().get_queryset(request).filter(status=S.FINAL_REVIEW)
        if not permissions.can_view_ranking(request.user):
            # A judge sees only the campaigns whose committee they sit on.
            queryset = final.on_committees_of(request.user, queryset)
        queryset = (
            queryset
            .annotate(
                my_sheet=Exists(mine),
                my_seat=Exists(CommitteeMember.objects.filter(campaign=OuterRef("campaign"), member=request.user)),
                my_score=Subquery(
                    mine.values("weighted_score")[:1], output_field=DecimalField(max_digits=6, decimal_places=2)
                ),
            )
        )
        return final.with_scores(queryset)

    def get_list_filter(self, request):
        """"Not scored by me" for those who score; the decision for those who see decisions."""
        shown = {ScoredByMeFilter: permissions.can_score(request.user),
                 PendingDecisionFilter: permissions.can_view_ranking(request.user)}
        return [item for item in super().get_list_filter(request) if shown.get(item, True)]

    def get_list_display(self, request):
        columns = ["company_name", "alliance_account", "submitted_at", "my_score_display"]
        if permissions.can_view_all_scores(request.user):
            columns += ["sheet_count_display", "mean_display"]
        if permissions.can_view_ranking(request.user):
            columns += ["pending_decision"]
        return [*columns, "score_link" if permissions.can_score(request.user) else "view_link"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("my weighted score"), ordering="my_score")
    def my_score_display(self, obj):
        # Quantized here: SQLite hands a subquery's decimal back without its scale (73.5 for 73.50).
        return obj.my_score.quantize(final.CENT) if obj.my_sheet else gettext("Not scored yet")

    @admin.display(description=_("number of score sheets"), ordering="sheet_count")
    def sheet_count_display(self, obj):
        return obj.sheet_count

    @admin.display(description=_("mean score"))
    def mean_display(self, obj):
        mean = final.mean_of(obj.score_total, obj.sheet_count)
        return "—" if mean is None else mean

    @admin.display(description=_("score page"))
    def score_link(self, obj):
        url = reverse("admin:reviews_finalreviewqueue_score", args=[obj.pk])
        label = gettext("Score") if obj.my_seat and not obj.my_sheet else gettext("View")
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    @admin.display(description=_("score page"))
    def view_link(self, obj):
        url = reverse("admin:reviews_finalreviewqueue_score", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("View"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        if permissions.can_view_ranking(request.user):
            extra_context["ranking_url"] = reverse("admin:reviews_ranking")
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404
        return redirect("admin:reviews_finalreviewqueue_score", int(object_id))

    # --- Decision actions (record_decision for each ticked row) ----------------------------------------

    def _decide(self, request, queryset, decision):
        done, refused = 0, []
        for application in queryset.order_by("submitted_at", "pk"):
            try:
                publication.record_decision(application, actor=request.user, decision=decision)
            except ApplicationError as error:
                refused.append(f"{application}: {error}")
            else:
                audit.record(DECISION_ACTIONS[decision], actor=request.user, obj=application, via="action")
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)s decision recorded.", "%(count)s decisions recorded.", done) % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Select (择优通过)"), permissions=["select"])
    def select_applications(self, request, queryset):
        self._decide(request, queryset, PendingDecision.SELECTED)

    @admin.action(description=_("Do not select (不通过)"), permissions=["select"])
    def not_select_applications(self, request, queryset):
        self._decide(request, queryset, PendingDecision.NOT_SELECTED)

    @admin.action(description=_("Clear the decision"), permissions=["select"])
    def clear_decisions(self, request, queryset):
        self._decide(request, queryset, PendingDecision.NONE)

    # --- Custom views ----------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        get_or_post = require_http_methods(["GET", "POST"])
        return [
            path("<int:pk>/score/", wrap(get_or_post(self.score_view)), name="reviews_finalreviewqueue_score"),
            path("ranking/", wrap(require_GET(self.ranking_view)), name="reviews_ranking"),
            path("ranking/decide/", wrap(require_POST(self.decide_view)), name="reviews_ranking_decide"),
            path("ranking/publish/", wrap(get_or_post(self.publish_view)), name="reviews_ranking_publish"),
            path("ranking/export/", wrap(require_GET(self.export_view)), name="reviews_ranking_export"),
            *super().get_urls(),
        ]

    def _context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "queue_url": reverse("admin:reviews_finalreviewqueue_changelist"),
            **kwargs,
        }

    @staticmethod
    def _attachment_url(attachment):
        try:
            return reverse("applications:attachment", args=[attachment.pk])
        except NoReverseMatch:
            return None

    def score_view(self, request, pk):
        """The application's answers, cases and files, the rubric form, and — once the member has
        submitted (or for the campaign admin) — every sheet. GET changes nothing."""
        user = request.user
        if not (permissions.can_score(user) or permissions.can_view_all_scores(user)):
            raise PermissionDenied
        if request.method == "POST" and not permissions.can_score(user):
            raise PermissionDenied
        application = get_object_or_404(
            Application.objects.select_related("campaign", "decided_by"), pk=pk, status__in=final.RANKED_STATES
        )
        if not permissions.can_open_score_page(user, application):
            raise PermissionDenied  # a judge of another campaign's committee
        criteria = final.rubric_of(application.campaign)
        has_sheet = ScoreSheet.objects.filter(application=application, reviewer=user).exists()
        may_submit = (permissions.can_score_in(user, application.campaign_id) and not has_sheet
                      and application.status == S.FINAL_REVIEW)
        form = None
        if may_submit:
            form = ScoreSheetForm(request.POST or None, criteria=criteria)
            if request.method == "POST" and form.is_valid():
                try:
                    sheet = final.submit_scores(
                        application, reviewer=user, scores=form.scores(), comment=form.cleaned_data["comment"]
                    )
                except ApplicationError as error:
                    form.add_error(None, str(error))
                else:
                    audit.record(AuditAction.SCORE, actor=user, obj=application,
                                 weighted_score=str(getattr(sheet, "weighted_score", "")),
                                 scores={str(k): v for k, v in form.scores().items()})
                    self.message_user(request, gettext("Your score sheet was submitted."), messages.SUCCESS)
                    return redirect("admin:reviews_finalreviewqueue_score", application.pk)
        elif request.method == "POST":
            self.message_user(request, gettext("You have already scored this application."), messages.ERROR)
            return redirect("admin:reviews_finalreviewqueue_score", application.pk)
        sheets = final.sheets_of(application) if permissions.can_see_scores_of(user, application) else None
        scores_by_sheet = []
        if sheets is not None:
            for sheet in sheets:
                values = {score.criterion_id: score.value for score in sheet.scores.all()}
                scores_by_sheet.append((sheet, [values.get(c.pk) for c in criteria]))
        campaign_sections = questionnaire.sections_for(application.campaign)
        sections = [
            {"section": s, "answers": self._shown_answers(user, application, s)}
            for s in campaign_sections
            if s.kind in ("form", "custom")
        ]
        removed = questionnaire.removed_answers(application, [q for s in campaign_sections for q in s.questions])
        if removed:
            sections.append({"section": {"slug": "removed", "title": gettext("Answers to questions since removed")},
                             "answers": removed})
        attachments = [(a, self._attachment_url(a)) for a in application.attachments.all()]
        evidence = final.evidence_of(application)
        mean = None
        if sheets:
            mean = final.mean_of(sum(s.weighted_score for s in sheets), len(sheets))
        context = self._context(
            request,
            title=gettext("Final review: %(name)s") % {"name": application},
            application=application,
            sections=sections,
            cases=application.cases.all(),
            attachments=attachments,
            filing=self._shown_filing(user, evidence.filing),
            assessment=evidence.assessment,
            risk_results=results_table(evidence.assessment) if evidence.assessment else None,
            phone_task=evidence.phone_task,
            phone=phone_for(user, evidence.phone_task.phone) if evidence.phone_task else "",
            calls=[
                {"called_at": call.called_at, "outcome": call.get_outcome_display(), "note": call.note,
                 "by": masked_login(call.called_by) if not application_permissions.can_see_full_phone(user)
                 else (call.called_by.get_username() if call.called_by else "—")}
                for call in evidence.calls
            ],
            criteria=criteria,
            form=form,
            has_sheet=has_sheet,
            sheets=scores_by_sheet if sheets is not None else None,
            mean=mean,
            can_view_ranking=permissions.can_view_ranking(user),
        )
        return TemplateResponse(request, "admin/reviews/final/score.html", context)

    @staticmethod
    def _shown_filing(user, filing):
        """The filing as (label, value) rows, the ID number masked unless ``can_see_full_id_number``."""
        if filing is None:
            return None
        rows = []
        for name in [*FILING_FIELDS, "filed_at"]:
            field = Filing._meta.get_field(name)
            value = getattr(filing, name)
            if name == "legal_representative_id_number":
                value = value if permissions.can_see_full_id_number(user) else mask_id_number(value)
            elif isinstance(value, bool):
                value = gettext("Yes") if value else gettext("No")
            elif name == "filed_at":
                value = date_format(timezone.localtime(value), "Y-m-d H:i:s")
            rows.append({"name": name, "label": capfirst(field.verbose_name), "value": value})
        return rows

    @staticmethod
    def _shown_answers(user, application, section):
        """The section's answers, the mobile number masked unless ``can_see_full_phone``."""
        answers = questionnaire.answers(application, section)
        if not application_permissions.can_see_full_phone(user):
            for answer in answers:
                if answer["name"] == "mobile" and answer["value"]:
                    answer["value"] = mask_phone(answer["value"])
        return answers

    def ranking_view(self, request):
        if not permissions.can_view_ranking(request.user):
            raise PermissionDenied
        campaign = chosen_campaign(request)
        context = self._context(
            request,
            title=gettext("Final review ranking"),
            campaign=campaign,
            campaigns=Campaign.objects.order_by("-application_opens_at"),
            entries=final.with_committee_evidence(final.ranking(campaign), campaign) if campaign else [],
            committee=list(committee.members_of(campaign)) if campaign else [],
            seats_left=publication.seats_left(campaign) if campaign else None,
            unresolved_count=publication.unresolved_applications(campaign).count() if campaign else 0,
            can_select=permissions.can_select(request.user),
            can_publish=permissions.can_publish(request.user),
            published=bool(campaign and campaign.published_at),
            decisions=PendingDecision,
        )
        return TemplateResponse(request, "admin/reviews/final/ranking.html", context)

    def _ranking_url(self, campaign):
        return f"{reverse('admin:reviews_ranking')}?{urlencode({'campaign': campaign.pk})}"

    def decide_view(self, request):
        """择优通过 / 不通过 / clear one application, through ``record_decision``."""
        if not permissions.can_select(request.user):
            raise PermissionDenied
        choices = {
            "select": PendingDecision.SELECTED,
            "not_select": PendingDecision.NOT_SELECTED,
            "clear": PendingDecision.NONE,
        }
        decision = choices.get(request.POST.get("decision"))
        pk = request.POST.get("application", "")
        if decision is None or not pk.isdigit():
            raise Http404
        application = get_object_or_404(Application, pk=pk)
        override_reason = request.POST.get("override_reason", "") if decision == PendingDecision.SELECTED else ""
        try:
            publication.record_decision(
                application, actor=request.user, decision=decision, override_reason=override_reason
            )
        except ApplicationError as error:
            self.message_user(request, f"{application}: {error}", messages.ERROR)
        else:
            override = SelectionOverride.objects.filter(application=application).first()
            details = {"via": "ranking"}
            if override is not None:
                details.update(override_reason=override.reason, missing_members=override.missing_members)
            audit.record(DECISION_ACTIONS[decision], actor=request.user, obj=application, **details)
            self.message_user(
                request,
                gettext("%(name)s: %(decision)s.") % {"name": application, "decision": decision.label},
                messages.SUCCESS,
            )
        return redirect(self._ranking_url(application.campaign))

    def publish_view(self, request):
        """GET: what publication will do and what still blocks it; POST: publish (公示结果)."""
        if not permissions.can_publish(request.user):
            raise PermissionDenied
        campaign = chosen_campaign(request)
        if campaign is None:
            raise Http404
        if request.method == "POST":
            if request.POST.get("confirm") != "yes":
                return redirect(f"{reverse('admin:reviews_ranking_publish')}?{urlencode({'campaign': campaign.pk})}")
            try:
                publication.publish_results(campaign, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                audit.record(AuditAction.PUBLISH, actor=request.user, campaign=campaign, **_publish_details(campaign))
                self.message_user(request, gettext("The results are published."), messages.SUCCESS)
            return redirect(self._ranking_url(campaign))
        finalists = Application.objects.filter(campaign=campaign, status=S.FINAL_REVIEW)
        context = self._context(
            request,
            title=gettext("Publish the results"),
            campaign=campaign,
            blockers=publication.publication_blockers(campaign, timezone.now()),
            selected_count=finalists.filter(pending_decision=PendingDecision.SELECTED).count(),
            # Round-3 applications decided against, and those closed out for not filing (未按时备案).
            not_selected_count=finalists.filter(pending_decision=PendingDecision.NOT_SELECTED).count()
            + Application.objects.filter(campaign=campaign, status=S.FILING_LAPSED).count(),
            rejected_count=Application.objects.filter(
                campaign=campaign, status__in=(S.ROUND1_REJECTED, S.RISK_REJECTED)
            ).count(),
            ranking_url=self._ranking_url(campaign),
        )
        return TemplateResponse(request, "admin/reviews/final/publish_confirm.html", context)

    def export_view(self, request):
        if not permissions.can_view_ranking(request.user):
            raise PermissionDenied
        campaign = chosen_campaign(request)
        if campaign is None:
            raise Http404
        file_format = request.GET.get("format", "csv")
        content, content_type, filename, fallback = ranking_resources.export_ranking(campaign, file_format)
        audit.record(AuditAction.EXPORT_RANKING, actor=request.user, campaign=campaign,
                     format="xlsx" if file_format == "xlsx" else "csv",
                     rows=Application.objects.filter(campaign=campaign, status__in=final.RANKED_STATES).count())
        return spreadsheets.attach(HttpResponse(content, content_type=content_type), filename, fallback)



def _publish_details(campaign):
    """The published outcome in counts, for the audit log."""
    counts = Application.objects.filter(campaign=campaign).aggregate(
        selected=Count("pk", filter=Q(status=S.SELECTED)), not_selected=Count("pk", filter=Q(status=S.NOT_SELECTED))
    )
    return {"selected": counts["selected"], "not_selected": counts["not_selected"]}
