"""Fault 4: a thousand applicants press 提交 together in the last seconds before the deadline.

1,000 users with complete drafts and logged-in sessions (written straight to the database); the
campaign closes a few seconds ahead (inclusive to the second, Beijing time); a second process on
loopback fires all 1,000 submissions at once at the real site under gunicorn, 5 s before the window
ends. The server answers them over ~15 s, so some are decided before the end of the window's last
second and the rest after. Every response must be an ordinary answer (no 500, no dropped connection); every
submission the server accepted carries a ``submitted_at`` inside the window and was sent before its
end; every refusal came back after the window closed, told the applicant why, and left the draft as
it was (apart from its ``updated_at``: saving the declaration precedes the submission).
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
RUSH_LEAD = 5  # seconds between the rush and the end of the window


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


def test_a_thousand_submissions_racing_the_deadline_are_saved_or_refused_by_server_time(transactional_db, tmp_path):
    now = timezone.now()
    Campaign.objects.update(is_current=False)
    campaign = CampaignFactory(
        slug="faults-rush", application_opens_at=now - timedelta(days=1), application_closes_at=now + timedelta(days=1),
    )
    cookies = _prepare(campaign)
    assert Session.objects.count() == APPLICANTS
    before = _answers()

    with app_server(tmp_path / "gunicorn.log", workers=4, threads=4, EMAIL_URL="dummymail://") as (host, port):
        # The window's last second is [last, last + 1): the deadline is inclusive to the second. The
        # rush starts RUSH_LEAD seconds before the window ends: answering the first requests of a rush
        # of 1,000 takes the server ~1.5 s here, so it must start early for some to land in time.
        last = math.floor(time.time()) + RUSH_LEAD + 1
        closes_at = datetime.fromtimestamp(last, tz=UTC)
        Campaign.objects.filter(pk=campaign.pk).update(application_closes_at=closes_at)
        jobs = tmp_path / "jobs.json"
        jobs.write_text(json.dumps({
            "host": host, "port": port, "path": "/apply/declaration/", "start_at": last + 1 - RUSH_LEAD,
            "jobs": [{"id": pk, "cookie": cookie, "body": submit_form()} for pk, cookie in cookies.items()],
        }))
        load = subprocess.run(
            [PYTHON, str(ROOT / "tests" / "faults" / "loadgen.py"), str(jobs), str(tmp_path / "results.json")],
            capture_output=True, text=True, timeout=120,
        )
        assert load.returncode == 0, load.stderr
        results = json.loads((tmp_path / "results.json").read_text())
        refused = [r for r in results if r["location"] == "/apply/declaration/"]
        told = "; ".join([cookies[refused[0]["id"]], *(f"{k}={v}" for k, v in refused[0]["cookies"].items())])
        page = request(host, port, "GET", "/apply/declaration/", cookie=told)

    end = last + 1
    log = (tmp_path / "gunicorn.log").read_text()
    assert [r for r in results if r["status"] != 302] == [], log
    assert {r["location"] for r in results} <= {"/status/", "/apply/declaration/"}
    saved = [r for r in results if r["location"] == "/status/"]
    assert saved and refused, "the rush must straddle the deadline"
    applications = {a.pk: a for a in Application.objects.filter(campaign=campaign)}
    # Accepted: saved as submitted, stamped inside the window, sent before it closed, confirmed once.
    for result in saved:
        application = applications[result["id"]]
        assert application.status == ApplicationStatus.SUBMITTED
        assert timeutils.to_second(application.submitted_at) <= closes_at
        assert result["sent"] < end
    assert StatusChange.objects.filter(to_status=ApplicationStatus.SUBMITTED).count() == len(saved)
    assert sorted(Notification.objects.filter(sent_at__isnull=False).values_list("application_id", flat=True)) == (
        sorted(r["id"] for r in saved)
    )
    # Refused: answered after the window closed, nothing changed, and the applicant is told why.
    after = _answers()
    for result in refused:
        assert result["received"] >= end
        assert after[result["id"]] == before[result["id"]]
    deadline = date_format(timeutils.local(closes_at), "Y-m-d H:i:s")
    assert f"报名已于北京时间 {deadline} 截止，无法再提交。" in page.body
    assert Notification.objects.count() == len(saved)

    latencies = sorted(r["received"] - r["sent"] for r in results)
    p99 = latencies[math.ceil(0.99 * len(latencies)) - 1]
    print(
        f"\n{APPLICANTS} submissions fired {RUSH_LEAD} s before the window closed: {len(saved)} saved before the "
        f"deadline, {len(refused)} refused after it, {APPLICANTS - len(saved) - len(refused)} errors; latency p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"last accepted {max(applications[r['id']].submitted_at for r in saved).timestamp() - last:.3f} s into "
        f"the last second, first refused answered {min(r['received'] for r in refused) - end:.3f} s after it"
    )
