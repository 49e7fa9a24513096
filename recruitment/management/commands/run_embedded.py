"""``manage.py run_embedded [ADDRPORT]``: the whole product on a laptop, scheduled jobs included (``make run``).

Starts, side by side:

- the development web server (``runserver ADDRPORT``), which runs the tasks it queues in process, as
  without a broker (REDIS_URL empty);
- one Celery worker with the beat scheduler embedded (``celery worker --beat``), so the jobs of
  ``CELERY_BEAT_SCHEDULE`` (probation.evaluate_due, the outbox sweep, …) run every minute as in
  production. Beat and worker talk through the broker configured (CELERY_BROKER_URL / REDIS_URL), or
  without one through an embedded broker: kombu's ``filesystem://`` transport, messages as files
  under ``BROKER_FOLDER`` (``.celery/`` in the project), beside beat's schedule file.

Both write to the one SQLite file; the settings make that safe (WAL, IMMEDIATE transactions, a busy
timeout). Ctrl-C (SIGINT), SIGTERM or SIGHUP stops both process trees and waits for them: nothing is
left running. If either stops by itself, the other is stopped too and the command exits with its code.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

EMBEDDED_BROKER_URL = "filesystem://localhost/"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# How long each process tree gets to stop after SIGINT before it is killed.
STOP_GRACE_SECONDS = 15


def embedded_broker_folders(root):
    """The folders kombu's filesystem transport needs (settings.CELERY_BROKER_TRANSPORT_OPTIONS), created."""
    folders = [root / "queue", root / "control"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with beat together (the laptop default of `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="runserver's address:port")

    def handle(self, *args, addrport, **options):
        root = settings.BROKER_FOLDER
        worker_env = dict(os.environ)
        if settings.CELERY_BROKER_URL:
            broker = settings.CELERY_BROKER_URL
        else:
            broker = EMBEDDED_BROKER_URL
            embedded_broker_folders(root)
            worker_env["CELERY_BROKER_URL"] = EMBEDDED_BROKER_URL
        root.mkdir(parents=True, exist_ok=True)
        worker_cmd = [
            sys.executable, "-m", "celery", "-A", "recruitment", "worker", "--beat",
            "--schedule", str(root / "beat-schedule"), "--pool", "solo", "--hostname", "embedded@%h",
            "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "info",
        ]
        web_cmd = [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver", addrport]

        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
        processes, exited = {}, None
        try:
            # Each in a session of its own: a terminal's Ctrl-C reaches only this command, which stops them
            # in order and waits; their own children (beat, runserver's autoreloader) stop with them.
            processes["worker"] = subprocess.Popen(worker_cmd, env=worker_env, start_new_session=True)
            processes["web"] = subprocess.Popen(web_cmd, start_new_session=True)
            self.stdout.write(
                f"Celery worker with beat on {broker} (pid {processes['worker'].pid}); "
                f"web server on http://{addrport}/ (pid {processes['web'].pid}). Ctrl-C stops both.",
            )
            self.stdout.flush()
            while not stop_requested and exited is None:
                exited = next((name for name, p in processes.items() if p.poll() is not None), None)
                time.sleep(0.2)
        finally:
            for process in processes.values():
                _stop(process)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if exited is not None:
            code = processes[exited].returncode
            self.stderr.write(f"The {exited} process stopped (exit code {code}); the other was stopped too.")
            sys.exit(code or 1)
        self.stdout.write("Stopped the web server and the Celery worker.")


def _stop(process):
    """SIGINT to the process's whole group (as Ctrl-C would); SIGKILL to what is left after the grace period."""
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    _signal_group(process, signal.SIGINT)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    # The group's other members (the embedded beat, runserver's server process) may still be finishing.
    while _signal_group(process, 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_group(process, signal.SIGKILL)
    process.wait()


def _signal_group(process, signum):
    """Send ``signum`` to the process group the child leads; ``False`` when none of it is left."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        return False
    return True
