"""The project's URLs plus ``/bench/minimal/``: the baseline of the page benchmark."""

from django.http import HttpResponse
from django.urls import path

from recruitment.urls import urlpatterns as project_urlpatterns


def minimal(request):
    """The least a Django view can do, behind the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


def minimal_user(request):
    """The floor of any logged-in page: ``minimal`` plus the session and user reads (no template, no query of
    its own). Not a baseline of the goal; it shows how much of a page's cost authentication alone takes."""
    return HttpResponse(request.user.get_username(), content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("bench/minimal-user/", minimal_user, name="bench-minimal-user"),
    *project_urlpatterns,
]
