"""The CSRF-failure page (settings.CSRF_FAILURE_VIEW).

Django's own view renders ``403_csrf.html`` without the request, so the page could neither tell staff
from applicants nor offer the language switch; this one renders it with the request. The 403, 404 and
500 pages are Django's default handlers with the templates of ``templates/`` (500.html renders without a
request and without the database). Django's CSRF middleware has already logged the reason.
"""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """403: the form expired or the browser blocks cookies; nothing was saved."""
    return render(request, "403_csrf.html", status=403)
