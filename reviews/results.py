"""结果公示: the public list of the selected, campaign by campaign, from the moment the results are public.

A campaign's results are public once the publication step ran and the results date is reached
(``Campaign.results_are_published``), never before, whatever staff have decided. The list is the
campaign's leaders (招商团长): the selected, whom publication made leaders, and any leader approved
outside the system (the ``leaders`` import), each as its company name and a masked alliance account.
Nothing else about an application, a score or a rejection is ever shown. Campaigns published earlier
stay listed, newest first.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from applications.masking import mask_account
from probation.models import Leader
from recruitment import timeutils
from recruitment.models import Campaign


@dataclass(frozen=True)
class SelectedCompany:
    company_name: str
    masked_account: str


@dataclass(frozen=True)
class PublishedResults:
    campaign: Campaign
    published_at: datetime  # the instant the results became public: publication run and results date reached
    companies: list[SelectedCompany]


def public_at(campaign):
    """When ``campaign``'s results became (or become) public: the later of the publication run and the
    results date; ``None`` while the publication step has not run."""
    if campaign.published_at is None:
        return None
    return max(campaign.published_at, campaign.results_published_at)


def published_results(now=None):
    """Every campaign whose results are public at ``now``, newest first, with its selected companies
    (two queries, whatever the number of campaigns)."""
    now = timeutils.to_second(now or timezone.now())
    campaigns = list(Campaign.objects.filter(published_at__lte=now, results_published_at__lte=now))
    campaigns.sort(key=lambda campaign: (public_at(campaign), campaign.pk), reverse=True)
    companies = {campaign.pk: [] for campaign in campaigns}
    leaders = (
        Leader.objects.filter(campaign__in=campaigns)
        .order_by("campaign", "company_name", "leader_account")
        .values_list("campaign_id", "company_name", "leader_account")
    )
    for campaign_id, company_name, account in leaders:
        companies[campaign_id].append(SelectedCompany(company_name, mask_account(account)))
    return [PublishedResults(campaign, public_at(campaign), companies[campaign.pk]) for campaign in campaigns]
