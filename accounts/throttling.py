"""Login throttling around django-axes: the login name and client IP of an attempt, the two limits, the page.

The login name and the IP address are settings of axes (``AXES_USERNAME_CALLABLE``,
``AXES_CLIENT_IP_CALLABLE``). The login name is normalised like the login backend reads it, so
" 138 0013 8000 " and "13800138000" (or an e-mail in any letter case) count against the same account.
The IP address is ``REMOTE_ADDR``; only when the site runs behind ``TRUSTED_PROXY_COUNT`` reverse
proxies is it read from ``X-Forwarded-For``, the address the nearest trusted proxy saw, so that a
client cannot pick its own address by sending that header.

Two limits (``LoginThrottleHandler``): axes' own, ``AXES_FAILURE_LIMIT`` failures of one login name
from one IP address, and ``LOGIN_FAILURE_LIMIT_PER_IP`` failures from one IP address across all login
names, which stops one address trying a few passwords on each of many accounts. Axes takes one failure
limit for all its lockout parameters, so the second limit is counted here, on axes' own records.

Login names are at most ``LOGIN_NAME_MAX_LENGTH`` characters (the longest e-mail address): the login
forms say so before axes is asked (``LoginNameLengthMixin``), and ``login_name`` never hands axes more
than its column holds.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from recruitment.validators import normalize_mobile

LOGIN_NAME_MAX_LENGTH = 254
LOGIN_NAME_TOO_LONG = _("A login name has at most %(limit_value)d characters (this one has %(show_value)d).")
# AccessAttempt.username is a 255-character column.
AXES_USERNAME_LENGTH = 255
# Which limit locked a request out (``request.login_lockout``), for the lockout page.
LOCKED_LOGIN_NAME, LOCKED_ADDRESS = "login_name", "address"


def login_name(request, credentials):
    """The attempted login name, normalised (mobile numbers as 11 digits, e-mail in lower case).

    Cut to the length of axes' column: the login forms refuse longer names first, but whatever else
    calls ``authenticate()`` must not turn a long name into a database error.
    """
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or ""
    ident = str(raw).strip()
    mobile = normalize_mobile(ident)
    if mobile and mobile.isdigit() and len(mobile) == 11:
        return mobile
    return ident.lower()[:AXES_USERNAME_LENGTH]


def client_ip(request):
    """``REMOTE_ADDR``, or with N trusted proxies the N-th address from the right of X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-IP limit (``AXES_HANDLER``).

    A failure counts for its IP address as long as axes keeps its record: the failures of every login
    name tried from the address whose last failure lies within the cool-off period. Reaching the limit
    locks the address out for every login name, including the right password of a real account, until
    enough of those records age out; attempts meanwhile are recorded and prolong it, as for axes' limit.
    """

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            request.login_lockout = LOCKED_LOGIN_NAME
            return True
        if self.address_is_locked(request):
            request.login_lockout = LOCKED_ADDRESS
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        if getattr(request, "axes_locked_out", False):
            request.login_lockout = getattr(request, "login_lockout", LOCKED_LOGIN_NAME)
        elif self.address_is_locked(request):
            request.login_lockout = LOCKED_ADDRESS
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=login_name(request, credentials),
                ip_address=request.axes_ip_address,
            )

    @staticmethod
    def address_is_locked(request):
        failures = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_IP


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (429): in the visitor's language, which limit, how long to wait, the password reset."""
    cool_off = settings.AXES_COOLOFF_TIME
    by_address = getattr(request, "login_lockout", None) == LOCKED_ADDRESS
    context = {
        "failure_limit": settings.LOGIN_FAILURE_LIMIT_PER_IP if by_address else settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    template = "accounts/locked_out_address.html" if by_address else "accounts/locked_out.html"
    return render(request, template, context, status=429)


class LoginNameLengthMixin:
    """For ``AuthenticationForm`` subclasses: a login name over ``LOGIN_NAME_MAX_LENGTH`` is a form error.

    ``AuthenticationForm`` sets the username field's ``max_length`` after the field is built, so the
    limit reaches the HTML attribute but no validator checks it: a longer name went on to
    ``authenticate()`` and to axes' 255-character column (a server error on PostgreSQL).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.max_length = LOGIN_NAME_MAX_LENGTH
        field.widget.attrs["maxlength"] = LOGIN_NAME_MAX_LENGTH
        field.validators.append(MaxLengthValidator(LOGIN_NAME_MAX_LENGTH, message=LOGIN_NAME_TOO_LONG))


class AdminLoginForm(LoginNameLengthMixin, AdminAuthenticationForm):
    """The admin's login form (``admin.site.login_form``, set in ``recruitment/urls.py``)."""
