from .models import Campaign

_CACHE_ATTR = "_current_campaign"


def get_current_campaign(request):
    """The current campaign, fetched once per request (the home view and every template share it)."""
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, Campaign.objects.current())
    return getattr(request, _CACHE_ATTR)


def remember_current_campaign(request, campaign):
    """Record ``campaign`` as the request's current campaign when a view already fetched it (no query)."""
    setattr(request, _CACHE_ATTR, campaign)


def current_campaign(request):
    """The campaign open for applications, for the navigation bar and the footer."""
    return {"current_campaign": get_current_campaign(request)}
