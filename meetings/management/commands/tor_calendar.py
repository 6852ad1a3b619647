import datetime
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dief import clock
from meetings.deadlines import tor_calendar
from meetings.models import ToRVersion


class Command(BaseCommand):
    help = "Print the ToR calendar (rules 8, 9, 10, 12) for a meeting starting on a given date."

    def add_arguments(self, parser):
        parser.add_argument("start_date", help="meeting start date, YYYY-MM-DD")
        parser.add_argument(
            "--tz", default=settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE, help="procedural time zone (IANA)"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON list")
        parser.add_argument("--tor-version", help="name of the ToR version (default: the one in force today)")

    def handle(self, *args, start_date, tz, json: bool, tor_version, **options):
        try:
            start = datetime.date.fromisoformat(start_date)
        except ValueError as exc:
            raise CommandError(f"{start_date!r} is not a date of the form YYYY-MM-DD") from exc
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"{tz!r} is not an IANA time zone (Geneva is Europe/Zurich)") from exc
        if tor_version:
            version = ToRVersion.objects.filter(name=tor_version).first()
            if version is None:
                raise CommandError(f"no ToR version named {tor_version!r}")
        else:
            version = ToRVersion.in_force_on(clock.today_in(tz))
        deadlines = tor_calendar(start, tz, version)
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps([d.as_json() for d in deadlines], indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"ToR calendar for a meeting starting {start.isoformat()} ({tz}; {version.name})")
        for d in deadlines:
            self.stdout.write(
                f"  ToR rule {d.rule:>2}  T-{d.days_before:<3} {d.due_date.isoformat()}  "
                f"{d.due_at_procedural.isoformat(timespec='seconds')}  {d.label}"
            )
