"""The campaign worked on, in the admin (``reviews.workspace``): the switch in every admin page's header and the
campaign filter of the queues.

- ``campaign_filter(path)``: the queues' campaign filter. Without a value in the URL it shows the campaign the
  staff member works on; ``?<path>__id__exact=<id>`` (the parameter Django's own filter used, so earlier
  links keep working) shows another, ``=all`` every campaign. Reading a list never changes the choice.
- ``admin:workspace_campaign`` (POST): remembers the campaign chosen in the header and goes back to the page,
  without the campaign named in its URL (so the page shows the campaign just chosen).
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from recruitment.models import Campaign

from .. import workspace

ALL = "all"
# Query-string parameters that name a campaign on an admin page: the filters' and the ranking's.
CAMPAIGN_PARAMETERS = {"campaign"}


class CampaignFilter(admin.SimpleListFilter):
    """The campaign of the rows, defaulting to the campaign worked on (subclassed by ``campaign_filter``)."""

    title = _("campaign")
    field_path = "campaign"
    parameter_name = "campaign__id__exact"

    def lookups(self, request, model_admin):
        return [(campaign.pk, campaign.name) for campaign in Campaign.objects.order_by("-application_opens_at", "-pk")]

    def selected(self):
        """The campaign id shown (a string), or ``ALL``: the URL's value, else the campaign worked on."""
        value = self.value()
        if value is None:
            campaign = workspace.campaign_of_request(self.request)
            return ALL if campaign is None else str(campaign.pk)
        return str(value)

    def queryset(self, request, queryset):
        value = self.selected()
        if value == ALL:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(**{f"{self.field_path}_id": int(value)})

    def choices(self, changelist):
        selected = self.selected()
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": selected == ALL,
            "query_string": changelist.get_query_string({self.parameter_name: ALL}),
            "display": gettext("All campaigns"),
        }
        for i, (pk, name) in enumerate(self.lookup_choices):
            if counts is not None:
                name = f"{name} ({counts.get(f'{i}__c', '-')})"
            yield {
                "selected": selected == str(pk),
                "query_string": changelist.get_query_string({self.parameter_name: pk}),
                "display": name,
            }


def campaign_filter(field_path="campaign"):
    """The campaign filter of a list whose rows reach their campaign through ``field_path``."""
    parameter = f"{field_path}__id__exact"
    CAMPAIGN_PARAMETERS.add(parameter)
    return type(f"CampaignFilter_{field_path}", (CampaignFilter,),
                {"field_path": field_path, "parameter_name": parameter, "__module__": __name__})


def campaign_shown(request, field_path="campaign"):
    """The campaign id a queue filtered by ``campaign_filter(field_path)`` shows for ``request`` (``None``: all
    campaigns, or a value that names none)."""
    value = request.GET.get(f"{field_path}__id__exact")
    if value is None:
        campaign = workspace.campaign_of_request(request)
        return None if campaign is None else campaign.pk
    return int(value) if value.isdigit() else None


def page_without_campaign(full_path):
    """``full_path`` without the parameters that name a campaign (the page then shows the one worked on)."""
    path, _sep, query = full_path.partition("?")
    params = QueryDict(query, mutable=True)
    for name in CAMPAIGN_PARAMETERS:
        params.pop(name, None)
    return f"{path}?{params.urlencode()}" if params else path


@require_POST
def choose_campaign_view(request):
    """Remember the campaign chosen in the header; back to ``next`` (a page of this site) or the dashboard."""
    raw = request.POST.get("campaign", "")
    campaign = Campaign.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if campaign is None:
        messages.error(request, gettext("Choose one of the campaigns in the list."))
    else:
        workspace.choose_campaign(request.user, campaign)
        messages.success(request, gettext("You now work on “%(name)s”.") % {"name": campaign.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    return HttpResponseRedirect(page_without_campaign(target))


_site_get_urls = admin.site.get_urls


def get_urls():
    return [
        path("workspace/campaign/", admin.site.admin_view(choose_campaign_view), name="workspace_campaign"),
        *_site_get_urls(),
    ]


admin.site.get_urls = get_urls
