"""CSRF on every form: each state-changing URL, POSTed without a token, is refused (403, Django's CSRF
failure); with the token it reaches the view. Applicant URLs come from the resolver (every non-admin
URL is either listed here or known to be read-only), admin ones from the admin's registry and the
custom pages of ``test_admin_matrix``."""

from django.contrib import admin
from django.test import Client
from django.urls import reverse

from applications.questionnaire import SECTIONS
from tests.factories import AttachmentFactory
from tests.security.test_admin_matrix import CUSTOM_PAGES, custom_request, model_pages
from tests.security.test_applicant_urls import EXPECTED as APPLICANT_URLS

SECRET = "A" * 32  # a well-formed CSRF secret: the cookie, and the token posted with it

# Applicant URLs that change nothing (GET only, or views without a form).
READ_ONLY = {
    "home", "accounts:password_reset_done", "accounts:password_reset_complete", "accounts:password_change_done",
    "applications:overview", "applications:attachment", "applications:status", "results",
}
# Applicant-side URLs without CSRF, each with its reason. The SMS provider's delivery receipts: Alibaba Cloud
# pushes them with no session and no token; the URL's secret path segment is its guard
# (tests/notifications/test_receipts.py).
CSRF_EXEMPT = {"notifications:sms_receipts"}
ANONYMOUS_FORMS = {"accounts:signup", "accounts:login", "accounts:password_reset", "accounts:password_reset_confirm",
                   "set_language", "accounts:signup_verify", "accounts:password_reset_sms",
                   "accounts:password_reset_sms_confirm"}


def csrf_refused(response):
    return response.status_code == 403 and b"CSRF" in response.content


def applicant_posts(attachment):
    for name in APPLICANT_URLS:
        if name in READ_ONLY or name in CSRF_EXEMPT:
            continue
        if name == "applications:section":
            yield from ((name, reverse(name, args=[s.slug])) for s in SECTIONS)
        elif name == "applications:attachment_delete":
            yield name, reverse(name, args=[attachment.pk])
        elif name == "accounts:password_reset_confirm":
            yield name, reverse(name, args=["MQ", "set-password"])
        else:
            yield name, reverse(name)


def post_both_ways(user, url, data=None):
    """(without the token, with the token) responses, each from a fresh CSRF-enforcing client."""
    responses = []
    for with_token in (False, True):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        client.cookies["csrftoken"] = SECRET
        payload = dict(data or {})
        if with_token:
            payload["csrfmiddlewaretoken"] = SECRET
        responses.append(client.post(url, payload))
    return responses


def test_read_only_applicant_urls_refuse_posts_or_have_no_form(client, draft, inside_window):
    client.force_login(draft.applicant)
    attachment = AttachmentFactory(application=draft)
    urls = {name: reverse(name, args=[attachment.pk] if name == "applications:attachment" else [])
            for name in READ_ONLY}

    statuses = {name: client.post(url, {}).status_code for name, url in urls.items()}

    assert statuses == {
        "home": 200,  # the home page has no form: a POST just shows it
        "results": 405,
        "applications:overview": 405, "applications:attachment": 405,
        "applications:status": 405, "accounts:password_reset_done": 405, "accounts:password_reset_complete": 405,
        "accounts:password_change_done": 405,
    }


def test_applicant_posts_need_the_csrf_token(db, draft, inside_window):
    attachment = AttachmentFactory(application=draft)
    outcomes = {}
    for name, url in applicant_posts(attachment):
        user = None if name in ANONYMOUS_FORMS else draft.applicant
        without, with_token = post_both_ways(user, url)
        outcomes[url] = (csrf_refused(without), csrf_refused(with_token))

    assert outcomes == {url: (True, False) for url in outcomes}
    # with /apply/, whose POST starts the draft (开始填写), and the six SMS code pages (accounts.mobile)
    assert len(outcomes) == 26


def admin_posts(world):
    for name in CUSTOM_PAGES:
        method, url, data = custom_request(name, world)
        yield url, data or {}
    for _label, page, info in model_pages():
        if page == "changelist":
            yield reverse(f"admin:{info[0]}_{info[1]}_changelist"), {"action": "delete_selected"}
        elif page == "add":
            yield reverse(f"admin:{info[0]}_{info[1]}_add"), {}
    yield reverse("admin:login"), {"username": "x", "password": "y"}
    yield reverse("admin:logout"), {}


def test_admin_posts_need_the_csrf_token(world, admin_user):
    outcomes = {}
    for url, data in admin_posts(world):
        without, with_token = post_both_ways(admin_user, url, data)
        outcomes[url] = (csrf_refused(without), csrf_refused(with_token))

    assert outcomes == {url: (True, False) for url in outcomes}
    assert len(outcomes) == len(CUSTOM_PAGES) + 2 * len(admin.site._registry) + 2
