"""A real Celery worker for tests marked ``redis``.

The worker consumes from the Redis broker named by ``REDIS_URL`` in a thread of the test process, so
it uses the test database; tests using it must use ``transactional_db`` so the worker sees committed
rows, exactly as a separate worker process would.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from recruitment.celery import app as celery_app


@pytest.fixture
def celery_worker(transactional_db):
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_until(predicate, *, timeout=15.0, interval=0.05):
    """Poll ``predicate`` until it is truthy; return its last value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
