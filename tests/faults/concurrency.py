"""Real concurrency on PostgreSQL: a row lock held from another connection, and racing threads.

A test holds the row every racer must lock, starts the racers, waits until PostgreSQL shows each of
them blocked on that lock, then releases it: the racers provably overlap, whatever the scheduler does.
"""

import threading

from django.db import connection, transaction

from tests.workers import wait_until


class RowLock:
    """``SELECT … FOR UPDATE`` of one row from a thread of its own, held until the block exits."""

    def __init__(self, model, pk):
        self.model, self.pk = model, pk
        self.taken, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with transaction.atomic():
                self.model.objects.select_for_update().get(pk=self.pk)
                self.taken.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=10)


def backends_waiting_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class Racers:
    """Run each function in a thread of its own (own connection); collect results (in order) or errors."""

    def __init__(self, functions):
        self.results, self.errors = [None] * len(functions), []
        self.threads = [
            threading.Thread(target=self._run, args=(index, function), daemon=True)
            for index, function in enumerate(functions)
        ]

    def _run(self, index, function):
        try:
            self.results[index] = function()
        except Exception as error:  # reported by the test
            self.errors.append(error)
        finally:
            connection.close()

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def join(self):
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads)
        return self


def race_behind(lock_model, lock_pk, *functions):
    """Start each function in a thread while the row is locked, wait until all block on it, release.

    Returns the ``Racers`` once every run is done.
    """
    with RowLock(lock_model, lock_pk):
        racers = Racers(functions).start()
        assert wait_until(lambda: backends_waiting_on_a_lock() == len(functions), timeout=30) is True
    return racers.join()
