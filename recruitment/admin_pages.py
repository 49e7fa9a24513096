"""The campaign admin's "复制为新一轮" page: name the next round, choose how many whole months its dates move,
check every date old → new (setting the activity and 618 windows by hand), then confirm.

GET shows the first form and writes nothing; the first POST (``_preview``) shows the confirmation form;
only the confirming POST (``_confirm``) copies, through ``recruitment.copying.copy_campaign``. A refused
copy shows the confirmation form again with what was typed and each message on its field.
"""

from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkspaceChoice

from . import copying
from .models import Campaign
from .permissions import can_copy_campaign
from .timeutils import instant_text

INSTANT_FORMAT = "%Y-%m-%d %H:%M:%S"
DAY_FORMAT = "%Y-%m-%d"


class CopyStartForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    slug = forms.SlugField(label=_("code"), max_length=40)
    months = forms.IntegerField(
        label=_("move every date by (months)"), min_value=1, max_value=120, initial=12,
        help_text=_("Whole months: the first and the last day of a month stay the first and the last day."),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Campaign.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A campaign with this code exists already."), code="slug_taken")
        return slug


def _date_field(name):
    model_field = Campaign._meta.get_field(name)
    if model_field.get_internal_type() == "DateTimeField":
        return forms.DateTimeField(label=model_field.verbose_name, input_formats=[INSTANT_FORMAT],
                                   widget=forms.DateTimeInput(format=INSTANT_FORMAT, attrs={"size": 19}))
    return forms.DateField(label=model_field.verbose_name, input_formats=[DAY_FORMAT],
                           widget=forms.DateInput(format=DAY_FORMAT, attrs={"size": 10}))


class CopyConfirmForm(CopyStartForm):
    """The start form's answers (the months carried along, hidden) and every date of the copy."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].widget = forms.HiddenInput()
        for name in copying.CALENDAR_FIELDS:
            self.fields[name] = _date_field(name)

    def dates(self):
        return {name: self.cleaned_data[name] for name in copying.CALENDAR_FIELDS}


def _text(value):
    return instant_text(value) if isinstance(value, datetime) else f"{value:%Y-%m-%d}" if isinstance(value, date) \
        else ""


def copy_view(model_admin, request, campaign_id):
    """复制为新一轮 of the campaign ``campaign_id`` (see the module docstring)."""
    if not can_copy_campaign(request.user):
        raise PermissionDenied
    source = get_object_or_404(Campaign, pk=campaign_id)
    if request.method == "POST" and "_confirm" in request.POST:
        form = CopyConfirmForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = copying.copy_campaign(source, name=data["name"], slug=data["slug"], months=data["months"],
                                               dates=form.dates(), actor=request.user)
            except ValidationError as error:
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                target = result.campaign
                # Whoever copied goes on to set the new round up: the header's 工作活动 follows.
                WorkspaceChoice.remember(request.user, target)
                model_admin.log_addition(request, target, gettext("Copied from “%(name)s”.") % {"name": source.name})
                model_admin.message_user(request, gettext(
                    "“%(name)s” was created from “%(source)s”, and you now work on it. Check its names, dates "
                    "and texts, then make it current when it opens.") % {"name": target.name, "source": source.name},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recruitment_campaign_change", args=[target.pk]))
        return _confirm_page(model_admin, request, source, form)
    if request.method == "POST":
        form = CopyStartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            shifted = copying.shifted_calendar(source, data["months"])
            return _confirm_page(model_admin, request, source, CopyConfirmForm(initial={**data, **shifted}))
    else:
        form = CopyStartForm(initial={"name": source.name, "months": 12})
    return _page(model_admin, request, source, form=form, stage="start")


def _confirm_page(model_admin, request, source, form):
    months = form["months"].value()
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = None
    rows = [
        {"field": form[name], "old": _text(getattr(source, name)), "hand_set": name in copying.HAND_SET_FIELDS}
        for name in copying.CALENDAR_FIELDS
    ]
    basic_months = copying.shifted_months(source, months) if months is not None else []
    return _page(model_admin, request, source, form=form, stage="confirm", rows=rows, months=months or 0,
                 basic_months=[(f"{old:%Y-%m}", f"{new:%Y-%m}") for old, new in basic_months])


def _page(model_admin, request, source, **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Campaign._meta,
        "title": gettext("Copy as a new round"),
        "source": source,
        "head_fields": [context["form"][name] for name in ("name", "slug", "months")],
        **context,
    }
    return TemplateResponse(request, "admin/recruitment/campaign_copy.html", context)
