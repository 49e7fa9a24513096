"""Beijing-time helpers. The project's TIME_ZONE is Asia/Shanghai; these keep datetimes aware."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone


def to_second(moment):
    """Drop sub-second precision so that a deadline at 23:59:59 includes the whole last second."""
    return moment.replace(microsecond=0)


def start_of_day(day):
    """00:00:00 of ``day`` in the current time zone (Beijing)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def local(moment):
    return timezone.localtime(moment)


BEIJING = ZoneInfo("Asia/Shanghai")


def instant_text(moment):
    """Beijing time to the second ("2024-05-31 23:59:59"), as the pages, notices and messages write an instant."""
    return timezone.localtime(moment, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def beijing(year, month, day, hour=0, minute=0, second=0):
    """An aware datetime in Beijing time, whatever the active time zone."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
