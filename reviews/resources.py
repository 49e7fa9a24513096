"""Import and export of the sanction list (closed / cleared / violation / poor history) for risk officers.

Staff keep the accounts and companies sanctioned before in a spreadsheet; the risk rules read it.
Headers are in the active language (Chinese for staff), the kind is written as its label and read as
label or code, dates as YYYY-MM-DD, the campaign as its code. A row is identified by account,
credit code, kind and date, so importing the same file twice updates rather than duplicates. Rows
are validated by the model (``full_clean``: the account-or-company constraint, lengths, choices); a
file with any bad row imports nothing. Exports are formula-safe (``recruitment.spreadsheets``); a cell
the export quoted is read back unquoted, so an exported file imports back unchanged.
"""

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from recruitment.models import Campaign
from recruitment.spreadsheets import FormulaSafeResource, unquote

from .enums import SanctionKind
from .models import SanctionRecord


def _labels(choice):
    """The choice's label in every language of the site, so a file from either UI imports."""
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(choice.label))
    return labels


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its label; read back from the label (any language) or the stored code."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        for choice in self.choices:
            if text.lower() == choice.value or text in _labels(choice):
                return choice.value
        raise ValueError(
            gettext("Unknown kind “%(value)s”; use one of: %(choices)s.")
            % {"value": text, "choices": "、".join(str(c.label) for c in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        try:
            return str(self.choices(value).label)
        except ValueError:
            return value or ""


class TrimmedCharWidget(widgets.CharWidget):
    """Text without surrounding spaces; a cell our export quoted (``'=…``) is read back as it was stored."""

    def clean(self, value, row=None, **kwargs):
        return unquote(str(value if value is not None else "").strip())


class SanctionRecordResource(FormulaSafeResource, resources.ModelResource):
    alliance_account = fields.Field(
        attribute="alliance_account", column_name=_("Taobao Alliance account"), widget=TrimmedCharWidget()
    )
    credit_code = fields.Field(
        attribute="credit_code", column_name=capfirst(_("unified social credit code")), widget=TrimmedCharWidget()
    )
    company_name = fields.Field(
        attribute="company_name", column_name=capfirst(_("company name")), widget=TrimmedCharWidget()
    )
    kind = fields.Field(attribute="kind", column_name=capfirst(_("kind")), widget=ChoiceLabelWidget(SanctionKind))
    occurred_on = fields.Field(
        attribute="occurred_on", column_name=capfirst(_("date")), widget=widgets.DateWidget("%Y-%m-%d")
    )
    campaign = fields.Field(
        attribute="campaign", column_name=capfirst(_("campaign code")),
        widget=widgets.ForeignKeyWidget(Campaign, field="slug"),
    )
    note = fields.Field(attribute="note", column_name=capfirst(_("note")), widget=TrimmedCharWidget())

    class Meta:
        model = SanctionRecord
        fields = ["alliance_account", "credit_code", "company_name", "kind", "occurred_on", "campaign", "note"]
        import_id_fields = ["alliance_account", "credit_code", "kind", "occurred_on"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
