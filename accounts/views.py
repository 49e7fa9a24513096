from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import codes, mobile, services
from .forms import (
    ChangeMobileForm,
    CodeForm,
    LoginForm,
    OutboxPasswordResetForm,
    SignupForm,
    SmsResetForm,
    SmsResetRequestForm,
)
from .permissions import must_verify_mobile
from .throttling import client_ip

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


def _taken():
    return _("An account with this mobile number or e-mail already exists. Log in instead.")


def _number_taken():
    return _("This mobile number is already used by another account.")


# What the session keeps between asking for a code and entering it.
PENDING_SIGNUP, PENDING_CHANGE, RESET_MOBILE = "pending_signup", "pending_mobile_change", "sms_reset_mobile"


def _ttl_minutes():
    return int(settings.VERIFICATION_CODE_TTL.total_seconds() // 60)


def _code_sent(request, number):
    messages.success(
        request,
        _("A six-digit code is on its way by SMS to %(number)s. It is valid for %(minutes)d minutes.")
        % {"number": codes.mask_mobile(number), "minutes": _ttl_minutes()},
    )


def _code_form(request):
    """The code form, bound only when the POST carries a code (the resend button's POST does not)."""
    return CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)


def _send_again(request, send, number, *, taken=_taken):
    """The page's "send a (new) code" button: ``send()`` asks for it; what happened becomes a message on the page
    the view redirects back to (the limit's wait, or the number taken meanwhile)."""
    try:
        send()
    except services.IdentifierTaken:
        messages.error(request, taken())
    except codes.CodeRateLimited as limited:
        messages.error(request, limited.message)
    else:
        _code_sent(request, number)


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    """注册. By e-mail: create the account, log it in and go on to the questionnaire (or a safe ``next``).
    By mobile: nothing is created yet: the sign-up waits in the session (the password hashed) while a code
    goes to the number; ``signup_verify`` creates the account once the code is entered."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(AFTER_SIGNUP_URL))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.account_kwargs()
        if kwargs["identifier"].kind == services.MOBILE:
            try:
                mobile.send_signup_code(kwargs["identifier"].value, ip=client_ip(request))
            except services.IdentifierTaken:
                form.add_error("identifier", _taken())
            except codes.CodeRateLimited as limited:
                form.add_error(None, limited.message)
            else:
                request.session[PENDING_SIGNUP] = {**mobile.pending_signup(**kwargs), "next": next_url}
                _code_sent(request, kwargs["identifier"].value)
                return redirect("accounts:signup_verify")
        else:
            try:
                user = services.create_applicant_account(**kwargs)
            except services.IdentifierTaken as taken:
                form.add_error(taken.field, _taken())
            else:
                login(request, user, backend=LOGIN_BACKEND)
                messages.success(request, _("Your account has been created. Welcome!"))
                return redirect(next_url or resolve_url(AFTER_SIGNUP_URL))
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def signup_verify(request):
    """注册, step 2: the code sent to the number (``action=resend`` asks for a new one, within the limits).
    The right code creates the account, its number verified, and logs it in."""
    pending = request.session.get(PENDING_SIGNUP)
    if request.user.is_authenticated or not pending:
        return redirect("accounts:signup")
    form = _code_form(request)
    if request.method == "POST" and request.POST.get("action") == "resend":
        _send_again(request, lambda: mobile.send_signup_code(pending["mobile"], ip=client_ip(request)),
                    pending["mobile"])
        return redirect("accounts:signup_verify")
    elif request.method == "POST" and form.is_valid():
        try:
            user = mobile.complete_signup(pending, code=form.cleaned_data["code"])
        except codes.CodeInvalid as invalid:
            form.add_error("code", invalid.message)
        except services.IdentifierTaken:
            form.add_error(None, _taken())
        else:
            request.session.pop(PENDING_SIGNUP, None)
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, _("Your account has been created. Welcome!"))
            return redirect(pending.get("next") or resolve_url(AFTER_SIGNUP_URL))
    return render(request, "registration/signup_verify.html", {
        "form": form, "masked_mobile": codes.mask_mobile(pending["mobile"]),
    })


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        """An applicant whose mobile number was never verified is asked to, first (they may skip it)."""
        url = super().get_success_url()
        if must_verify_mobile(self.request.user):
            return _with_next(reverse("accounts:verify_mobile"), url)
        return url


class PasswordResetView(auth_views.PasswordResetView):
    # The link waits in the outbox and the worker sends it (accounts.services.send_password_reset, whose
    # templates are notifications/password_reset_*).
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


# --- Verifying the number of an existing account -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def verify_mobile(request):
    """验证手机号: a code to the account's own number (``action=send``), then the code. Accounts made before
    codes existed come here after logging in; they may leave, but cannot submit an application until done."""
    next_url = _safe_next(request) or resolve_url("applications:status")
    if not must_verify_mobile(request.user):
        return redirect(next_url)
    user = request.user
    form = _code_form(request)
    if request.method == "POST" and request.POST.get("action") == "send":
        _send_again(request, lambda: mobile.send_verification_code(user, ip=client_ip(request)), user.mobile)
        return redirect(_with_next(reverse("accounts:verify_mobile"), next_url))
    elif request.method == "POST" and form.is_valid():
        try:
            mobile.verify_mobile(user, code=form.cleaned_data["code"])
        except codes.CodeInvalid as invalid:
            form.add_error("code", invalid.message)
        else:
            messages.success(request, _("Your mobile number is verified."))
            return redirect(next_url)
    return render(request, "accounts/verify_mobile.html", {
        "form": form, "masked_mobile": codes.mask_mobile(user.mobile), "next": next_url,
    })


# --- 更换手机号 ------------------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def change_mobile(request):
    """更换手机号, step 1: the new number and the current password; a code goes to the new number."""
    form = ChangeMobileForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_mobile = form.cleaned_data["new_mobile"]
        try:
            mobile.send_change_code(request.user, new_mobile=new_mobile, ip=client_ip(request))
        except services.IdentifierTaken:
            form.add_error("new_mobile", _number_taken())
        except codes.CodeRateLimited as limited:
            form.add_error(None, limited.message)
        else:
            request.session[PENDING_CHANGE] = new_mobile
            _code_sent(request, new_mobile)
            return redirect("accounts:change_mobile_confirm")
    return render(request, "accounts/change_mobile.html", {
        "form": form,
        "current_mobile": codes.mask_mobile(request.user.mobile) if request.user.mobile else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def change_mobile_confirm(request):
    """更换手机号, step 2: the code sent to the new number (``action=resend`` for another)."""
    new_mobile = request.session.get(PENDING_CHANGE)
    if not new_mobile:
        return redirect("accounts:change_mobile")
    form = _code_form(request)
    if request.method == "POST" and request.POST.get("action") == "resend":
        _send_again(
            request, lambda: mobile.send_change_code(request.user, new_mobile=new_mobile, ip=client_ip(request)),
            new_mobile, taken=_number_taken,
        )
        return redirect("accounts:change_mobile_confirm")
    elif request.method == "POST" and form.is_valid():
        try:
            mobile.change_mobile(request.user, new_mobile=new_mobile, code=form.cleaned_data["code"])
        except codes.CodeInvalid as invalid:
            form.add_error("code", invalid.message)
        except services.IdentifierTaken:
            form.add_error(None, _number_taken())
        else:
            request.session.pop(PENDING_CHANGE, None)
            messages.success(request, _("Your mobile number is now %(number)s.") % {"number": new_mobile})
            return redirect("applications:status")
    return render(request, "accounts/change_mobile_confirm.html", {
        "form": form, "masked_mobile": codes.mask_mobile(new_mobile),
    })


# --- 忘记密码 by SMS -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset_sms(request):
    """忘记密码 by SMS, step 1: the number. The answer is the same whether or not an account has it (a code is
    sent only when an active applicant account does), and so are the limits."""
    form = SmsResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["mobile"]
        try:
            mobile.send_reset_code(number, ip=client_ip(request))
        except codes.CodeRateLimited as limited:
            form.add_error(None, limited.message)
        else:
            request.session[RESET_MOBILE] = number
            messages.success(
                request,
                _("If an account uses %(number)s, a six-digit code is on its way to it by SMS. It is valid for "
                  "%(minutes)d minutes.")
                % {"number": codes.mask_mobile(number), "minutes": _ttl_minutes()},
            )
            return redirect("accounts:password_reset_sms_confirm")
    return render(request, "registration/password_reset_sms_form.html", {"form": form})


@sensitive_post_parameters("code", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_reset_sms_confirm(request):
    """忘记密码 by SMS, step 2: number, code and the new password twice. A wrong, expired or used code and a
    number with no account all get the same error. The new password hash ends the account's other sessions."""
    initial = {"mobile": request.session.get(RESET_MOBILE, "")}
    form = SmsResetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = mobile.reset_password(
                form.cleaned_data["mobile"], code=form.cleaned_data["code"],
                password=form.cleaned_data["new_password1"],
            )
        except codes.CodeInvalid as invalid:
            form.add_error("code", invalid.message)
        else:
            request.session.pop(RESET_MOBILE, None)
            if request.user.is_authenticated and request.user.pk == user.pk:
                update_session_auth_hash(request, user)
            return redirect("accounts:password_reset_complete")
    return render(request, "registration/password_reset_sms_confirm.html", {"form": form})
