"""The end of a calendar day is the instant the next local day starts, in every zone offered,
including zones whose clocks change at midnight (rules.md, Time)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from dief.timezones import offered_time_zones
from meetings.deadlines import end_of_day, start_of_day, tor_calendar
from meetings.enums import DeadlineKey

UTC = datetime.UTC
D = datetime.date
ONE = datetime.timedelta(microseconds=1)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# (zone, day, the instant the next local day starts): clocks change at 00:00 or 24:00.
MIDNIGHT_CHANGES = [
    # Clocks go back at 24:00 (-03 -> -04): 23:00-24:00 of the 4th happens twice.
    ("America/Santiago", D(2026, 4, 4), utc(2026, 4, 5, 4)),
    # Clocks jump from 24:00 to 01:00 (-04 -> -03): the 6th starts at 01:00 local.
    ("America/Santiago", D(2026, 9, 5), utc(2026, 9, 6, 4)),
    ("America/Asuncion", D(2023, 3, 25), utc(2023, 3, 26, 4)),
    ("America/Asuncion", D(2023, 9, 30), utc(2023, 10, 1, 4)),
    # Havana goes back from 01:00 to 00:00: midnight happens twice, the day starts at the first.
    ("America/Havana", D(2026, 10, 31), utc(2026, 11, 1, 4)),
    ("America/Havana", D(2026, 3, 7), utc(2026, 3, 8, 5)),
    ("Asia/Beirut", D(2026, 10, 24), utc(2026, 10, 24, 22)),
    ("Asia/Beirut", D(2026, 3, 28), utc(2026, 3, 28, 22)),
    ("Africa/Cairo", D(2026, 10, 29), utc(2026, 10, 29, 22)),
    ("Africa/Cairo", D(2026, 4, 23), utc(2026, 4, 23, 22)),
    ("Asia/Damascus", D(2021, 10, 28), utc(2021, 10, 28, 22)),
    ("America/Sao_Paulo", D(2019, 2, 16), utc(2019, 2, 17, 3)),
    ("America/Sao_Paulo", D(2018, 11, 3), utc(2018, 11, 4, 3)),
]


@pytest.mark.parametrize(("zone", "day", "next_day_starts"), MIDNIGHT_CHANGES)
def test_the_end_of_a_day_is_the_instant_before_the_next_local_day_starts(zone, day, next_day_starts):
    assert end_of_day(day, zone) == next_day_starts - ONE
    assert start_of_day(day + datetime.timedelta(days=1), zone) == next_day_starts
    tz = ZoneInfo(zone)
    assert (next_day_starts - ONE).astimezone(tz).date() == day
    assert next_day_starts.astimezone(tz).date() == day + datetime.timedelta(days=1)


def test_a_santiago_deadline_on_the_night_the_clocks_go_back_ends_at_four_utc(db):
    from dief.testing import tor_version

    # T-50 of a meeting starting 2026-05-24 is 2026-04-04, the night Chile goes back to -04.
    deadlines = {d.key: d for d in tor_calendar(D(2026, 5, 24), "America/Santiago", tor_version())}
    invitation = deadlines[DeadlineKey.INVITATION]
    assert invitation.due_date == D(2026, 4, 4)
    assert invitation.due_at == datetime.datetime(2026, 4, 5, 3, 59, 59, 999999, tzinfo=UTC)
    # Sent at 23:30 on the 4th, local time after the change, it is on time.
    assert invitation.is_met_by(utc(2026, 4, 5, 3, 30))
    assert not invitation.is_met_by(utc(2026, 4, 5, 4))


def test_every_offered_zone_ends_each_day_where_the_next_local_day_starts():
    """Property, over every zone offered and every day of 2024-2026: the end of day D is on D
    locally, one microsecond later it is D+1 locally, and the ends strictly increase."""
    first, last = D(2024, 1, 1), D(2026, 12, 31)
    checked = 0
    for zone in offered_time_zones():
        tz = ZoneInfo(zone)
        day, previous = first, None
        while day <= last:
            end = end_of_day(day, zone)
            assert end.tzinfo is UTC
            assert end.astimezone(tz).date() == day, (zone, day)
            assert (end + ONE).astimezone(tz).date() == day + datetime.timedelta(days=1), (zone, day)
            assert end + ONE == start_of_day(day + datetime.timedelta(days=1), zone), (zone, day)
            assert previous is None or end > previous, (zone, day)
            previous = end
            day += datetime.timedelta(days=1)
            checked += 1
    assert checked == len(offered_time_zones()) * ((last - first).days + 1)


def test_the_zones_offered_are_canonical_names_without_backward_links():
    zones = set(offered_time_zones())
    assert {"Europe/Zurich", "Asia/Kolkata", "America/Santiago", "Africa/Dakar"} <= zones
    assert not zones & {"Asia/Calcutta", "US/Eastern", "America/Buenos_Aires", "Europe/Kiev", "Asia/Saigon"}
    assert not any(z.startswith("Etc/") for z in zones)


def test_the_meeting_and_profile_forms_offer_only_canonical_zones():
    from accounts.forms import ProfileForm
    from meetings.forms import MeetingForm

    for field in (MeetingForm.base_fields["procedural_time_zone"], ProfileForm.base_fields["time_zone"]):
        values = {v for v, _label in field.choices}
        assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values


def test_a_profile_saved_under_an_old_alias_shows_the_canonical_zone(db):
    from accounts.forms import ProfileForm
    from dief.testing import UserFactory
    from dief.timezones import canonical_time_zone

    assert canonical_time_zone("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical_time_zone("US/Eastern") == "America/New_York"
    assert canonical_time_zone("Europe/Zurich") == "Europe/Zurich"
    user = UserFactory(username="old_alias", time_zone="Asia/Calcutta")
    form = ProfileForm(instance=user)
    assert form["time_zone"].value() == "Asia/Kolkata"
