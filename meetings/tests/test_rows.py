"""The meeting rows and calendar rows written in Python: dates and instants as Django formats them."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.formats import date_format

from meetings.templatetags.meeting_rows import instant


def test_an_instant_is_written_as_django_writes_it_in_its_own_zone_and_language():
    utc = datetime.datetime(2027, 3, 29, 21, 59, 59, 999999, tzinfo=datetime.UTC)
    values = [utc, *(utc.astimezone(ZoneInfo(z)) for z in ("Europe/Zurich", "America/Santiago", "Asia/Kolkata"))]
    for language in ("en", "fr", "es"):
        with translation.override(language):
            for value in values:
                for fmt in ("DATETIME_FORMAT", "O", "DATE_FORMAT"):
                    assert instant(value, fmt) == date_format(value, fmt)


def test_one_instant_in_two_zones_keeps_each_zones_wall_time():
    utc = datetime.datetime(2027, 1, 10, 23, 0, tzinfo=datetime.UTC)
    zurich, kolkata = utc.astimezone(ZoneInfo("Europe/Zurich")), utc.astimezone(ZoneInfo("Asia/Kolkata"))
    assert zurich == kolkata  # equal instants: a cache keyed on the value alone would mix them up
    assert instant(zurich, "O") == "+0100" and instant(kolkata, "O") == "+0530"
    assert instant(zurich, "DATETIME_FORMAT") != instant(kolkata, "DATETIME_FORMAT")
