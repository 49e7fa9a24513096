from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import LoginForm, OutboxPasswordResetForm, SignupForm

AFTER_SIGNUP_URL = "applications:apply"
# The backend that logs people in (the first in AUTHENTICATION_BACKENDS is the throttle, which never does).
LOGIN_BACKEND = "accounts.backends.IdentifierBackend"


def _safe_next(request):
    """The ``next`` URL of the request when it points back to this site, else ``""``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """注册: create the account, log it in and go on to the questionnaire (or to a safe ``next``)."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(AFTER_SIGNUP_URL))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_applicant_account(**form.account_kwargs())
        except services.IdentifierTaken as taken:
            form.add_error(
                taken.field,
                _("An account with this mobile number or e-mail already exists. Log in instead."),
            )
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, _("Your account has been created. Welcome!"))
            return redirect(next_url or resolve_url(AFTER_SIGNUP_URL))
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    # The link waits in the outbox and the worker sends it (accounts.services.send_password_reset, whose
    # templates are notifications/password_reset_*).
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")
