from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/code/", views.signup_verify, name="signup_verify"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only (GET answers 405).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sms/", views.password_reset_sms, name="password_reset_sms"),
    path("password/reset/sms/code/", views.password_reset_sms_confirm, name="password_reset_sms_confirm"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mobile/verify/", views.verify_mobile, name="verify_mobile"),
    path("mobile/change/", views.change_mobile, name="change_mobile"),
    path("mobile/change/code/", views.change_mobile_confirm, name="change_mobile_confirm"),
]
