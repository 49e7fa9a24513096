"""Fault 4: a thousand applicants press 提交 in and around the last second before the deadline.

1,000 users with complete drafts and logged-in sessions (written straight to the database); the
campaign closes a few seconds ahead (inclusive to the second, Beijing time); a second process on
loopback fires the 1,000 submissions at the real site under gunicorn (production's
deploy/gunicorn.conf.py), spread evenly over two seconds around the window's last second (600 arrive
in time, 400 after). It plays
the trusted reverse proxy of the deployment (DJANGO_TRUSTED_PROXY_COUNT=1): each request carries
``X-Request-Start: t=<the moment it was sent>``, as nginx stamps the moment a request reaches it.

The server needs several seconds to answer them all, so most in-time submissions are handled after
the window has closed: each must still be judged by its arrival. Every request that arrived at or
before the deadline second is accepted, stamped with its arrival; every one after it is refused,
told why, and leaves the draft as it was (apart from its ``updated_at``: saving the declaration
precedes the submission). Every response is an ordinary answer (no 500, no dropped connection).
"""

import json
import math
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.formats import date_format

from applications.enums import ApplicationStatus, AttachmentKind
from applications.models import Application, Attachment, CooperationCase, StatusChange
from notifications.models import Notification
from recruitment import timeutils
from recruitment.models import Campaign
from tests.factories import ApplicationFactory, CampaignFactory, CooperationCaseFactory, UserFactory
from tests.faults.server import PYTHON, ROOT, app_server, cookie_header, request, session_for, submit_form

pytestmark = pytest.mark.postgres

APPLICANTS = 1000
RUSH_LEAD = 3  # seconds from computing the schedule to the window's last second (the load generator starts)
SPREAD_BEFORE = 0.2  # the rush starts this long before the window's last second …
SPREAD_AFTER = 0.8  # … and ends this long after it: 600 arrive in time, 400 after


def _prepare(campaign):
    """1,000 users, each with a complete draft and a logged-in session; returns ``{application id: cookie}``."""
    model = get_user_model()
    template = UserFactory.build(username="rush-template@example.com")
    template.set_password("Secret-pass-2024")
    model.objects.bulk_create(
        model(username=f"rush{n}@example.com", email=f"rush{n}@example.com", password=template.password)
        for n in range(APPLICANTS)
    )
    users = list(model.objects.filter(username__startswith="rush").order_by("pk"))
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(campaign=campaign, applicant=user) for user in users
    )
    CooperationCase.objects.bulk_create(CooperationCaseFactory.build(application=a) for a in applications)
    Attachment.objects.bulk_create(
        Attachment(application=a, kind=AttachmentKind.SUPPORTING, file=f"applications/{a.pk}/licence.pdf",
                   original_name="licence.pdf", content_type="application/pdf", size=15)
        for a in applications
    )
    return {a.pk: cookie_header(session_for(a.applicant)) for a in applications}


def _answers():
    """Every application's columns except ``updated_at``, by id."""
    fields = [f.attname for f in Application._meta.concrete_fields if f.name != "updated_at"]
    return {row["id"]: row for row in Application.objects.filter(campaign__slug="faults-rush").values(*fields)}


def arrival(stamp):
    """The instant of an ``X-Request-Start: t=<seconds>.<milliseconds>`` value."""
    seconds, milliseconds = stamp.removeprefix("t=").split(".")
    return datetime.fromtimestamp(int(seconds), tz=UTC) + timedelta(milliseconds=int(milliseconds))


def test_a_thousand_submissions_in_the_last_second_are_judged_by_their_arrival(transactional_db, tmp_path):
    now = timezone.now()
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(
        slug="faults-rush", application_opens_at=now - timedelta(days=1), application_closes_at=now + timedelta(days=1),
    )
    cookies = _prepare(campaign)
    assert Session.objects.count() == APPLICANTS
    before = _answers()

    with app_server(tmp_path / "gunicorn.log", workers=4, threads=4, EMAIL_URL="dummymail://",
                    DJANGO_TRUSTED_PROXY_COUNT=1) as (host, port):
        # The window's last second is [last, last + 1): the deadline is inclusive to the second.
        last = math.floor(time.time()) + RUSH_LEAD + 1
        closes_at = datetime.fromtimestamp(last, tz=UTC)
        Campaign.objects.filter(pk=campaign.pk).update(application_closes_at=closes_at)
        first = last - SPREAD_BEFORE
        step = (SPREAD_BEFORE + 1 + SPREAD_AFTER) / APPLICANTS
        jobs = tmp_path / "jobs.json"
        jobs.write_text(json.dumps({
            "host": host, "port": port, "path": "/apply/declaration/", "start_at": first, "request_start": True,
            "jobs": [{"id": pk, "cookie": cookie, "body": submit_form(), "start_at": first + n * step}
                     for n, (pk, cookie) in enumerate(cookies.items())],
        }))
        load = subprocess.run(
            [PYTHON, str(ROOT / "tests" / "faults" / "loadgen.py"), str(jobs), str(tmp_path / "results.json")],
            capture_output=True, text=True, timeout=120,
        )
        assert load.returncode == 0, load.stderr
        results = json.loads((tmp_path / "results.json").read_text())
        # Every request got an answer (a connection error is a failure of the server under the rush, not a refusal).
        assert [(r["id"], r["error"]) for r in results if r["status"] is None] == []
        refused = [r for r in results if r["location"] == "/apply/declaration/"]
        assert refused, "the rush must straddle the deadline"
        told = "; ".join([cookies[refused[0]["id"]], *(f"{k}={v}" for k, v in refused[0]["cookies"].items())])
        page = request(host, port, "GET", "/apply/declaration/", cookie=told)

    end = last + 1
    log = (tmp_path / "gunicorn.log").read_text()
    assert [r for r in results if r["status"] != 302] == [], log
    assert {r["location"] for r in results} <= {"/status/", "/apply/declaration/"}
    arrived = {r["id"]: arrival(r["stamp"]) for r in results}
    in_time = sorted(pk for pk, at in arrived.items() if at < datetime.fromtimestamp(end, tz=UTC))
    saved = [r for r in results if r["location"] == "/status/"]
    # No in-time submission is refused, none after the deadline second is accepted.
    assert sorted(r["id"] for r in saved) == in_time
    assert sorted(r["id"] for r in refused) == sorted(set(arrived) - set(in_time))
    assert saved and refused, "the rush must straddle the deadline"
    # The point of judging at arrival: many in-time submissions were only answered after the window closed.
    assert [r for r in saved if r["received"] >= end], "the server must still be busy when the window closes"
    applications = {a.pk: a for a in Application.objects.filter(campaign=campaign)}
    # Accepted: saved as submitted, stamped with the arrival (inside the window), confirmed once.
    for result in saved:
        application = applications[result["id"]]
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.submitted_at == arrived[result["id"]]
        assert timeutils.to_second(application.submitted_at) <= closes_at
    assert StatusChange.objects.filter(to_status=ApplicationStatus.SUBMITTED).count() == len(saved)
    assert sorted(Notification.objects.filter(sent_at__isnull=False).values_list("application_id", flat=True)) == (
        sorted(r["id"] for r in saved)
    )
    # Refused: arrived after the window closed, nothing changed, and the applicant is told why.
    after = _answers()
    for result in refused:
        assert arrived[result["id"]] >= datetime.fromtimestamp(end, tz=UTC)
        assert after[result["id"]] == before[result["id"]]
    deadline = date_format(timeutils.local(closes_at), "Y-m-d H:i:s")
    assert f"报名已于北京时间 {deadline} 截止，无法再提交。" in page.body
    assert Notification.objects.count() == len(saved)

    latencies = sorted(r["received"] - r["sent"] for r in results)
    p99 = latencies[math.ceil(0.99 * len(latencies)) - 1]
    late = [r for r in saved if r["received"] >= end]
    print(
        f"\n{APPLICANTS} submissions arriving from {SPREAD_BEFORE} s before the window's last second to "
        f"{SPREAD_AFTER} s after it: {len(saved)} arrived in time and were saved ({len(late)} of them answered "
        f"after the deadline), {len(refused)} arrived later and were refused; latency p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
