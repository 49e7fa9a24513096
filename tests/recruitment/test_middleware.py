"""The edge: a request's arrival time (the deadline is judged at it) and NUL bytes answered with 400."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from recruitment.middleware import ArrivalTimeMiddleware, request_start
from recruitment.timeutils import BEIJING, beijing

DECLARATION_URL = reverse("applications:section", args=["declaration"])
# The last second of the 2024 window is [23:59:59, 00:00:00) Beijing time; the server's clock reads
# 7 s past it when the queued submission is finally handled.
SERVER_NOW = beijing(2024, 4, 26, 0, 0, 7)
NUL_MESSAGE = "您的请求中含有不允许的字符（空字符 NUL）。请返回上一页，删除该字符后重试。"


def stamp(moment):
    """An nginx ``X-Request-Start`` value: ``t=`` epoch seconds with milliseconds."""
    return f"t={moment.timestamp():.3f}"


def submit(client, **headers):
    return client.post(DECLARATION_URL, {"declaration_accepted": "on", "action": "submit"}, **headers)


@pytest.fixture
def logged_in(client, complete_draft):
    client.force_login(complete_draft.applicant)
    return client


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


# --- Arrival time -------------------------------------------------------------------------------------------


def test_received_at_is_taken_when_the_request_enters_not_when_the_view_runs():
    seen = {}

    def slow_view(request):
        traveller.shift(timedelta(seconds=3))  # queued, then a slow view
        seen["view_now"] = timezone.now()
        return None

    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False) as traveller:
        request = RequestFactory().post(DECLARATION_URL)
        ArrivalTimeMiddleware(slow_view)(request)

    assert request.received_at == beijing(2024, 4, 25, 23, 59, 59)
    assert seen["view_now"] == beijing(2024, 4, 26, 0, 0, 2)


@pytest.mark.parametrize(
    ("arrived", "accepted"),
    [
        (datetime(2024, 4, 25, 23, 59, 59, 0, tzinfo=BEIJING), True),
        (datetime(2024, 4, 25, 23, 59, 59, 999000, tzinfo=BEIJING), True),
        (beijing(2024, 4, 26, 0, 0, 0), False),
    ],
)
def test_behind_the_proxy_a_submission_is_judged_by_its_arrival(logged_in, complete_draft, behind_one_proxy,
                                                                 arrived, accepted):
    with time_machine.travel(SERVER_NOW, tick=False):
        response = submit(logged_in, HTTP_X_REQUEST_START=stamp(arrived))

    complete_draft.refresh_from_db()
    if accepted:
        assert response["Location"] == reverse("applications:status")
        assert (complete_draft.status, complete_draft.submitted_at) == (ApplicationStatus.SUBMITTED, arrived)
    else:
        assert response["Location"] == DECLARATION_URL
        assert (complete_draft.status, complete_draft.submitted_at) == (ApplicationStatus.DRAFT, None)


def test_a_request_start_header_without_a_trusted_proxy_is_ignored(logged_in, complete_draft, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    with time_machine.travel(SERVER_NOW, tick=False):
        response = submit(logged_in, HTTP_X_REQUEST_START=stamp(beijing(2024, 4, 25, 23, 59, 58)))

    complete_draft.refresh_from_db()
    assert response["Location"] == DECLARATION_URL
    assert (complete_draft.status, complete_draft.submitted_at) == (ApplicationStatus.DRAFT, None)


def test_without_the_header_behind_the_proxy_the_server_clock_decides(logged_in, complete_draft, behind_one_proxy):
    with time_machine.travel(beijing(2024, 4, 25, 23, 59, 59), tick=False):
        inside = submit(logged_in)

    complete_draft.refresh_from_db()
    assert inside["Location"] == reverse("applications:status")
    assert complete_draft.submitted_at == beijing(2024, 4, 25, 23, 59, 59)


def test_a_header_older_than_a_minute_is_ignored(logged_in, complete_draft, behind_one_proxy):
    arrived = beijing(2024, 4, 25, 23, 59, 59)

    with time_machine.travel(arrived + timedelta(seconds=60, milliseconds=1), tick=False):
        response = submit(logged_in, HTTP_X_REQUEST_START=stamp(arrived))

    complete_draft.refresh_from_db()
    assert response["Location"] == DECLARATION_URL
    assert complete_draft.status == ApplicationStatus.DRAFT


NOW = datetime(2024, 4, 25, 15, 59, 59, tzinfo=UTC)  # 23:59:59 Beijing time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"t={NOW.timestamp():.3f}", NOW),
        (f"t={NOW.timestamp() - 0.25:.3f}", NOW - timedelta(milliseconds=250)),
        (f"t={NOW.timestamp() - 60:.6f}", NOW - timedelta(seconds=60)),  # queued for the longest accepted wait
        (f"t={NOW.timestamp() - 60.001:.3f}", None),
        (f"t={NOW.timestamp() + 2:.0f}", NOW + timedelta(seconds=2)),  # the proxy's clock a little ahead
        (f"t={NOW.timestamp() + 2.001:.3f}", None),
        (f" t={NOW.timestamp():.0f} ", NOW),
        (f"{NOW.timestamp():.3f}", None),  # not the documented format
        (f"t={NOW.timestamp() * 1000:.0f}", None),  # milliseconds: far in the future, so not sane
        (f"t={NOW.timestamp():.7f}", None),
        ("t=", None),
        ("t=abc", None),
        ("t=-1", None),
        ("", None),
    ],
)
def test_request_start_accepts_only_the_documented_format_within_the_skew(value, expected):
    assert request_start(value, now=NOW) == expected


# --- NUL bytes ----------------------------------------------------------------------------------------------


def assert_refused(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == NUL_MESSAGE


def test_nul_in_an_admin_filter_answers_400(admin_client):
    url = reverse("admin:applications_application_changelist")

    refused = admin_client.get(f"{url}?status__exact=%00")
    allowed = admin_client.get(f"{url}?status__exact=draft")

    assert_refused(refused)
    assert allowed.status_code == 200
    assert allowed.context["cl"].result_count == 0


def test_nul_in_an_admin_object_path_answers_400(admin_client):
    assert_refused(admin_client.get("/admin/applications/application/%00/change/"))


def test_nul_in_a_query_parameter_of_an_applicant_page_answers_400(logged_in, inside_window):
    refused = logged_in.get(reverse("applications:status") + "?tab=%00")
    allowed = logged_in.get(reverse("applications:status") + "?tab=0x00")

    assert_refused(refused)
    assert allowed.status_code == 200


def test_nul_in_a_parameter_name_answers_400(client, db):
    assert_refused(client.get(reverse("home") + "?a%00b=1"))


def test_nul_in_a_form_field_answers_400_and_saves_nothing(logged_in, complete_draft, inside_window):
    url = reverse("applications:section", args=["identity"])
    before = complete_draft.company_name

    response = logged_in.post(url, {"company_name": "杭州\x00拓客科技有限公司", "action": "save"})

    complete_draft.refresh_from_db()
    assert_refused(response)
    assert complete_draft.company_name == before


def test_nul_in_a_login_name_answers_400(client, db):
    assert_refused(client.post(reverse("accounts:login"), {"username": "a\x00b", "password": "x"}))


def test_nul_in_a_session_cookie_answers_400(client, db):
    # An octal escape inside a quoted cookie value decodes to NUL (http.cookies).
    escaped_nuls = "\\000" * 8

    response = client.get(reverse("applications:status"), HTTP_COOKIE=f'sessionid="{escaped_nuls}"')

    assert_refused(response)

