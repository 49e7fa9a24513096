"""Steps run at the same instant, each in a thread on its own database connection (PostgreSQL race tests)."""

import threading

from django.db import connection


def race(*steps):
    """Run each step in a thread of its own once all are ready: ``"ok"`` or the refusal's class name, by step."""
    barrier = threading.Barrier(len(steps))
    outcomes = [None] * len(steps)

    def run(index):
        try:
            barrier.wait(timeout=10)
            steps[index]()
            outcomes[index] = "ok"
        except Exception as exc:  # reported in the assertion rather than lost in the thread
            outcomes[index] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
