"""Forms of the questionnaire, one per section (``questionnaire.SECTIONS``).

Nothing is required at save time (a draft may be incomplete), but every answer given is checked for
format: completeness is only demanded on submission (``questionnaire.missing_answers``).
"""

from datetime import date

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.validators import normalize_mobile, validate_mobile

from . import questionnaire
from .enums import AttachmentKind, OtherPlatform, QuestionKind
from .models import Application, CooperationCase
from .uploads import check_upload

YES_NO = [(True, _("Yes")), (False, _("No"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ACCOUNT_LENGTH = 64

# Conditional questions the browser may hide until they apply: field -> (controlling field, values).
# Without JavaScript they are simply always shown.
DEPENDS_ON = {
    "previous_closed_on": ("previous_permission", "closed cleared"),
    "offsite_promotion_detail": ("has_offsite_promotion", "True"),
    "exclusive_channels_detail": ("has_exclusive_channels", "True"),
}


def yes_no_field(label):
    return forms.NullBooleanField(label=label, required=False, widget=forms.RadioSelect(choices=YES_NO))


def custom_field(question):
    """The form field of a custom question (never required at save time, like every answer of a draft)."""
    common = {"label": question.label, "help_text": question.help_text, "required": False}
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(max_digits=16, decimal_places=2, **common)
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[(c, c) for c in question.choice_list], widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        return forms.NullBooleanField(widget=forms.RadioSelect(choices=YES_NO), **common)
    if kind == QuestionKind.DATE:
        return forms.DateField(widget=DATE_INPUT, **common)
    if kind == QuestionKind.FILE:
        return forms.FileField(widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.xls"}), **common)
    return forms.CharField(max_length=300, **common)


def stored_value(question, value):
    """A cleaned form value as ``Application.custom_answers`` keeps it (JSON): numbers and dates as text."""
    if value is None or value == "" or value == []:
        return None
    if question.kind == QuestionKind.NUMBER:
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if question.kind == QuestionKind.DATE:
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def initial_value(question, value):
    if value is None or question.kind == QuestionKind.FILE:  # a file input never shows the file it holds
        return None
    if question.kind == QuestionKind.DATE:
        return date.fromisoformat(value)
    return value


def depends_value(question):
    """What the browser compares the controlling answer with (space-separated), ``""``: always shown."""
    condition = question.condition_question
    if condition.kind == QuestionKind.YES_NO:
        return "True" if question.condition_value == "yes" else "False"
    return "" if " " in question.condition_value else question.condition_value


class SectionForm(forms.ModelForm):
    """Base of the section forms: knows its section so templates can mark required and bonus items.

    ``section`` is the section of the application's campaign (``questionnaire.sections_for``): its custom
    questions are added after the built-in fields, as fields named ``q<id>``.
    """

    section_slug = ""

    def __init__(self, *args, section=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.section = section or questionnaire.get_section(self.section_slug)
        for name, field in self.fields.items():
            field.required = False
            field.widget.attrs.setdefault("id", f"field-{name}")
            field.is_bonus = name in self.section.bonus
            field.is_required_answer = self.section.is_required(name)
            field.is_conditional = any(c.field == name for c in self.section.conditions)
            field.depends_on, field.depends_value = DEPENDS_ON.get(name, ("", ""))
        in_form = {q.pk for q in self.section.questions}
        for question in self.section.questions:
            field = custom_field(question)
            field.widget.attrs.setdefault("id", f"field-{question.field_name}")
            field.is_bonus = False
            field.is_required_answer = question.required
            field.is_conditional = question.condition_question_id is not None
            field.depends_on, field.depends_value = "", ""
            if question.condition_question_id in in_form:
                field.depends_on = question.condition_question.field_name
                field.depends_value = depends_value(question)
            self.fields[question.field_name] = field
            held = questionnaire.stored_answer(self.instance, question) if question.kind == QuestionKind.FILE else None
            if held:
                field.help_text = " ".join(
                    str(part) for part in (field.help_text, _("Uploaded: %(name)s. A new file replaces it.")
                                           % {"name": held.get("name", "")}) if part
                )
            if not self.is_bound:
                self.initial[question.field_name] = initial_value(
                    question, questionnaire.stored_answer(self.instance, question)
                )

    def clean(self):
        cleaned = super().clean()
        # A file answer goes through the attachments' checks (content, size), like any supporting file.
        self.checked_uploads = {}
        for question in self.section.questions:
            upload = cleaned.get(question.field_name) if question.kind == QuestionKind.FILE else None
            if upload:
                try:
                    self.checked_uploads[question] = check_upload(
                        upload, campaign=self.instance.campaign, kind=AttachmentKind.ANSWER
                    )
                except forms.ValidationError as error:
                    self.add_error(question.field_name, error)
        return cleaned

    def custom_values(self):
        """The section's custom answers as stored: question -> value (``None`` when not answered). A file
        question is there only with a new upload (its ``CheckedUpload``): without one the file held stays."""
        values = {}
        for question in self.section.questions:
            if question.kind == QuestionKind.FILE:
                if question in self.checked_uploads:
                    values[question] = self.checked_uploads[question]
                continue
            values[question] = stored_value(question, self.cleaned_data.get(question.field_name))
        return values


class CustomSectionForm(SectionForm):
    """A new section made only of custom questions."""

    class Meta:
        model = Application
        fields = []


def not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."), code="future_date")
    return value


class IdentityForm(SectionForm):
    section_slug = "identity"
    mobile = forms.CharField(label=_("contact mobile number"), max_length=20, required=False)

    class Meta:
        model = Application
        fields = list(questionnaire.get_section("identity").fields)
        widgets = {"incorporated_on": DATE_INPUT}
        help_texts = {
            "alliance_account": _("The Taobao Alliance account that will hold the leader permission."),
            "credit_code": _("18 characters, as printed on the business licence."),
            "registered_capital": _("In 10,000 yuan, e.g. 500 for 5 million yuan."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["registered_capital"].widget.attrs.update({"min": "0", "step": "0.01"})

    def clean_alliance_account(self):
        account = self.cleaned_data["alliance_account"].strip()
        if not account:
            return account
        if account.casefold() in {a.casefold() for a in self.instance.associated_accounts or []}:
            raise forms.ValidationError(
                _("This account is listed among your associated accounts; an associated account is another one."),
                code="own_account_associated",
            )
        taken = (
            Application.objects.filter(campaign_id=self.instance.campaign_id, alliance_account=account)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("This Taobao Alliance account has already applied in this campaign."), code="duplicate_account"
            )
        return account

    def clean_company_name(self):
        return self.cleaned_data["company_name"].strip()

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_incorporated_on(self):
        return not_in_future(self.cleaned_data["incorporated_on"])

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if not value:
            return ""
        validate_mobile(value)
        return normalize_mobile(value)


class RiskForm(SectionForm):
    section_slug = "risk"
    associated_accounts = forms.CharField(
        label=_("associated accounts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Other Taobao Alliance accounts of the same company or controller, one per line. "
            "Leave empty if there are none. Do not list the account that applies."
        ),
    )

    class Meta:
        model = Application
        fields = list(questionnaire.get_section("risk").fields)
        widgets = {"previous_closed_on": DATE_INPUT, "entity_type": forms.RadioSelect,
                   "previous_permission": forms.RadioSelect}
        help_texts = {
            "entity_type": _("This round accepts companies only."),
            "previous_closed_on": _("Required if the permission was closed or cleared."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["associated_accounts"] = "\n".join(self.instance.associated_accounts or [])
        for name in ("entity_type", "previous_permission"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]

    def clean_associated_accounts(self):
        accounts, seen = [], set()
        for line in self.cleaned_data["associated_accounts"].splitlines():
            account = line.strip()
            if not account:
                continue
            if len(account) > MAX_ACCOUNT_LENGTH:
                raise forms.ValidationError(
                    _("“%(account)s” is too long for an alliance account (at most %(max)s characters)."),
                    code="account_too_long",
                    params={"account": account[:20] + "…", "max": MAX_ACCOUNT_LENGTH},
                )
            key = account.casefold()
            if key in seen:
                continue
            seen.add(key)
            accounts.append(account)
        own = (self.instance.alliance_account or "").casefold()
        if own and own in seen:
            raise forms.ValidationError(
                _("Do not list the account that applies (%(account)s) among its associated accounts."),
                code="own_account_associated",
                params={"account": self.instance.alliance_account},
            )
        return accounts

    def clean_previous_closed_on(self):
        return not_in_future(self.cleaned_data["previous_closed_on"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("previous_permission") not in questionnaire.CLOSED_OUTCOMES:
            # The date only means something for a permission that was closed or cleared.
            cleaned["previous_closed_on"] = None
        return cleaned


class QualificationsForm(SectionForm):
    section_slug = "qualifications"
    has_offsite_promotion = yes_no_field(_("off-site promotion experience"))
    other_platform_roles = forms.MultipleChoiceField(
        label=_("leader roles on other platforms"),
        choices=OtherPlatform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every platform where you work as a merchant-recruiting leader or in a similar role."),
    )

    class Meta:
        model = Application
        fields = list(questionnaire.get_section("qualifications").fields)
        widgets = {
            "offsite_promotion_detail": forms.Textarea(attrs={"rows": 3}),
            "other_platform_detail": forms.Textarea(attrs={"rows": 3}),
            "other_alliance_identities": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "team_total": _("Everyone in the company's team."),
            "offsite_promotion_detail": _("Channels, period and results. Required if you answered yes."),
            "other_platform_detail": _("Required if you ticked a platform: account, since when, results."),
            "other_alliance_identities": _("E.g. Taobao Alliance media partner or agency. Leave empty if none."),
        }

    def clean(self):
        cleaned = super().clean()
        total = cleaned.get("team_total")
        recruiting = cleaned.get("team_recruiting")
        operations = cleaned.get("team_operations")
        if total is not None and (recruiting or 0) + (operations or 0) > total:
            self.add_error(
                "team_total",
                forms.ValidationError(
                    _("Recruiting staff (%(recruiting)s) plus operations staff (%(operations)s) exceed the "
                      "team size (%(total)s)."),
                    code="team_sum",
                    params={"recruiting": recruiting or 0, "operations": operations or 0, "total": total},
                ),
            )
        return cleaned


class AssessmentForm(SectionForm):
    section_slug = "assessment"
    has_exclusive_channels = yes_no_field(_("exclusive promotion channels"))

    class Meta:
        model = Application
        fields = list(questionnaire.get_section("assessment").fields)
        widgets = {
            "new_merchant_examples": forms.Textarea(attrs={"rows": 4}),
            "industries": forms.Textarea(attrs={"rows": 2}),
            "channel_resources": forms.Textarea(attrs={"rows": 3}),
            "exclusive_channels_detail": forms.Textarea(attrs={"rows": 3}),
            "media_plan": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "new_merchants_available": _("Merchants on Taobao/Tmall that have not opened Taobaoke yet."),
            "new_merchant_examples": _("Names, industries and why they would open Taobaoke with you."),
            "industries": _("Industries where you offer specialised service. Bonus item."),
            "exclusive_channels_detail": _("Required if you have exclusive channels."),
            "target_gmv": _("In 10,000 yuan, over the probation period."),
            "media_plan": _("Budget, media and schedule."),
        }


class DeclarationForm(SectionForm):
    section_slug = "declaration"

    class Meta:
        model = Application
        fields = ["declaration_accepted"]
        labels = {
            "declaration_accepted": _(
                "I declare that everything in this application is true, and I accept the Taobao Alliance "
                "leader management rules (《淘宝联盟招商服务商管理规范》)."
            ),
        }


SECTION_FORMS = {
    "identity": IdentityForm,
    "risk": RiskForm,
    "qualifications": QualificationsForm,
    "assessment": AssessmentForm,
    "declaration": DeclarationForm,
}


class CaseForm(forms.ModelForm):
    class Meta:
        model = CooperationCase
        fields = ["merchant_name", "platform", "industry", "period", "gmv", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


CaseFormSet = inlineformset_factory(
    Application,
    CooperationCase,
    form=CaseForm,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.xls"}),
    )
    description = forms.CharField(
        label=_("description"), max_length=200, required=False,
        help_text=_("E.g. business licence, case data for brand X."),
    )

    def __init__(self, *args, campaign, kind=AttachmentKind.SUPPORTING, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.kind = kind

    def clean_file(self):
        self.checked = check_upload(self.cleaned_data["file"], campaign=self.campaign, kind=self.kind)
        return self.cleaned_data["file"]
