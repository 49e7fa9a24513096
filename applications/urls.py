from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("status/", views.status, name="status"),
]
