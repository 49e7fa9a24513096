"""The admin of rule changes during probation: check items (新增考核项), the rule-change log (规则变更记录)
and the 公布规则变更 step. The domain is ``probation.rules``; these pages only ask and show.

The campaign admin (``permissions.can_decide``) adds and edits check items and publishes notices; whoever
sees the board sees them. A change to a check already decided is refused on “Save”: only “Save and
recheck” (保存并复核) takes it, then rechecks the campaign on today's data.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recruitment import admin as recruitment_admin
from recruitment.admin_permissions import PredicatePermissionsMixin
from recruitment.models import BasicCheckMonth, Campaign

from . import admin_decisions, decisions, permissions, rules
from .models import CheckItem, CheckResult, RuleChange, RuleNotice

RECHECK_BUTTON = rules.RECHECK_BUTTON


class CheckItemForm(forms.ModelForm):
    request = None  # set by ``CheckItemAdmin.get_form``

    class Meta:
        model = CheckItem
        fields = ["campaign", "code", "name", "measure", "starts_at", "ends_at", "threshold", "due_at"]

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at is not None and (self.instance.pk is None or "due_at" in self.changed_data) \
                and due_at <= timezone.now():
            raise forms.ValidationError(_("The due time cannot be in the past."), code="past")
        return due_at

    def clean(self):
        cleaned = super().clean()
        item = self.instance
        if item.pk is None or self.errors:
            return cleaned
        before = CheckItem.objects.get(pk=item.pk)
        after = CheckItem(**{name: cleaned.get(name, getattr(before, name)) for name in rules.ITEM_RULE_FIELDS})
        changed = [name for name in rules.ITEM_RULE_FIELDS
                   if rules.item_value(before, name) != rules.item_value(after, name)]
        recheck = self.request is not None and RECHECK_BUTTON in self.request.POST
        if changed and not recheck and rules.is_decided(before.campaign, before.code):
            raise forms.ValidationError(
                _("%(code)s is already decided: a change to it is saved only through “Save and recheck”, which "
                  "rechecks the campaign on today's data.") % {"code": item.code}, code="decided")
        return cleaned


@admin.register(CheckItem)
class CheckItemAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    form = CheckItemForm
    list_display = ["code", "name", "campaign", "measure", "threshold", "starts_at", "ends_at", "due_at", "decided"]
    list_filter = ["campaign", "measure"]
    change_form_template = "admin/probation/checkitem_change_form.html"
    view_predicate = staticmethod(permissions.can_view_probation)
    manage_predicate = staticmethod(permissions.can_decide)

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "code"] if obj is not None else []  # the verdicts are stored under the code

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def has_delete_permission(self, request, obj=None):
        return False  # a rule once announced is changed, never erased

    def get_queryset(self, request):
        verdicts = CheckResult.objects.filter(leader__campaign=OuterRef("campaign"), code=OuterRef("code"))
        return super().get_queryset(request).select_related("campaign").annotate(is_decided=Exists(verdicts))

    @admin.display(description=gettext_lazy("decided"), boolean=True)
    def decided(self, obj):
        return obj.is_decided

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = CheckItem.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra_context = {**(extra_context or {}),
                         "is_decided": item is not None and rules.is_decided(item.campaign, item.code)}
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except decisions.DecisionRefused as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        before = CheckItem.objects.get(pk=obj.pk) if change else None
        recheck = change and RECHECK_BUTTON in request.POST
        result = rules.save_check_item(obj, actor=request.user, before=before, recheck=recheck)
        if result is not None:
            self.message_user(request, _("Saved and rechecked on today's data."), messages.SUCCESS)
            for line in admin_decisions.message_lines(result):
                self.message_user(request, line, messages.INFO)

    def response_change(self, request, obj):
        if RECHECK_BUTTON in request.POST:
            return HttpResponseRedirect(reverse("admin:probation_checkitem_change", args=[obj.pk]))
        return super().response_change(request, obj)


@admin.register(RuleChange)
class RuleChangeAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """规则变更记录: read only; rows are written by ``probation.rules``."""

    list_display = ["changed_at", "campaign", "what", "from_value", "to_value", "changed_by", "notice"]
    list_filter = ["campaign"]
    view_predicate = staticmethod(permissions.can_view_probation)
    manage_predicate = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoticeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Notice to the leaders"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=4000)


@admin.register(RuleNotice)
class RuleNoticeAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """公布规则变更: the add page is the publishing step (``?campaign=<slug>``): the changes not told yet, the
    number of leaders in probation, and the notice staff write. Notices are never edited or deleted."""

    list_display = ["published_at", "campaign", "published_by", "recipients"]
    list_filter = ["campaign"]
    readonly_fields = ["campaign", "text", "published_by", "published_at", "recipients"]
    view_predicate = staticmethod(permissions.can_view_probation)
    manage_predicate = staticmethod(permissions.can_decide)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)  # the admin's own refusal
        slug = request.POST.get("campaign") or request.GET.get("campaign")
        campaign = get_object_or_404(Campaign, slug=slug) if slug else Campaign.objects.current()
        if campaign is None:
            campaign = Campaign.objects.order_by("-probation_starts_on").first()
        form = NoticeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                notice = rules.publish_notice(campaign, text=form.cleaned_data["text"], actor=request.user)
            except rules.NothingToPublish as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Rule changes published: %(n)d leaders in probation told.")
                                  % {"n": notice.recipients}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:probation_rulenotice_changelist"))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Publish rule changes"),
            "campaign": campaign, "campaigns": Campaign.objects.order_by("-probation_starts_on"),
            "pending": rules.pending_changes(campaign) if campaign else [],
            "leaders": rules.leaders_to_tell(campaign).count() if campaign else 0, "form": form,
            "board_link": admin_decisions.board_url(campaign) if campaign else "",
        }
        return TemplateResponse(request, "admin/probation/rule_notice.html", context)


# --- The campaign's page: the built-in checks' rules -------------------------------------------------------
#
# The campaign admin lives in ``recruitment`` (below probation: it may not import it). Probation extends it
# here: the registered ``CampaignAdmin`` is replaced by a subclass that logs the rule changes and refuses a
# change to a decided check unless saved with 保存并复核. Every other behaviour (and inline) is inherited.


class CampaignRulesForm(recruitment_admin.CampaignForm):
    """A threshold, window or date of a check already decided changes only through 保存并复核."""

    request = None  # set by ``CampaignAdmin.get_form``

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.request is None or RECHECK_BUTTON in self.request.POST:
            return cleaned
        stored = Campaign.objects.get(pk=self.instance.pk)
        codes = [code for name, codes in rules.CAMPAIGN_RULE_FIELDS.items()
                 if name in cleaned and rules.rule_text(cleaned[name]) != rules.rule_text(getattr(stored, name))
                 for code in codes]
        decided = rules.decided_codes(stored, codes)
        if decided:
            raise forms.ValidationError(rules.decided_message(decided), code="decided")
        return cleaned


class BasicCheckMonthRulesFormSet(recruitment_admin.BasicCheckMonthFormSet):
    """A month whose check is decided keeps its month and thresholds (and stays) unless saved with 保存并复核."""

    request = None  # set by ``BasicCheckMonthInline.get_formset``

    def clean(self):
        super().clean()
        if self.request is not None and RECHECK_BUTTON in self.request.POST:
            return
        for form in self.forms:
            if not form.instance.pk:
                continue
            stored = BasicCheckMonth.objects.filter(pk=form.instance.pk).first()
            touched = self._should_delete_form(form) or any(
                name in form.changed_data for name in ["month", *rules.BASIC_MONTH_RULE_FIELDS])
            if stored is not None and touched and rules.decided_codes(self.instance, [stored.code]):
                form.add_error(None, forms.ValidationError(rules.decided_message([stored.code]), code="decided"))


class BasicCheckMonthInline(recruitment_admin.BasicCheckMonthInline):
    """The months inline with the 保存并复核 guard (same name: it is the campaign page's months inline)."""

    formset = BasicCheckMonthRulesFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


class CampaignAdmin(recruitment_admin.CampaignAdmin):
    """The campaign page with the rule-change log and 保存并复核 (same name: it is the campaign admin)."""

    form = CampaignRulesForm
    inlines = [BasicCheckMonthInline if inline is recruitment_admin.BasicCheckMonthInline else inline
               for inline in recruitment_admin.CampaignAdmin.inlines]
    change_form_template = "admin/probation/campaign_change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        """Keeps what leaders were judged by before the save: ``save_related`` logs the rule changes."""
        request._probation_rules = rules.campaign_rules(Campaign.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_probation_rules", None)
        if before is None:
            return
        result = rules.log_campaign_changes(form.instance, before, actor=request.user,
                                            recheck=RECHECK_BUTTON in request.POST)
        if result is not None:
            self.message_user(request, _("Saved and rechecked on today's data."), messages.SUCCESS)
            for line in admin_decisions.message_lines(result):
                self.message_user(request, line, messages.INFO)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = Campaign.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        decided = campaign is not None and CheckResult.objects.filter(leader__campaign=campaign).exists()
        extra_context = {**(extra_context or {}), "has_decided_checks": decided,
                         "can_add_check_item": permissions.can_decide(request.user)}
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except decisions.DecisionRefused as error:  # 保存并复核 while an import runs: nothing was saved
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)


admin.site.unregister(Campaign)
admin.site.register(Campaign, CampaignAdmin)
