"""gunicorn settings of the web service: ``gunicorn recruitment.wsgi:application --config deploy/gunicorn.conf.py``
(docker-compose.yml's ``web``, the Dockerfile's CMD, tests/faults). Not in the project folder's root, where
gunicorn would load it by itself into every other run (the benchmark's).

Sized for the deadline rush: most of a submission's time is spent waiting on PostgreSQL (row locks,
the commit), and a waiting thread releases the interpreter, so each worker process runs several
threads (gthread) instead of one request at a time (sync). The deadline itself does not depend on
the sizing: a submission is judged by when it arrived (recruitment.middleware.ArrivalTimeMiddleware),
however long it then waits for a thread; the sizing keeps that wait short.

Every thread holds its own database connection (CONN_MAX_AGE): keep PostgreSQL's ``max_connections``
above workers × threads × web containers + the Celery workers + a few (docs/deployment.md).

Request bodies are not capped here (gunicorn has no such limit): the reverse proxy caps them
(nginx ``client_max_body_size``), see docs/deployment.md "Request body limits".
"""

import os


def _cpus():
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "recruitment.wsgi:application"
bind = ["0.0.0.0:8000"]

worker_class = "gthread"
# 2 × CPUs + 1 processes (at most 9) of 4 threads: 20 requests at once on 2 CPUs, 36 on 4 or more.
workers = _env_int("GUNICORN_WORKERS", min(2 * _cpus() + 1, 9))
threads = _env_int("GUNICORN_THREADS", 4)
# A request still running after this many seconds is aborted and its worker restarted. Keep the proxy's
# read timeout (nginx proxy_read_timeout, 60 s by default) at least as long.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Connections waiting to be accepted: a rush of 1,000 at once fits.
backlog = 2048

# Request line (method, URL with its query string) and headers: gunicorn's defaults, written down. A
# longer request line answers 414, too many or too long headers 431, before Django sees the request.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = "-"
# The workers' heartbeat files in memory: a container's /tmp may be a slow overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
