"""How django-axes names a login attempt: which login name and which client IP address.

Both are settings of axes (``AXES_USERNAME_CALLABLE``, ``AXES_CLIENT_IP_CALLABLE``). The login name is
normalised like the login backend reads it, so " 138 0013 8000 " and "13800138000" (or an e-mail in
any letter case) count against the same account. The IP address is ``REMOTE_ADDR``; only when the
site runs behind ``TRUSTED_PROXY_COUNT`` reverse proxies is it read from ``X-Forwarded-For``, the
address the nearest trusted proxy saw, so that a client cannot pick its own address by sending that
header.
"""

from django.conf import settings
from django.shortcuts import render

from recruitment.validators import normalize_mobile


def login_name(request, credentials):
    """The attempted login name, normalised (mobile numbers as 11 digits, e-mail in lower case)."""
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or ""
    ident = str(raw).strip()
    mobile = normalize_mobile(ident)
    if mobile and mobile.isdigit() and len(mobile) == 11:
        return mobile
    return ident.lower()


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


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (429): in the visitor's language, how long to wait, and the password reset."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
