"""Project-wide pytest plumbing: how Celery runs under test.

Tests run tasks in process (eager) unless they are marked ``redis``: those get a real Celery worker
consuming from the real Redis broker (see ``tests/workers.py``). This keeps the PostgreSQL + Redis
pass from queueing tasks that no worker would run, while the ``redis`` tests prove the real path.
"""

import pytest

from recruitment.celery import app as celery_app


@pytest.fixture(autouse=True)
def _celery_mode(request):
    real_worker = request.node.get_closest_marker("redis") is not None
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = not real_worker
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections():
    """Close database connections at the end of each request under test, as CONN_MAX_AGE=0 does.

    Production keeps connections for a minute; in tests a live server thread holding its connection
    open would look like a stray client to the fault tests that watch pg_stat_activity.
    """
    from django.conf import settings

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
    yield
