"""Which campaign a probation command works on (``--campaign SLUG``)."""

from datetime import datetime

from django.utils.translation import gettext as _

from recruitment.models import Campaign
from recruitment.timeutils import BEIJING


class CampaignChoiceError(Exception):
    pass


def parse_instant(value, *, option):
    """An instant typed on the command line: ISO 8601 or ``YYYY-MM-DD HH:MM:SS``; no offset means Beijing time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CampaignChoiceError(
            _("%(option)s: not a time: %(value)s (e.g. 2024-06-01T00:00:00+08:00)") % {"option": option, "value": value}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def resolve_campaign(slug=None):
    """The campaign of ``slug``; without a slug, the only campaign in the database.

    With several campaigns and no slug this refuses rather than guess: the demo campaign of
    ``make run`` is usually the current one, and importing 2024 exports into it would be silently wrong.
    """
    if slug:
        try:
            return Campaign.objects.get(slug=slug)
        except Campaign.DoesNotExist:
            raise CampaignChoiceError(_("no campaign with the slug %(slug)s") % {"slug": slug}) from None
    campaigns = list(Campaign.objects.order_by("slug")[:2])
    if not campaigns:
        raise CampaignChoiceError(_("the database holds no campaign"))
    if len(campaigns) > 1:
        slugs = ", ".join(Campaign.objects.order_by("slug").values_list("slug", flat=True))
        raise CampaignChoiceError(
            _("the database holds several campaigns: pass --campaign SLUG (one of: %(slugs)s)") % {"slugs": slugs}
        )
    return campaigns[0]
