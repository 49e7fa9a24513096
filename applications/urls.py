from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/overview/", views.overview, name="overview"),
    path("apply/attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("apply/<slug:section>/", views.section, name="section"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("status/", views.status, name="status"),
    path("status/withdraw/", views.withdraw, name="withdraw"),
    path("status/reopen/", views.reopen, name="reopen"),
]
