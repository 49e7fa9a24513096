"""The project's URLs plus two views that fail, so the 403 and 500 handlers run on a real request."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from recruitment.urls import urlpatterns as project_urlpatterns


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    *project_urlpatterns,
    path("test-errors/forbidden/", forbidden),
    path("test-errors/broken/", broken),
]
