"""In-process timing of the benchmarked pages (test client): a quick check before ``make bench``.

    DJANGO_DEBUG=false .venv/bin/python bench/page_loop.py [N]   # N requests per page (default 200)

Uses the bench settings and database (DATABASE_URL); logs in the same applicant as the page step and
prints, per page, the status, the mean time per request and the number of queries of one request.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.django_steps import page_session  # noqa: E402

PAGES = ["/bench/minimal/", "/bench/minimal-user/", "/", "/apply/", "/status/"]


class Recorder:
    def __init__(self, log):
        self.log = log

    def __call__(self, execute, sql, params, many, context):
        self.log.append(sql)
        return execute(sql, params, many, context)


def main(count):
    cookie = page_session()["cookie"]
    name, value = cookie.split("=", 1)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[name] = value
    for page in PAGES:
        for _ in range(20):
            client.get(page)
        queries = []
        with connection.execute_wrapper(Recorder(queries)):
            status = client.get(page).status_code
        if os.environ.get("PAGE_LOOP_SQL"):
            print("\n".join(queries))
        started = time.perf_counter()
        for _ in range(count):
            client.get(page)
        mean = (time.perf_counter() - started) / count * 1000
        print(f"{page:18} HTTP {status}  {mean:6.2f} ms/request  {len(queries)} queries", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
