"""``{% workspace_switch %}``: the campaign worked on, and the form that switches it, in the admin's header."""

from django import template

from recruitment.models import Campaign

from .. import workspace
from ..admin.workspace import page_without_campaign

register = template.Library()


@register.inclusion_tag("admin/workspace_switch.html", takes_context=True)
def workspace_switch(context):
    """Nothing for a visitor who is not logged in to the admin (the login page); otherwise the campaigns, the
    one worked on selected, and the page to come back to (without a campaign named in its URL)."""
    request = context.get("request")
    if request is None or not context.get("has_permission"):
        return {"shown": False}
    return {
        "shown": True,
        "campaigns": Campaign.objects.order_by("-application_opens_at", "-pk"),
        "chosen": workspace.campaign_of_request(request),
        "next": page_without_campaign(request.get_full_path()),
        "csrf_token": context.get("csrf_token"),
    }
