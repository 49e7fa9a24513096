"""The steps of ``bench/run.py`` that run inside Django (DJANGO_SETTINGS_MODULE=bench.settings).

    .venv/bin/python bench/django_steps.py admin          # JSON: changelist query counts and times
    .venv/bin/python bench/django_steps.py page-session   # JSON: a logged-in applicant's session cookie
    .venv/bin/python bench/django_steps.py command TIMING_FILE NAME [ARGS…]  # a management command, timed
    .venv/bin/python bench/django_steps.py noop           # start-up only (interpreter + django.setup())

``command`` runs the management command with ``call_command`` (its output goes to stdout as usual) and
writes ``{"seconds": …}`` to TIMING_FILE: the command's own time, without the start-up that a short
run would otherwise be dominated by. The outer wall time and peak RSS come from ``/usr/bin/time``.

``admin`` works inside one transaction that it rolls back: the bench database is left as it was.
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.enums import ApplicationStatus  # noqa: E402
from applications.models import Application  # noqa: E402
from probation.models import Leader  # noqa: E402
from recruitment.models import Campaign  # noqa: E402

CHANGELISTS = {
    "applications": "/admin/applications/application/",
    "leaders": "/admin/probation/leader/",
}
SIZES = (10, 10_000)
REPEAT = 3  # the best of three requests (the first warms the caches)


class Rollback(Exception):
    pass


def _add_rows(campaign, start, stop):
    User = get_user_model()
    statuses = list(ApplicationStatus.values)
    now = timezone.now()
    users = User.objects.bulk_create(
        User(username=f"bench-applicant-{n}@example.com", password="!") for n in range(start, stop)
    )
    Application.objects.bulk_create(
        Application(
            campaign=campaign,
            applicant=user,
            status=statuses[n % len(statuses)],
            alliance_account=f"mm_bench_{n}",
            company_name=f"杭州基准{n}号网络科技有限公司",
            credit_code=f"91330106{n:010d}"[:18],
            contact_name="张伟",
            mobile=f"139{n:08d}",
            submitted_at=now - timedelta(minutes=n),
        )
        for n, user in zip(range(start, stop), users, strict=True)
    )
    Leader.objects.bulk_create(
        Leader(
            campaign=campaign,
            leader_account=f"BENCH{n:06d}",
            company_name=f"杭州基准{n}号网络科技有限公司",
            credit_code=f"91330106{n:010d}"[:18],
            granted_at=now,
        )
        for n in range(start, stop)
    )


def _measure(client, url):
    best = None
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        if best is None or elapsed < best[1]:
            best = (len(queries.captured_queries), elapsed)
    return {"queries": best[0], "seconds": round(best[1], 4)}


def admin_step():
    results = {}
    try:
        with transaction.atomic():
            campaign = Campaign.objects.get(slug="2024-nx2")
            admin_user = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.com", "x")
            client = Client()
            client.force_login(admin_user)
            done = 0
            for size in SIZES:
                _add_rows(campaign, done, size)
                done = size
                for name, url in CHANGELISTS.items():
                    results[f"{name}@{size}"] = _measure(client, url)
            raise Rollback
    except Rollback:
        pass
    return results


def page_session():
    """A committed applicant with a submitted application, logged in: its session cookie for the load tests."""
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username="bench-applicant@example.com", defaults={"email": "bench-applicant@example.com"}
    )
    campaign = Campaign.objects.get(slug="2024-nx2")
    Application.objects.get_or_create(
        campaign=campaign,
        applicant=user,
        defaults={
            "status": ApplicationStatus.SUBMITTED,
            "alliance_account": "mm_bench_pages",
            "company_name": "杭州基准页面网络科技有限公司",
            "contact_name": "张伟",
            "mobile": "13900000000",
            "submitted_at": campaign.application_closes_at - timedelta(days=3),
        },
    )
    client = Client()
    client.force_login(user)
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}


def timed_command(timing_file, name, *args):
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(name, *args)
    Path(timing_file).write_text(json.dumps({"seconds": round(time.perf_counter() - started, 4)}))


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "command":
        timed_command(*sys.argv[2:])
    elif step != "noop":
        print(json.dumps({"admin": admin_step, "page-session": page_session}[step]()))
