"""Small blocks of the review pipeline that other admin pages (the dashboard) include in one line.

``{% load review_blocks %}{% calls_waiting_block campaign %}`` shows the phone tasks still to call
(待致电) of ``campaign`` to staff who see phone tasks, and nothing to anyone else.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from .. import permissions, round1

register = template.Library()


@register.inclusion_tag("admin/reviews/round1/_calls_waiting.html", takes_context=True)
def calls_waiting_block(context, campaign):
    request = context.get("request")
    user = getattr(request, "user", None)
    if campaign is None or not permissions.can_view_phone_tasks(user):
        return {"hidden": True}
    query = urlencode({"to_call": "yes", "application__campaign__id__exact": campaign.pk})
    return {
        "counts": round1.calls_waiting(campaign),
        "url": f"{reverse('admin:reviews_phonetask_changelist')}?{query}",
    }
