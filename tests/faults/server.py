"""The real application under gunicorn, on loopback, against the test database; logged-in sessions.

Fault tests drive the site from outside the test process, as production traffic does: the server
process has its own settings (e.g. a broker that cannot be reached) while the test inspects the
database. Tests using it need ``transactional_db`` so the server sees committed rows.
"""

import http.client
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

ROOT = Path(settings.BASE_DIR)
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
# Any 32 alphanumerics are a valid CSRF secret; the same value goes in the cookie and the form.
CSRF_SECRET = "faultsFAULTSfaults0123456789abcd"


def database_url():
    """A URL of the test database (``test_…``), for processes started by the test."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**overrides):
    """The environment of a child process: this project's settings on the test database, no ``.env`` surprises."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="recruitment.settings", DATABASE_URL=database_url(), DJANGO_DEBUG="true",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT), DJANGO_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(log_path, *, workers=2, threads=2, **env):
    """gunicorn serving the site on a random loopback port; yields ``(host, port)``; stopped on exit.

    It runs production's deploy/gunicorn.conf.py, sized by its environment variables as an operator would.
    """
    port = free_port()
    log = open(log_path, "w")
    process = subprocess.Popen(
        [GUNICORN, "recruitment.wsgi:application", "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5"],
        cwd=ROOT, env=child_env(GUNICORN_WORKERS=workers, GUNICORN_THREADS=threads, **env),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request("127.0.0.1", port, "GET", "/healthz/").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{Path(log_path).read_text()}")
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def session_for(user):
    """A logged-in session written straight to the database (as ``login()`` would); returns its key."""
    backend = "accounts.backends.IdentifierBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def cookie_header(session_key):
    return f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"


def submit_form():
    """The body of the declaration page's submit button."""
    return urlencode({"csrfmiddlewaretoken": CSRF_SECRET, "declaration_accepted": "on", "action": "submit"})


class Response:
    def __init__(self, status, location, body, cookies):
        self.status, self.location, self.body, self.cookies = status, location, body, cookies

    def cookie_header(self, cookie):
        """``cookie`` with the cookies this response set (e.g. the flash messages) added."""
        return "; ".join([cookie, *(f"{name}={value}" for name, value in self.cookies.items())])


def request(host, port, method, path, *, cookie=None, body=None, timeout=30):
    headers = {"Host": f"{host}:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return Response(
            response.status, response.getheader("Location"), response.read().decode("utf-8", "replace"),
            {name: morsel.coded_value for name, morsel in cookies.items()},
        )
    finally:
        conn.close()
