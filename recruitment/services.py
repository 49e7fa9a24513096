"""Domain operations on campaigns. The admin, commands and the demo seed all call these."""

import logging

from django.db import transaction
from django.utils import timezone

from .models import Campaign

logger = logging.getLogger(__name__)


def make_current(campaign, *, actor=None):
    """Make ``campaign`` the one current campaign (shown on the home page, open for applications).

    The database allows at most one current campaign (partial unique constraint), so the previous
    one is unset before this one is set, inside one transaction and under row locks: a concurrent
    call waits instead of failing on the constraint. Returns the campaign that was current before
    (``None`` when there was none or it was already this one).
    """
    now = timezone.now()
    with transaction.atomic():
        previous = list(Campaign.objects.select_for_update().filter(is_current=True).exclude(pk=campaign.pk))
        Campaign.objects.filter(pk__in=[c.pk for c in previous]).update(is_current=False, updated_at=now)
        Campaign.objects.filter(pk=campaign.pk).update(is_current=True, updated_at=now)
    campaign.is_current = True
    logger.info(
        "campaign %s made current by %s (was: %s)",
        campaign.slug,
        getattr(actor, "username", None),
        ", ".join(c.slug for c in previous) or "none",
    )
    return previous[0] if previous else None
