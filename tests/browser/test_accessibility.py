"""axe-core in Chromium: no applicant page (desktop and phone) and none of the project's own admin pages
(desktop, as a superuser) has a serious or critical accessibility violation.

The data is the demo (``reviews.demo.seed``): every stage of the questionnaire, the status page with
and without probation, a campaign in review and one in probation, so the pages show what applicants and
staff really see. Each page's violations are listed by rule, element and axe's summary on failure.
"""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from applications.enums import ApplicationStatus
from applications.models import Application
from probation.models import Leader, Violation
from recruitment.models import Campaign
from reviews import demo
from reviews.roles import ensure_roles
from tests.browser.axe import DESKTOP, MOBILE, blocking_violations
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ["identity", "risk", "qualifications", "assessment", "cases", "attachments", "declaration"]


@pytest.fixture
def seeded(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The migrated rows the demo builds on (the 2024 campaign, its checklist, risk rules and rubric, the role
    # groups), which an earlier transactional test's flush removed; each step keeps rows that exist.
    ensure_roles()
    CampaignFactory()
    import_module("reviews.migrations.0002_roles_and_defaults").create_defaults(django_apps, None)
    demo.seed()
    return Campaign.objects.get(slug="demo")


def browser_as(chromium, live_server, username, viewport):
    """A page in a fresh context, logged in as ``username`` (None: a visitor) through a real session cookie."""
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(15_000)
    if username:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])
    return context.new_page()


def scan(page, label, found):
    found[label] = blocking_violations(page)


def visit(page, live_server, path, found, *, label=None):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, (path, response.status)
    scan(page, label or path, found)


def assert_no_violation(found):
    """Every page's list is exactly []; on failure, one line per violation: page, rule, element, summary."""
    failing = {label: violations for label, violations in found.items() if violations}
    report = "\n".join(f"{label}: {violation}" for label, violations in failing.items() for violation in violations)
    assert failing == {}, f"serious or critical axe violations:\n{report}"


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_applicant_pages_have_no_serious_accessibility_violation(live_server, chromium, seeded, viewport):
    found = {}

    visitor = browser_as(chromium, live_server, None, viewport)
    for path in ["/", "/accounts/signup/", "/accounts/login/", "/accounts/password/reset/",
                 "/accounts/password/reset/sms/", "/accounts/password/reset/sms/code/", "/results/"]:
        visit(visitor, live_server, path, found)
    assert visitor.goto(f"{live_server.url}/no-such-page/").status == 404
    scan(visitor, "404 page", found)
    visitor.goto(f"{live_server.url}/accounts/signup/")
    visitor.fill("[name=identifier]", "12345")
    visitor.fill("[name=password1]", "short")
    visitor.fill("[name=password2]", "other")
    visitor.click("main form button[type=submit]")
    visitor.wait_for_selector(".errorlist")
    scan(visitor, "sign-up with errors", found)
    visitor.goto(f"{live_server.url}/accounts/password/reset/")
    visitor.fill("[name=email]", "nobody@example.com")
    visitor.click("main form button[type=submit]")
    visitor.wait_for_url("**/accounts/password/reset/sent/")
    scan(visitor, "password reset sent", found)
    visitor.context.close()

    newcomer = browser_as(chromium, live_server, "13900000001", viewport)
    visit(newcomer, live_server, "/apply/", found, label="apply start")
    visit(newcomer, live_server, "/status/", found, label="status without application")
    visit(newcomer, live_server, "/accounts/mobile/change/", found, label="change mobile number")
    newcomer.context.close()

    drafting = browser_as(chromium, live_server, "half-draft@example.com", viewport)
    for section in SECTIONS:
        visit(drafting, live_server, f"/apply/{section}/", found)
    visit(drafting, live_server, "/apply/overview/", found)
    drafting.goto(f"{live_server.url}/apply/identity/")
    drafting.fill("[name=credit_code]", "12345")
    drafting.fill("[name=mobile]", "12")
    drafting.click("#btn-next")
    drafting.wait_for_selector(".field-error")
    scan(drafting, "identity with errors", found)
    drafting.context.close()

    submitted = browser_as(chromium, live_server, "submitted-1@example.com", viewport)
    visit(submitted, live_server, "/status/", found, label="status, submitted")
    visit(submitted, live_server, "/apply/overview/", found, label="answers, submitted")
    submitted.context.close()

    filing = browser_as(chromium, live_server, "review-filing@example.com", viewport)
    visit(filing, live_server, "/status/", found, label="status, filing form")
    filing.context.close()

    leader = browser_as(chromium, live_server, "leader@example.com", viewport)
    visit(leader, live_server, "/status/", found, label="status with probation")
    leader.context.close()

    assert_no_violation(found)


def test_project_admin_pages_have_no_serious_accessibility_violation(live_server, chromium, seeded):
    review = Campaign.objects.get(slug="demo-review")
    probation = Campaign.objects.get(slug="demo-probation")
    awaiting = Application.objects.filter(campaign=review, status=ApplicationStatus.SUBMITTED)
    finalist = Application.objects.filter(campaign=review, status=ApplicationStatus.FINAL_REVIEW).first()
    filing = Application.objects.get(campaign=review, status=ApplicationStatus.FILING)
    leader = Leader.objects.filter(campaign=probation).first()
    violation = Violation.objects.first()
    ids = ",".join(str(pk) for pk in awaiting.values_list("pk", flat=True))
    found = {}

    admin = browser_as(chromium, live_server, "admin", DESKTOP)
    for path in [
        "/admin/",
        "/admin/reviews/round1queue/",
        f"/admin/reviews/round1queue/decide/pass/?ids={ids}",
        f"/admin/reviews/round1queue/decide/reject/?ids={ids}",
        "/admin/reviews/phonetask/",
        "/admin/reviews/riskqueue/",
        "/admin/reviews/committee/",
        "/admin/reviews/finalreviewqueue/",
        f"/admin/reviews/finalreviewqueue/{finalist.pk}/score/",
        f"/admin/reviews/finalreviewqueue/ranking/?campaign={review.pk}",
        f"/admin/reviews/finalreviewqueue/ranking/publish/?campaign={review.pk}",
        f"/admin/probation/board/?campaign={probation.slug}",
        f"/admin/probation/board/data/?campaign={probation.slug}",
        f"/admin/probation/board/preview/?campaign={probation.slug}",
        f"/admin/probation/board/recheck/?campaign={probation.slug}&leader={leader.pk}",
        "/admin/probation/dataimport/",
        f"/admin/probation/violation/{violation.pk}/withdraw/",
    ]:
        visit(admin, live_server, path, found)

    # The confirmation pages reached through an admin action: the filing close-out and a password reset.
    admin.goto(f"{live_server.url}/admin/reviews/riskqueue/")
    admin.check(f"input[name=_selected_action][value='{filing.pk}']")
    admin.select_option("select[name=action]", "close_out_non_filers")
    admin.click("button[name=index]")
    admin.wait_for_selector("#close-out-form")
    scan(admin, "close-out confirmation", found)
    admin.goto(f"{live_server.url}/admin/accounts/user/?q=13900000001")
    admin.check("input[name=_selected_action]")
    admin.select_option("select[name=action]", "reset_password")
    admin.click("button[name=index]")
    admin.wait_for_selector("#reset-accounts")
    scan(admin, "reset password confirmation", found)
    admin.context.close()

    assert_no_violation(found)
