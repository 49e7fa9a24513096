from django.contrib import admin
from django.urls import include, path

from accounts.throttling import AdminLoginForm

from . import views

# The admin's login refuses an over-long login name with a form error (accounts.throttling).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("results/", views.results, name="results"),
    path("accounts/", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("reviews.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Alibaba Cloud's SMS delivery receipts (a secret token in the path; 404 unless configured).
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
