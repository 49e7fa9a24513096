"""Spreadsheet export of applications (CSV / XLSX) for staff, through django-import-export.

One row per application, keyed by its number (the first column), one column per questionnaire answer,
headers in the active language (Chinese for staff). Values are formatted for people, not for re-import:
choices as their labels, yes/no; numbers, dates and instants stay typed, so that the writer
(``recruitment.spreadsheets``) makes them numeric and date cells in XLSX and Beijing-time text in CSV.
The counts of cases and attachments are annotated on the queryset, so the export runs a constant number
of queries whatever the number of rows.
"""

from datetime import date
from decimal import Decimal

import tablib
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from recruitment.models import Campaign
from recruitment.spreadsheets import FormulaSafeResource, safe_text

from . import questionnaire
from .enums import ApplicationStatus, EntityType, OtherPlatform, PreviousPermissionOutcome
from .models import Application, Attachment, CooperationCase

LIST_SEPARATOR = "、"


def cell(value):
    """A value as people read it in a spreadsheet cell: yes/no in words, numbers, dates and instants as they
    are (the writer types them), text formula-safe, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int | Decimal | date):  # a datetime is a date too
        return value
    return safe_text(value)


def choice_label(choices, value):
    """The label of ``value`` in a TextChoices class; an unknown value is shown as stored."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def join_labels(values, choices=None):
    return LIST_SEPARATOR.join(choice_label(choices, v) if choices else str(v) for v in values or [] if v)


def verbose(name):
    return capfirst(Application._meta.get_field(name).verbose_name)


def answer(name):
    """A column holding the answer stored in field ``name``, headed by its verbose name."""
    return Field(column_name=verbose(name), dehydrate_method=lambda app: cell(getattr(app, name)))


def labelled(name, choices):
    return Field(column_name=verbose(name), dehydrate_method=lambda app: choice_label(choices, getattr(app, name)))


def count_of(model):
    """Subquery counting ``model`` rows of each application (no GROUP BY over the whole row)."""
    rows = (
        model.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def application_number_header():
    """The first column of every sheet of the applications export, the key that ties the sheets together."""
    return capfirst(_("application number"))


class ApplicationResource(FormulaSafeResource, resources.ModelResource):
    number = Field(column_name=application_number_header(), dehydrate_method=lambda app: app.pk)
    campaign = Field(column_name=capfirst(_("campaign")), dehydrate_method=lambda app: app.campaign.name)
    status = labelled("status", ApplicationStatus)
    submitted_at = answer("submitted_at")
    applicant = Field(column_name=_("Applicant login"), dehydrate_method=lambda app: cell(app.applicant.username))

    # Identity (主体信息)
    alliance_account = answer("alliance_account")
    company_name = answer("company_name")
    credit_code = answer("credit_code")
    incorporated_on = answer("incorporated_on")
    registered_capital = answer("registered_capital")
    contact_name = answer("contact_name")
    mobile = answer("mobile")
    email = answer("email")
    dingtalk_id = answer("dingtalk_id")

    # Risk facts (风险信息)
    entity_type = labelled("entity_type", EntityType)
    associated_accounts = Field(
        column_name=verbose("associated_accounts"),
        dehydrate_method=lambda app: cell(join_labels(app.associated_accounts)),
    )
    previous_permission = labelled("previous_permission", PreviousPermissionOutcome)
    previous_closed_on = answer("previous_closed_on")

    # General qualifications (通用资质)
    years_in_business = answer("years_in_business")
    team_total = answer("team_total")
    team_recruiting = answer("team_recruiting")
    team_operations = answer("team_operations")
    has_offsite_promotion = answer("has_offsite_promotion")
    offsite_promotion_detail = answer("offsite_promotion_detail")
    other_platform_roles = Field(
        column_name=verbose("other_platform_roles"),
        dehydrate_method=lambda app: join_labels(app.other_platform_roles, OtherPlatform),
    )
    other_platform_detail = answer("other_platform_detail")
    other_alliance_identities = answer("other_alliance_identities")

    # Key assessment (重点考核)
    new_merchants_available = answer("new_merchants_available")
    new_merchant_examples = answer("new_merchant_examples")
    industries = answer("industries")
    channel_resources = answer("channel_resources")
    has_exclusive_channels = answer("has_exclusive_channels")
    exclusive_channels_detail = answer("exclusive_channels_detail")
    target_gmv = answer("target_gmv")
    target_new_merchants = answer("target_new_merchants")
    media_plan = answer("media_plan")

    # Declaration (声明)
    declaration_accepted = answer("declaration_accepted")

    case_count = Field(column_name=_("Number of cooperation cases"), dehydrate_method=lambda app: app.case_count)
    attachment_count = Field(
        column_name=_("Number of attachments"), dehydrate_method=lambda app: app.attachment_count
    )

    class Meta:
        model = Application
        # The declared columns, in this order (django-import-export exports only listed fields).
        fields = (
            "number", "campaign", "status", "submitted_at", "applicant",
            "alliance_account", "company_name", "credit_code", "incorporated_on", "registered_capital",
            "contact_name", "mobile", "email", "dingtalk_id",
            "entity_type", "associated_accounts", "previous_permission", "previous_closed_on",
            "years_in_business", "team_total", "team_recruiting", "team_operations",
            "has_offsite_promotion", "offsite_promotion_detail",
            "other_platform_roles", "other_platform_detail", "other_alliance_identities",
            "new_merchants_available", "new_merchant_examples", "industries", "channel_resources",
            "has_exclusive_channels", "exclusive_channels_detail", "target_gmv", "target_new_merchants", "media_plan",
            "declaration_accepted",
            "case_count", "attachment_count",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return with_export_data(queryset)

    def get_queryset(self):
        return with_export_data(Application.objects.all())


CASE_FIELDS = ["merchant_name", "platform", "industry", "period", "gmv", "description"]


def cases_dataset(applications):
    """The cooperation cases of ``applications`` (a queryset), one row each, keyed by the application's number."""
    headers = [application_number_header()]
    headers += [capfirst(CooperationCase._meta.get_field(name).verbose_name) for name in CASE_FIELDS]
    dataset = tablib.Dataset(
        headers=[str(h) for h in headers], title=str(capfirst(CooperationCase._meta.verbose_name_plural))
    )
    cases = CooperationCase.objects.filter(application__in=applications.order_by().values("pk"))
    for case in cases.order_by("application_id", "pk"):
        dataset.append([case.application_id, *[cell(getattr(case, name)) for name in CASE_FIELDS]])
    return dataset


def with_export_data(queryset):
    """What one export row needs, fetched in the same query as the row."""
    return queryset.select_related("campaign", "applicant").annotate(
        case_count=count_of(CooperationCase), attachment_count=count_of(Attachment)
    )


def add_custom_columns(dataset, applications):
    """Append one column per custom question of the exported campaigns (in questionnaire order, headed by
    the question), then one per question since removed that an exported application answered (headed by
    the text it answered). Rows are matched by the application number in the first column; a question of
    another campaign leaves the cell empty."""
    stored = dict(applications.order_by().values_list("pk", "custom_answers"))
    campaigns = Campaign.objects.filter(pk__in=applications.order_by().values("campaign_id")).order_by("pk")
    columns, seen = [], set()
    for campaign in campaigns:
        for section in questionnaire.sections_for(campaign):
            for question in section.questions:
                columns.append((str(question.pk), question.label))
                seen.add(str(question.pk))
    for answers in stored.values():
        for key, entry in (answers or {}).items():
            if key not in seen:
                columns.append((key, entry.get("label", "")))
                seen.add(key)
    headers = list(dataset.headers or [])
    for key, label in columns:
        header = label if label not in headers else f"{label} (#{key})"
        headers.append(header)
        values = []
        for row in dataset:
            entry = (stored.get(row[0]) or {}).get(key)
            values.append(cell(questionnaire.answer_cell(entry.get("kind"), entry.get("value"))) if entry else "")
        if dataset.height:
            dataset.append_col(values, header=header)
    if not dataset.height:
        dataset.headers = headers
    return dataset
