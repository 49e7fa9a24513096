"""Queueing a Celery task by its name, for the domain module the task itself calls.

A task module imports its app's domain (``reviews.tasks`` calls ``reviews.filing``), so the domain cannot
import the task module back to queue it: that is an import cycle. The domain names the task instead
(its ``name=``, which never changes) and this looks it up in the Celery app's registry. Every app's
``AppConfig.ready`` imports its tasks module, so the registry is filled in the web process and in the
worker alike; ``.delay`` keeps the configuration (``CELERY_TASK_ALWAYS_EAGER`` runs it in process).
"""

from .celery import app


def queue(name, **kwargs):
    """Queue the registered task ``name`` with keyword arguments (ids, never model instances).

    Raises what the broker raises when it is unreachable, like ``Task.delay``: the caller decides what a
    lost message means (most leave the row for a sweep). An unknown name is a programming error
    (``KeyError``)."""
    return app.tasks[name].delay(**kwargs)
