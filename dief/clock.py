"""The one clock of the product.

Every part of dief that needs the current instant asks :func:`now`; tests move it with
time-machine. Nothing else calls ``datetime.now()``.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """Return the current instant as a time zone aware datetime in UTC."""
    return timezone.now()


def today_in(time_zone: str) -> datetime.date:
    """Return today's calendar date in the IANA ``time_zone`` (e.g. "Europe/Zurich")."""
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo(time_zone)).date()
