"""The final-review committees (终审委员会) in the admin: one page per campaign where the campaign admin
assigns its judges. Adding and removing go through ``reviews.committee`` (the campaign's other fields are
not edited here); the admin's history of the page records who changed what.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from recruitment.admin_permissions import PredicatePermissionsMixin

from .. import committee, permissions
from ..models import Committee, CommitteeMember


class CommitteeMemberForm(forms.ModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["member"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "member" in self.fields:
            self.fields["member"].queryset = committee.eligible_judges()
            self.fields["member"].label_from_instance = lambda user: user.get_username()
            self.fields["member"].help_text = _("Staff of the final committee role (终审委员).")

    def clean_member(self):
        member = self.cleaned_data["member"]
        if self.instance.pk is not None and member.pk != self.instance.member_id:
            raise forms.ValidationError(_("Remove the member and add another instead."), code="member_changed")
        if not permissions.can_score(member):
            raise forms.ValidationError(
                _("%(user)s cannot score: only members of the final committee role can sit on a committee.")
                % {"user": member.get_username()},
                code="cannot_score",
            )
        return member


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    form = CommitteeMemberForm
    fk_name = "campaign"
    extra = 1
    fields = ["member", "added_at"]
    readonly_fields = ["added_at"]
    verbose_name = _("committee member")
    verbose_name_plural = _("committee members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_committees(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage_committees(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a seat is added or removed, never moved to another judge

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage_committees(request.user)


@admin.register(Committee)
class CommitteeAdmin(PredicatePermissionsMixin, admin.ModelAdmin):
    """Each campaign with its judges. The campaign is read-only here; only its committee changes."""

    inlines = [CommitteeMemberInline]
    list_display = ["name", "slug", "review_starts_on", "review_ends_on", "members_display"]
    list_display_links = ["name"]
    ordering = ["-application_opens_at", "pk"]
    fields = readonly_fields = ["name", "slug", "review_starts_on", "review_ends_on", "results_published_at"]

    view_predicate = permissions.can_manage_committees

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("committee_members__member")

    @admin.display(description=_("committee members"))
    def members_display(self, obj):
        names = [seat.member.get_username() for seat in obj.committee_members.all()]
        return "、".join(sorted(names)) or pgettext("committee members", "None yet")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_committees(request.user)

    def save_model(self, request, obj, form, change):
        """Nothing of the campaign itself is saved here."""

    def save_formset(self, request, form, formset, change):
        """Seats are added and removed through ``reviews.committee`` (which checks the actor again);
        ``save(commit=False)`` only sorts the forms into new and deleted seats for the history message."""
        formset.save(commit=False)
        for seat in formset.deleted_objects:
            committee.remove_member(seat, actor=request.user)
        for seat in formset.new_objects:
            try:
                committee.add_member(form.instance, seat.member, actor=request.user)
            except committee.CommitteeError as error:
                self.message_user(request, str(error), messages.ERROR)
