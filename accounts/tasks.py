from celery import shared_task

from . import codes


@shared_task(name="accounts.purge_old_codes", ignore_result=True)
def purge_old_codes():
    return codes.purge_old_codes()
