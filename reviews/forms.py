"""Forms of the review pipeline: the applicant's filing (系统备案) and the round-1 decision page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .filing import FILING_FIELDS, validate_resident_id
from .models import ChecklistItem, Filing


class FilingForm(forms.ModelForm):
    """The system filing an applicant completes after passing round 1."""

    class Meta:
        model = Filing
        fields = FILING_FIELDS
        labels = {
            "legal_representative_id_number": _("legal representative's resident ID number"),
            "associated_accounts_confirmed": _("I confirm that the associated accounts listed above are complete"),
            "rules_accepted": _("I have read and accept the Taobao Alliance merchant-recruiting service provider "
                                "management rules (《淘宝联盟招商服务商管理规范》)"),
        }
        help_texts = {
            "legal_representative_id_number": _("18 characters, as on the ID card; the last one may be X."),
            "settlement_account_name": _("The holder of the account that receives the service fees."),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["associated_accounts_confirmed"].required = True
        self.fields["rules_accepted"].required = True

    def clean_legal_representative_id_number(self):
        value = self.cleaned_data["legal_representative_id_number"].strip().upper()
        validate_resident_id(value)
        return value


class Round1DecisionForm(forms.Form):
    """The intermediate page of the round-1 actions: the checklist ticked and the reason.

    A pass needs every item of each application's campaign checklist ticked, or the written reason to
    pass without it (``checklist_waiver``); ``reviews.round1.decide_round1`` checks the same again.
    """

    checked_items = forms.ModelMultipleChoiceField(
        label=_("checklist"), queryset=ChecklistItem.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checklist_waiver = forms.CharField(
        label=_("reason to pass without the full checklist"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when an item of the checklist is not ticked (or the campaign has no checklist); "
                    "kept with the decision and in the audit log."),
    )
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, campaigns, passed, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = passed
        self.campaigns = set(campaigns)
        items = ChecklistItem.objects.filter(campaign__in=campaigns).select_related("campaign")
        self.fields["checked_items"].queryset = items
        if len({item.campaign_id for item in items}) > 1:
            self.fields["checked_items"].label_from_instance = lambda item: f"{item.campaign.name}: {item.text}"
        if not passed:
            del self.fields["checklist_waiver"]
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("Required for a rejection; kept in the audit trail, not shown to "
                                                "the applicant.")

    def checklist_complete(self, checked):
        """Whether ``checked`` holds every item of every campaign concerned (each campaign has some)."""
        items = list(self.fields["checked_items"].queryset)
        with_items = {item.campaign_id for item in items}
        return with_items == self.campaigns and {item.pk for item in checked} >= {item.pk for item in items}

    def clean(self):
        cleaned = super().clean()
        if self.passed and "checked_items" in cleaned:
            waiver = (cleaned.get("checklist_waiver") or "").strip()
            cleaned["checklist_waiver"] = waiver
            if not waiver and not self.checklist_complete(cleaned["checked_items"]):
                self.add_error(
                    "checklist_waiver",
                    _("Tick every item of the checklist, or write why these applications pass without it."),
                )
        cleaned.setdefault("checklist_waiver", "")
        return cleaned
