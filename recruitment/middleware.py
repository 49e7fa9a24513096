"""Middleware of the site's edge: when a request arrived, input no database accepts, and the language.

``ArrivalTimeMiddleware`` (first in MIDDLEWARE) stamps ``request.received_at``, the instant the
deadline is judged at. ``NulByteMiddleware`` answers 400 to a NUL byte anywhere in the request's
input before any view or the admin hands it to the database. ``ChosenLanguageMiddleware`` picks the
language.
"""

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# The request-start header as the trusted reverse proxy sets it: nginx
# ``proxy_set_header X-Request-Start "t=${msec}";`` sends epoch seconds with milliseconds
# (``t=1714060799.123``); up to microseconds are accepted.
REQUEST_START_META = "HTTP_X_REQUEST_START"
REQUEST_START_FORMAT = re.compile(r"t=(\d{1,12})(\.\d{1,6})?")


def request_start(value, *, now):
    """The instant a ``t=<epoch seconds>`` header value names, or ``None`` when it is malformed or not sane.

    Sane means no older than ``REQUEST_START_MAX_AGE`` (a request waits that long at most in the
    queue before a worker takes it) and no later than ``REQUEST_START_MAX_AHEAD`` past ``now``
    (clock drift between the proxy's host and this one). Anything else is ignored, so a wrong or
    misconfigured header can never move a submission more than a minute back.
    """
    match = REQUEST_START_FORMAT.fullmatch(value.strip())
    if match is None:
        return None
    seconds, fraction = match.groups()
    microseconds = int((fraction or ".0")[1:].ljust(6, "0"))
    started = datetime.fromtimestamp(int(seconds), tz=UTC) + timedelta(microseconds=microseconds)
    max_age = timedelta(seconds=settings.REQUEST_START_MAX_AGE)
    max_ahead = timedelta(seconds=settings.REQUEST_START_MAX_AHEAD)
    if not now - max_age <= started <= now + max_ahead:
        return None
    return started


class ArrivalTimeMiddleware:
    """Stamp ``request.received_at``: when the request reached the site, the instant deadlines are judged at.

    Behind ``TRUSTED_PROXY_COUNT`` > 0 reverse proxies it is the nearest proxy's ``X-Request-Start``
    (see ``request_start``); that proxy must set the header on every request, overwriting whatever
    the client sent. Without a trusted proxy, or when the header is missing or not sane, it is the
    moment this middleware runs: first in MIDDLEWARE, before anything reads the request body. So a
    submission that arrived inside the window is accepted however long it then queued for a worker.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = timezone.now()
        started = None
        if settings.TRUSTED_PROXY_COUNT > 0 and REQUEST_START_META in request.META:
            started = request_start(request.META[REQUEST_START_META], now=now)
        request.received_at = started or now
        return self.get_response(request)


def _has_nul(values):
    return any("\x00" in value for value in values)


def _querydict_has_nul(data):
    return any("\x00" in key or _has_nul(values) for key, values in data.lists())


class NulByteMiddleware:
    """400 with a plain message for a NUL byte in the path, a query parameter, a form field or a cookie.

    PostgreSQL refuses NUL in text (``DataError``), so such input would otherwise reach a query as a
    server error: an admin filter (``?status=%00``), a session cookie. No page needs the
    character, so it is refused here, the one place that covers the admin and the applicant's pages
    alike; nothing is read from or written to the database. Placed after the language middleware so
    the message is in the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _(
                "The request contains a character that is not allowed (a NUL byte). Please go back, remove "
                "it from what you entered and try again."
            )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request):
        if "\x00" in request.path or _querydict_has_nul(request.GET) or _has_nul(request.COOKIES.values()):
            return True
        if request.method != "POST":
            return False
        try:
            # Form fields, urlencoded or multipart (Django already drops unprintable characters from file names).
            return _querydict_has_nul(request.POST)
        except UnreadablePostError:
            # The client went away mid-body: the CSRF check answers that request (403), as without us.
            return False


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the visitor picked English with the switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language header, which would show English
    to an applicant whose browser happens to be set to English. The campaign's UI is Chinese by
    default, so only an explicit choice (the language cookie set by ``set_language``) changes it.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
