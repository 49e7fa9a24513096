"""SQLite as `make run` uses it: two processes (web server, Celery worker) writing to one file at once.

Each process runs transactions that read, then write (read-modify-write of one counter). With SQLite's
default deferred transactions the second writer fails at once with "database is locked" (the busy
timeout does not apply when a reader tries to become a writer); with the settings' IMMEDIATE
transactions, WAL and busy timeout, each waits its turn and no update is lost.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ROUNDS = 50

WRITER = """
import sys, time
import django
django.setup()
from django.db import connection, transaction

start_at, rounds = float(sys.argv[1]), int(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
for _ in range(rounds):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            (n,) = cursor.fetchone()
            time.sleep(0.001)  # the other process gets a chance to read the same value meanwhile
            cursor.execute("UPDATE counter SET n = %s", [n + 1])
print("done")
"""


def scratch_env(database):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="recruitment.settings", DATABASE_URL=f"sqlite:///{database}",
               PYTHONPATH=str(ROOT))
    return env


def test_two_processes_writing_one_sqlite_file_at_once_both_succeed_and_lose_nothing(tmp_path):
    database = tmp_path / "shared.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        db.execute("INSERT INTO counter VALUES (0)")
    # As `make run` migrates before it starts the two processes: the first connection through the settings
    # turns the file to WAL (switching the journal mode needs the file to itself, once). That process must
    # connect: with no transaction it never opens the file, and the two writers below would race to switch it.
    first = subprocess.run([sys.executable, "-c", WRITER, str(time.time()), "1"], cwd=ROOT, env=scratch_env(database),
                           capture_output=True, text=True, timeout=120)
    assert (first.returncode, first.stdout, first.stderr) == (0, "done\n", "")
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    start_at = time.time() + 2  # both processes have started Django by then

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(start_at), str(ROUNDS)], cwd=ROOT,
                         env=scratch_env(database), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [(w.wait(timeout=120), *w.communicate()) for w in writers]

    assert outcomes == [(0, "done\n", ""), (0, "done\n", "")]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT n FROM counter").fetchone() == (1 + 2 * ROUNDS,)


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite:////tmp/scratch.sqlite3",
         "[('init_command', 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL'), ('timeout', 20), "
         "('transaction_mode', 'IMMEDIATE')]\n"),
        ("postgres://user:secret@db:5432/recruitment", "[]\n"),  # only SQLite gets them
    ],
    ids=["sqlite", "postgres"],
)
def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout(database_url, expected):
    code = "from django.conf import settings; print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"

    shown = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                           env={**scratch_env("unused"), "DATABASE_URL": database_url}, capture_output=True,
                           text=True, timeout=60)

    assert (shown.stdout, shown.stderr) == (expected, "")
