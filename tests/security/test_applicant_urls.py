"""Every applicant URL tried by another applicant and by an anonymous visitor.

The URL list is read from the resolver: every non-admin URL name must have a row in ``EXPECTED``
(``test_every_site_url_is_in_the_matrix``), so a new applicant page cannot ship untested. Each row
gives the method and the status for (anonymous, another applicant); ``LOGIN`` is the redirect to the
login page. No response may contain the victim's company name, alliance account, mobile number,
login or file bytes, and nothing of the victim's changes.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from applications.enums import ApplicationStatus
from applications.models import Application, Attachment
from applications.questionnaire import SECTIONS
from tests.factories import ApplicationFactory, AttachmentFactory, CooperationCaseFactory, UserFactory

LOGIN = "login"
VICTIM = {
    "company": "受害者绝密科技有限公司",
    "account": "mm_victim_777",
    "mobile": "13987654321",
    "login": "victim-secret@example.com",
}
VICTIM_BYTES = b"%PDF-1.4\n%VICTIM-ONLY-BYTES-5f2c\n%%EOF\n"

# URL name: (method, anonymous, another applicant)
EXPECTED = {
    "home": ("get", 200, 200),
    "results": ("get", 200, 200),
    "set_language": ("post", 302, 302),
    "accounts:signup": ("get", 200, 302),
    "accounts:login": ("get", 200, 302),
    "accounts:logout": ("post", 302, 302),
    "accounts:password_reset": ("get", 200, 200),
    "accounts:password_reset_done": ("get", 200, 200),
    "accounts:password_reset_confirm": ("get", 200, 200),
    "accounts:password_reset_complete": ("get", 200, 200),
    "accounts:password_change": ("get", LOGIN, 200),
    "accounts:password_change_done": ("get", LOGIN, 200),
    "accounts:signup_verify": ("get", 302, 302),
    "accounts:password_reset_sms": ("get", 200, 200),
    "accounts:password_reset_sms_confirm": ("get", 200, 200),
    "accounts:verify_mobile": ("get", LOGIN, 302),
    "accounts:change_mobile": ("get", LOGIN, 200),
    "accounts:change_mobile_confirm": ("get", LOGIN, 302),
    "applications:apply": ("get", LOGIN, 302),
    "applications:overview": ("get", LOGIN, 200),
    "applications:section": ("get", LOGIN, 200),
    "applications:attachment": ("get", LOGIN, 404),
    "applications:attachment_delete": ("post", LOGIN, 404),
    "applications:status": ("get", LOGIN, 200),
    "applications:withdraw": ("post", LOGIN, 302),
    "applications:reopen": ("post", LOGIN, 302),
    "reviews:filing": ("post", LOGIN, 403),
    "reviews:supplementary": ("post", LOGIN, 403),
    # Alibaba Cloud's delivery receipts: a secret token in the path, none configured here (a guess is a 404).
    "notifications:sms_receipts": ("post", 404, 404),
}


def site_url_names():
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_site_url_is_in_the_matrix():
    assert site_url_names() == set(EXPECTED)


@pytest.fixture
def victim(campaign):
    """A submitted application with a case and a file, in round-1 pass (filing): the most it shows."""
    user = UserFactory(username=VICTIM["login"])
    application = ApplicationFactory(
        campaign=campaign, applicant=user, company_name=VICTIM["company"], alliance_account=VICTIM["account"],
        mobile=VICTIM["mobile"], status=ApplicationStatus.FILING,
    )
    CooperationCaseFactory(application=application)
    attachment = AttachmentFactory(application=application, file=ContentFile(VICTIM_BYTES, name="secret.pdf"),
                                   size=len(VICTIM_BYTES))
    return application, attachment


def urls_of(name, victim_attachment):
    """Every URL of the name (one per questionnaire section), with the victim's ids where there are ids."""
    if name == "applications:section":
        return [reverse(name, args=[s.slug]) for s in SECTIONS]
    if name in ("applications:attachment", "applications:attachment_delete"):
        return [reverse(name, args=[victim_attachment.pk])]
    if name == "notifications:sms_receipts":
        return [reverse(name, args=["a-guessed-token"])]
    if name == "accounts:password_reset_confirm":
        return [reverse(name, args=["MQ", "set-password"]), reverse(name, args=["MQ", "bad-token"])]
    return [reverse(name)]


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_nothing_leaked(response):
    content = body(response)
    for secret in VICTIM.values():
        assert secret.encode() not in content, secret
    assert VICTIM_BYTES not in content


def outcome(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("accounts:login") + "?next="):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("who", ["anonymous", "other applicant"])
def test_applicant_urls_refuse_strangers_and_leak_nothing(client, victim, inside_window, who):
    application, attachment = victim
    if who == "other applicant":
        intruder = UserFactory(username="intruder@example.com")
        ApplicationFactory(campaign=application.campaign, applicant=intruder)
        client.force_login(intruder)
    column = 1 if who == "anonymous" else 2
    got, expected = {}, {}
    for name, row in EXPECTED.items():
        method = row[0]
        for url in urls_of(name, attachment):
            response = client.post(url, {}) if method == "post" else client.get(url)
            got[url] = outcome(response)
            expected[url] = row[column]
            assert_nothing_leaked(response)
            if name == "accounts:logout" and who == "other applicant":
                client.force_login(intruder)

    assert got == expected
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FILING
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    with attachment.file.open("rb") as stored:
        assert stored.read() == VICTIM_BYTES
    assert Application.objects.filter(applicant__username=VICTIM["login"]).count() == 1


def test_owner_gets_the_file_and_staff_with_view_permission_too(client, victim, staff):
    _application, attachment = victim
    url = reverse("applications:attachment", args=[attachment.pk])

    client.force_login(attachment.application.applicant)
    own = body(client.get(url))
    client.force_login(staff["reviewer"])
    reviewer = body(client.get(url))
    client.force_login(staff["none"])
    no_role = client.get(url)

    assert (own, reviewer, no_role.status_code) == (VICTIM_BYTES, VICTIM_BYTES, 404)


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "applications:overview"), ("get", "applications:withdraw"), ("post", "applications:withdraw"),
     ("post", "applications:reopen"), ("post", "reviews:filing"), ("post", "reviews:supplementary")],
)
@pytest.mark.parametrize("named", ["the victim's id", "an id that does not exist", "not a number"])
def test_naming_someone_elses_application_is_a_404_and_changes_nothing(client, victim, inside_window, method,
                                                                        name, named):
    application, _attachment = victim
    intruder = UserFactory(username="intruder@example.com")
    ApplicationFactory(campaign=application.campaign, applicant=intruder)
    client.force_login(intruder)
    value = {"the victim's id": str(application.pk), "an id that does not exist": "987654",
             "not a number": "1 OR 1=1"}[named]

    url = reverse(name)
    response = client.get(url, {"application": value}) if method == "get" else client.post(url, {"application": value})

    assert response.status_code == 404
    assert_nothing_leaked(response)
    application.refresh_from_db()
    assert (application.status, application.status_changes.count()) == (ApplicationStatus.FILING, 0)
