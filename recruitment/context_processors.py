from .models import Campaign


def current_campaign(request):
    """The campaign open for applications, for the navigation bar and the footer."""
    return {"current_campaign": Campaign.objects.current()}
