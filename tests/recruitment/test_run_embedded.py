"""``make run``'s runtime (``manage.py run_embedded``): the web server and a Celery worker with beat on the
embedded filesystem broker, against a scratch SQLite file; beat's schedule actually runs; Ctrl-C stops all.

The schedule file is prepared as after an earlier run whose outbox sweep is overdue (its last run five
minutes ago), so beat sends it at start instead of a minute later: the test waits seconds, not minutes.
"""

import http.client
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.faults.server import free_port
from tests.workers import wait_until

ROOT = Path(settings.BASE_DIR)

PREPARE = """
from datetime import timedelta

from celery.beat import PersistentScheduler
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from recruitment.celery import app

user = User.objects.create_user(username="newcomer@example.com", email="newcomer@example.com", password="x")
note = Notification.objects.create(recipient=user, event="demo:1", channel="inapp", subject="s", body="b")
# Recorded ten minutes ago and never delivered (as if the broker had been down): the sweep's work.
Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=10))

beat = PersistentScheduler(app=app, schedule_filename=str(settings.BROKER_FOLDER / "beat-schedule"))
beat.schedule["notifications-sweep-outbox"].last_run_at = app.now() - timedelta(minutes=5)
beat.sync()
beat.close()
print(note.pk)
"""


def scratch_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}}
    env.update(DJANGO_SETTINGS_MODULE="recruitment.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               CELERY_BROKER_FOLDER=str(tmp_path / "broker"), EMAIL_URL="dummymail://", PYTHONPATH=str(ROOT))
    return env


def manage(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**scratch_env(tmp_path), **env},
                          capture_output=True, text=True, timeout=120, check=True)


def sent_at(database, pk):
    with sqlite3.connect(database) as db:
        return db.execute("SELECT sent_at FROM notifications_notification WHERE id = ?", [pk]).fetchone()[0]


def healthz(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz/")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def live_members(group):
    """Processes (not zombies) of a process group, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_make_runs_embedded_worker_and_beat_run_the_schedule_and_ctrl_c_stops_everything(tmp_path):
    manage(tmp_path, "migrate", "--noinput", "-v", "0")
    (tmp_path / "broker").mkdir()
    notification = int(manage(tmp_path, "shell", "-v", "0", "-c", PREPARE).stdout)
    port = free_port()
    log = tmp_path / "run.log"

    with open(log, "w") as out:
        run = subprocess.Popen([sys.executable, "manage.py", "run_embedded", f"127.0.0.1:{port}"], cwd=ROOT,
                               env=scratch_env(tmp_path), stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
        try:
            swept = wait_until(lambda: sent_at(tmp_path / "db.sqlite3", notification) is not None, timeout=90)
            serving = wait_until(lambda: healthz(port) == 200, timeout=30)
            children = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", log.read_text())]
            os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal of `make run`
            code = run.wait(timeout=60)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait()

    output = log.read_text()
    assert (swept, serving, code) == (True, True, 0), output
    assert "Scheduler: Sending due task notifications-sweep-outbox (notifications.sweep_outbox)" in output
    assert re.search(r"Task notifications\.sweep_outbox\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: 1\n", output)
    assert output.rstrip().endswith("Stopped the web server and the Celery worker.")
    assert len(children) == 2
    assert [live_members(pid) for pid in children] == [[], []]
    # The broker's messages and beat's schedule live in the broker folder, nowhere else.
    assert {"control", "queue"} <= {p.name for p in (tmp_path / "broker").iterdir()}
    assert list((tmp_path / "broker").glob("beat-schedule*"))
