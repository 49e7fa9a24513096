"""The project's URLs plus ``/bench/minimal/``: the baseline of the page benchmark."""

from django.http import HttpResponse
from django.urls import path

from recruitment.urls import urlpatterns as project_urlpatterns


def minimal(request):
    """The least a Django view can do, behind the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench-minimal"), *project_urlpatterns]
