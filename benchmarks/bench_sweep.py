"""Benchmark of the deadline sweep: N meetings with their 24 transitions each.

Run against a scratch database (it creates and deletes its own rows):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/diefbench .venv/bin/python manage.py migrate -v0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/diefbench .venv/bin/python benchmarks/bench_sweep.py 1000
Prints the time and query count of a sweep with nothing due, and of one that applies a
reminder of every meeting.
"""

import datetime
import os
import sys
import time
import tracemalloc

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dief.settings")
django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.enums import Role  # noqa: E402
from dief.testing import UserFactory, tor_version  # noqa: E402
from enforcement.models import ScheduledTransition  # noqa: E402
from enforcement.services import _planned, sweep  # noqa: E402
from meetings.models import Invitation, Meeting  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
UTC = datetime.UTC


def main():
    version = tor_version()
    secretariat = UserFactory(username=f"bench-sec-{time.time_ns()}", role=Role.SECRETARIAT, participant_role="")
    president = UserFactory(username=f"bench-pres-{time.time_ns()}", role=Role.CSP_PRESIDENT, participant_role="")
    start = datetime.date(2200, 1, 1)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"bench {i}",
            start_date=start + datetime.timedelta(days=i),
            end_date=start + datetime.timedelta(days=i),
            venue="Geneva",
            host_session="csp",
            host_session_name="CSP",
            tor_version=version,
            convened_by=president,
            convened_on=start,
            created_by=secretariat,
        )
        for i in range(N)
    )
    Invitation.objects.bulk_create(Invitation(meeting=m) for m in meetings)
    rows = [ScheduledTransition(meeting=m, dedupe_key=k, **f) for m in meetings for k, f in _planned(m).items()]
    ScheduledTransition.objects.bulk_create(rows, batch_size=2000)
    print(f"{N} meetings, {len(rows)} scheduled transitions")
    try:
        now = datetime.datetime(2199, 1, 1, tzinfo=UTC)
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            sweep(now)
            idle = time.perf_counter() - t
        print(f"nothing due: {idle * 1000:.1f} ms, {len(q.captured_queries)} queries")
        first = min(r.due_at for r in rows)
        ScheduledTransition.objects.filter(
            meeting__in=meetings, action="reminder", params__days_before=14, deadline_key="invitation"
        ).update(due_at=first)
        tracemalloc.start()
        t = time.perf_counter()
        applied = sweep(first)
        busy = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{applied} due: {busy:.2f} s ({busy / max(applied, 1) * 1000:.1f} ms each), "
            f"peak Python memory {peak / 2**20:.1f} MiB"
        )
    finally:
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).delete()
        secretariat.delete()
        president.delete()
        reset_queries()


if __name__ == "__main__":
    main()
