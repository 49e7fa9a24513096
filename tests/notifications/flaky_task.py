"""A Celery task for the failing-job alert's worker test: it fails when told to (test-only, registered on import)."""

from celery import shared_task


@shared_task(name="tests.flaky_job", ignore_result=True)
def flaky_job(*, fail):
    if fail:
        raise RuntimeError("the flaky job failed on purpose")
    return "ok"
