from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("status/filing/", views.submit_filing, name="filing"),
    path("status/supplementary/", views.upload_supplementary, name="supplementary"),
]
