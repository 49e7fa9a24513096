"""Staff edit campaigns here: calendar, seats, probation thresholds and the monthly basic checks."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from reviews import publication

from . import calendar_rules, services
from .admin_permissions import MODEL_PERMISSIONS, PredicatePermissionsMixin
from .admin_widgets import translate_boolean_icons
from .models import BasicCheckMonth, Campaign

# The admin's yes/no icons say 是/否 instead of True/False (admin autodiscovery imports this module first).
translate_boolean_icons()

admin.site.site_header = _("Taobao Alliance leader recruitment · staff workplace")
admin.site.site_title = _("Leader recruitment staff")
admin.site.index_title = _("Today's work")

WINDOW_STATE_LABELS = {
    "upcoming": pgettext_lazy("application window", "Upcoming"),
    "open": pgettext_lazy("application window", "Open"),
    "closed": pgettext_lazy("application window", "Closed"),
}


class BasicCheckMonthForm(forms.ModelForm):
    class Meta:
        model = BasicCheckMonth
        fields = ["month", "min_activities", "min_merchants", "min_items", "min_gmv"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month and month.day != 1:
            raise forms.ValidationError(_("Enter the first day of the month."), code="not_first_day")
        return month


class BasicCheckMonthFormSet(forms.BaseInlineFormSet):
    """Each month lies wholly inside the probation as the campaign form is about to save it (``self.instance``
    carries the dates just typed): a month outside is an error on that row's month."""

    def clean(self):
        super().clean()
        for form in self.forms:
            month = getattr(form, "cleaned_data", {}).get("month")
            if month is None or self._should_delete_form(form):
                continue
            message = calendar_rules.basic_month_error(self.instance, month)
            if message is not None:
                form.add_error("month", forms.ValidationError(message, code="outside_probation"))


class BasicCheckMonthInline(admin.TabularInline):
    """Monthly thresholds of the basic check (基础项考核), one row per natural month."""

    model = BasicCheckMonth
    form = BasicCheckMonthForm
    formset = BasicCheckMonthFormSet
    extra = 0


class CampaignForm(forms.ModelForm):
    """The campaign as staff edit it (the admin builds the fields from its fieldsets); the seats may not
    drop below the applications already selected."""

    def clean_seats(self):
        seats = self.cleaned_data["seats"]
        if self.instance.pk is not None and "seats" in self.changed_data:
            # Locks the campaign row until the admin's transaction commits: a selection made meanwhile
            # waits and then counts against the new number (reviews.publication.record_decision).
            try:
                publication.check_seats(self.instance, seats)
            except publication.SeatsBelowSelected as error:
                raise forms.ValidationError(str(error), code="below_selected") from error
        return seats


@admin.register(Campaign)
class CampaignAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "is_current",
        "window_state_display",
        "application_opens_at",
        "application_closes_at",
        "seats",
    ]
    list_display_links = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Switching the current campaign goes through the "make current" action only (one path, atomic).
    readonly_fields = ["is_current", "data_complete_until", "decided_until"]
    form = CampaignForm
    inlines = [BasicCheckMonthInline]
    actions = ["make_current"]
    # The campaign admin's role holds the model permissions (reviews.roles).
    view_predicate = manage_predicate = MODEL_PERMISSIONS
    fieldsets = [
        (_("Campaign"), {"fields": ["name", "slug", "summary", "is_current"]}),
        (
            _("Application window and review calendar"),
            {
                "fields": [
                    ("application_opens_at", "application_closes_at"),
                    ("review_starts_on", "review_ends_on"),
                    "results_published_at",
                ]
            },
        ),
        (
            _("System filing (系统备案)"),
            {
                "fields": ["filing_deadline", "filing_reminder_hours"],
                "description": _("After the deadline the risk officer closes out applications still not filed "
                                 "(未按时备案), so that they do not block publication; the campaign admin can reopen "
                                 "their filing until the results are published."),
            },
        ),
        (_("Seats"), {"fields": ["seats"]}),
        (
            _("Probation, 拓客先锋 activity and 618 window"),
            {
                "fields": [
                    ("probation_starts_on", "probation_ends_on"),
                    ("activity_starts_at", "activity_ends_at"),
                    ("window_618_starts_at", "window_618_ends_at"),
                ]
            },
        ),
        (
            _("New-merchant special check"),
            {
                "fields": [
                    "checkpoint_ends_at",
                    "checkpoint_min_new_merchants",
                    "final_result_at",
                    "total_min_new_merchants",
                    "qualifying_min_merchants",
                    "best_item_min_orders",
                    "settlement_rate_min_percent",
                ]
            },
        ),
        (
            _("Probation data and reminders"),
            {
                "fields": [
                    ("data_complete_until", "decided_until"),
                    "data_wait_reminder_days",
                    "at_risk_reminder_day",
                ],
                "description": _("The data mark moves on the probation board (确认数据) or with mark_data_complete; "
                                 "it only moves forward."),
            },
        ),
        (_("Questionnaire limits"), {"fields": ["attachment_max_mb", "supplement_max_mb"]}),
    ]

    @admin.display(description=_("application window"))
    def window_state_display(self, obj):
        return WINDOW_STATE_LABELS[obj.window_state()]

    @admin.action(description=_("Make the selected campaign current"), permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one campaign to make current."), messages.ERROR)
            return
        campaign = queryset.get()
        previous = services.make_current(campaign, actor=request.user)
        self.log_change(request, campaign, gettext("Made current."))
        if previous is not None:
            self.log_change(request, previous, gettext("No longer current."))
        self.message_user(
            request,
            gettext("“%(name)s” is now the current campaign.") % {"name": campaign.name},
            messages.SUCCESS,
        )

