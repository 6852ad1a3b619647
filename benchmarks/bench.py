"""dief's benchmark at ten times the ATT's scale, on PostgreSQL: ``make bench``.

Builds (once) the data set of ``benchmarks/data.py`` in its own database (``BENCH_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/diefbench``), then measures in one run:

1. each main page's median and p95 for a delegate of a busy State and for the Secretariat, as a
   ratio to the bare view (``/bench/bare/``, only in ``benchmarks/settings.py``) requested
   alternately with it (so both see the same machine), with its queries and size;
2. each list page's query count with 10 and with 1,000 visible rows;
3. the sweep with nothing due over 10,000 meetings, and with 1,000 transitions due;
4. the time to drain a 2,000-recipient invitation through the outbox (locmem mail backend);
5. a 16-client load run (gunicorn as ``gunicorn.conf.py`` configures it, locust, after a
   discarded warm-up, bounded in time): the page mix's p95 against the bare view's p95, each
   page's figures in the mix, and every failure (status and URL).

Prints the figures and writes them to ``benchmarks/results/latest.md`` and ``latest.json``.
``--fresh`` rebuilds the database; ``--quick`` runs fewer repetitions and a shorter load run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/diefbench"


def _ensure_database(url: str, fresh: bool) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and fresh:
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_figures(parts: list[dict], seconds: float) -> dict:
    """Totals and each page's figures over the locust runs ``parts`` (every response time)."""
    by_page: dict[str, list] = {}
    for part in parts:
        for name, ms, ok in part["times"]:
            by_page.setdefault(name, []).append((ms, ok))

    def figures(rows):
        times = [ms for ms, _ok in rows]
        return {
            "requests": len(rows),
            "failures": sum(1 for _ms, ok in rows if not ok),
            "median_ms": statistics.median(times) if times else 0.0,
            "p95_ms": _percentile(times, 0.95) if times else 0.0,
            "rps": len(rows) / seconds,
        }

    total = figures([row for rows in by_page.values() for row in rows])
    total["pages"] = {name: figures(rows) for name, rows in sorted(by_page.items())}
    merged: dict[tuple, int] = {}
    for part in parts:
        for f in part["failures"]:
            merged[(f["name"], f["error"])] = merged.get((f["name"], f["error"]), 0) + f["occurrences"]
    total["failure_list"] = [{"name": n, "error": e, "occurrences": k} for (n, e), k in merged.items()]
    return total


class Bench:
    def __init__(self, args):
        self.args = args
        self.results: dict = {
            "started_at": None,
            "pages": {},
            "list_queries": {},
            "sweep": {},
            "outbox": {},
            "load": {},
        }

    # ------------------------------------------------------------------ setup
    def setup(self):
        import django

        django.setup()
        from django.core.management import call_command

        from benchmarks import data
        from dief import clock

        self.results["started_at"] = clock.now().isoformat()
        self.results["load_average"] = [round(os.getloadavg()[0], 1)]
        call_command("migrate", verbosity=0)
        call_command("import_states", verbosity=0)
        data.build(log=lambda m: print(f"  data: {m}", flush=True))
        from django.db import connection

        with connection.cursor() as cur:
            # planner statistics, as autovacuum keeps them in production (a copied or freshly
            # built database has none, and its plans would be guesses)
            cur.execute("ANALYZE")
        self._counts()

    def _counts(self):
        from accounts.models import User
        from documents.models import Document
        from meetings.models import Meeting
        from presentations.models import Presentation
        from states.models import State

        tables = ["meetings_meetinggroupobjectpermission", "presentations_presentationgroupobjectpermission"]
        from django.db import connection

        perms = 0
        with connection.cursor() as cur:
            for t in tables:
                cur.execute(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed table names
                perms += cur.fetchone()[0]
        self.results["data"] = {
            "states": State.objects.count(),
            "users": User.objects.count(),
            "meetings": Meeting.objects.count(),
            "presentations": Presentation.objects.count(),
            "documents": Document.objects.count(),
            "permission_rows": perms,
        }
        print("data set:", self.results["data"], flush=True)

    def client_for(self, username):
        from django.test import Client

        from accounts.models import User
        from dief.testing import login_verified

        client = Client()
        login_verified(client, User.objects.get(username=username))
        return client

    # ------------------------------------------------------------------ 1. pages
    def pages(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import NoReverseMatch, reverse

        from dief import clock
        from documents.models import Document
        from meetings.models import Meeting
        from presentations.models import Presentation

        today = clock.today_in("Europe/Zurich")
        upcoming = Meeting.objects.filter(title__startswith="DIEF benchmark", start_date__gte=today).first()
        busy_presentation = Presentation.objects.filter(presenting_state__iso3="FRA").order_by("-pk").first()
        document = Document.objects.filter(presentation=busy_presentation).first()
        pages = [
            ("bare view", "bench_bare", []),
            ("what is due", "due:list", []),
            ("meetings", "meetings:list", []),
            ("meeting", "meetings:detail", [upcoming.pk]),
            ("ToR calendar", "meetings:calendar", [upcoming.pk]),
            ("agenda", "meetings:agenda", [upcoming.pk]),
            ("delegations", "meetings:delegations", [upcoming.pk]),
            ("presentations", "presentations:list", []),
            ("presentation", "presentations:detail", [busy_presentation.pk]),
            ("document download", "documents:download", [document.token]),
            ("released items", "meetings:released", []),
            ("calendar .ics", "due:ics", []),
        ]
        for optional in (
            ("information records", "exchange:list", []),
            ("briefings", "briefings:list", []),
            ("participation", "participation:overview", []),
            ("expert proposals", "experts:list", []),
        ):
            pages.append(optional)
        runs = 8 if self.args.quick else 25
        for persona in ("bench_busy0", "bench_secretariat"):
            client = self.client_for(persona)
            bare_url = reverse("bench_bare")
            rows = {}
            for label, name, args in pages:
                try:
                    url = reverse(name, args=args)
                except NoReverseMatch:
                    continue
                for _ in range(2):
                    client.get(url)
                times = []
                with CaptureQueriesContext(connection) as q:
                    response = client.get(url)
                queries = len(q.captured_queries)
                size = len(b"".join(response.streaming_content) if response.streaming else response.content)
                if response.status_code != 200:
                    rows[label] = {"status": response.status_code}
                    continue
                # Each request of the page follows one of the bare view, so that both see the same
                # machine (other load, CPU frequency, caches): the ratio is taken to those bare runs.
                beside = []
                for _ in range(runs):
                    if url != bare_url:
                        t = time.perf_counter()
                        client.get(bare_url)
                        beside.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    r = client.get(url)
                    if r.streaming:
                        b"".join(r.streaming_content)
                    times.append((time.perf_counter() - t) * 1000)
                rows[label] = {
                    "url": url,
                    "median_ms": statistics.median(times),
                    "p95_ms": _percentile(times, 0.95),
                    "bare_median_ms": statistics.median(beside or times),
                    "queries": queries,
                    "bytes": size,
                }
            for row in rows.values():
                if "median_ms" in row:
                    row["ratio"] = row["median_ms"] / row["bare_median_ms"]
            self.results["pages"][persona] = rows
            print(f"\npages for {persona} (median / p95 ms, x bare, bare beside ms, queries, KB):", flush=True)
            for label, row in rows.items():
                if "median_ms" in row:
                    print(
                        f"  {label:<22} {row['median_ms']:7.1f} {row['p95_ms']:7.1f}  {row['ratio']:5.2f}x"
                        f"  {row['bare_median_ms']:5.1f}  {row['queries']:3d} q  {row['bytes'] / 1024:7.1f} KB",
                        flush=True,
                    )
                else:
                    print(f"  {label:<22} status {row['status']}", flush=True)

    # ------------------------------------------------------------------ 2. list query counts
    def list_queries(self):
        from django.contrib.auth.models import Group
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from guardian.shortcuts import assign_perm

        from accounts.enums import Role
        from accounts.models import User
        from accounts.services import sync_groups
        from dief import clock
        from dief.testing import tor_version
        from meetings.models import Invitation, Meeting, MeetingGroupObjectPermission
        from presentations.models import Presentation, PresentationGroupObjectPermission
        from states.models import State

        counts = {}
        for n in (10, 1000):
            with transaction.atomic():
                state = State.objects.filter(iso3="CHE").get()
                group = state.group
                user = User.objects.create(
                    username=f"bench_probe_{n}", role=Role.DELEGATE, state=state, participant_role="policy"
                )
                sync_groups(user)
                # only what the probe is given: clear the State's existing grants in this transaction
                MeetingGroupObjectPermission.objects.filter(group=group).delete()
                PresentationGroupObjectPermission.objects.filter(group=group).delete()
                president = User.objects.get(username="bench_president")
                version = tor_version()
                today = clock.today_in("Europe/Zurich")
                meetings = Meeting.objects.bulk_create(
                    Meeting(
                        title=f"probe {i}",
                        start_date=today + datetime.timedelta(days=400 + i),
                        end_date=today + datetime.timedelta(days=400 + i),
                        venue="Geneva",
                        host_session="csp",
                        host_session_name="CSP",
                        tor_version=version,
                        convened_by=president,
                        convened_on=today,
                        created_by=president,
                    )
                    for i in range(n)
                )
                Invitation.objects.bulk_create(Invitation(meeting=m) for m in meetings)
                perm_m = MeetingGroupObjectPermission
                from django.contrib.auth.models import Permission

                view_meeting = Permission.objects.get(codename="view_meeting", content_type__app_label="meetings")
                perm_m.objects.bulk_create(
                    perm_m(content_object=m, group=group, permission=view_meeting) for m in meetings
                )
                presentations = Presentation.objects.bulk_create(
                    Presentation(
                        meeting=meetings[i % len(meetings)],
                        presenting_state=state,
                        registered_by=user,
                        registered_at=meetings[0].created_at,
                        kind="case",
                        title=f"probe {i}",
                        summary="s",
                    )
                    for i in range(n)
                )
                assign_perm("presentations.view_presentation", Group.objects.filter(pk=group.pk), presentations[0])
                view_p = Permission.objects.get(codename="view_presentation")
                PresentationGroupObjectPermission.objects.bulk_create(
                    PresentationGroupObjectPermission(content_object=p, group=group, permission=view_p)
                    for p in presentations[1:]
                )
                client = self.client_for(user.username)
                for label, name in (
                    ("meetings", "meetings:list"),
                    ("presentations", "presentations:list"),
                    ("what is due", "due:list"),
                    ("calendar .ics", "due:ics"),
                ):
                    client.get(reverse(name))
                    with CaptureQueriesContext(connection) as q:
                        client.get(reverse(name))
                    counts.setdefault(label, {})[n] = len(q.captured_queries)
                transaction.set_rollback(True)
        self.results["list_queries"] = counts
        print("\nlist pages' queries with 10 and 1,000 visible rows:", flush=True)
        for label, c in counts.items():
            print(f"  {label:<16} {c[10]:3d} / {c[1000]:3d}  {'constant' if c[10] == c[1000] else 'GROWS'}", flush=True)

    # ------------------------------------------------------------------ 3. sweep
    def sweep(self):
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from accounts.models import User
        from dief.testing import tor_version
        from enforcement.models import ScheduledTransition
        from enforcement.services import _planned, sweep
        from meetings.models import Invitation, Meeting

        with transaction.atomic():
            president = User.objects.get(username="bench_president")
            version = tor_version()
            start = datetime.date(2300, 1, 1)
            extra = Meeting.objects.bulk_create(
                (
                    Meeting(
                        title=f"sweep {i}",
                        start_date=start + datetime.timedelta(days=i),
                        end_date=start + datetime.timedelta(days=i),
                        venue="Geneva",
                        host_session="csp",
                        host_session_name="CSP",
                        tor_version=version,
                        convened_by=president,
                        convened_on=start,
                        created_by=president,
                    )
                    for i in range(10_000 - Meeting.objects.count())
                ),
                batch_size=2000,
            )
            Invitation.objects.bulk_create((Invitation(meeting=m) for m in extra), batch_size=2000)
            ScheduledTransition.objects.bulk_create(
                (ScheduledTransition(meeting=m, dedupe_key=k, **f) for m in extra for k, f in _planned(m).items()),
                batch_size=5000,
            )
            now = datetime.datetime(2299, 1, 1, tzinfo=datetime.UTC)
            ScheduledTransition.objects.filter(due_at__lte=now, applied_at__isnull=True).update(applied_at=now)
            # A database that holds 10,000 meetings has statistics that say so (autovacuum keeps
            # them): without this the planner still sees the 100 meetings of the data set.
            with connection.cursor() as cur:
                cur.execute("ANALYZE enforcement_scheduledtransition, meetings_meeting, meetings_invitation")
            idle = []
            for _ in range(5):
                with CaptureQueriesContext(connection) as q:
                    t = time.perf_counter()
                    sweep(now)
                    idle.append((time.perf_counter() - t) * 1000)
            due = list(
                ScheduledTransition.objects.filter(
                    meeting__in=extra[:1000], action="reminder", params__days_before=14, deadline_key="invitation"
                ).values_list("pk", flat=True)
            )
            first_due = min(m.start_date for m in extra[:1000])
            at = datetime.datetime.combine(first_due - datetime.timedelta(days=400), datetime.time(), datetime.UTC)
            ScheduledTransition.objects.filter(pk__in=due).update(due_at=at)
            with CaptureQueriesContext(connection) as q2:
                t = time.perf_counter()
                applied = sweep(at)
                busy = time.perf_counter() - t
            transaction.set_rollback(True)
        self.results["sweep"] = {
            "meetings": 10_000,
            "nothing_due_ms": statistics.median(idle),
            "nothing_due_queries": len(q.captured_queries),
            "due": applied,
            "due_seconds": busy,
            "due_queries": len(q2.captured_queries),
        }
        print(
            f"\nsweep over 10,000 meetings: nothing due {statistics.median(idle):.1f} ms, "
            f"{len(q.captured_queries)} queries; {applied} due: {busy:.2f} s, {len(q2.captured_queries)} queries",
            flush=True,
        )

    # ------------------------------------------------------------------ 4. outbox
    def outbox(self):
        """A 2,000-recipient invitation, queued as ``send_invitation`` queues it (to the active
        delegates of the States eligible today: nobody the sender would withhold it from), drained
        by two workers sharing the outbox. The data set has fewer delegates than that, so
        delegates of eligible States are added for the run and removed after it."""
        from django.contrib.auth.hashers import make_password

        from accounts.enums import Role
        from accounts.models import User
        from meetings.models import Meeting
        from meetings.queries import procedural_today
        from notifications.enums import NotificationKind
        from notifications.models import Notification
        from notifications.services import queue
        from states.queries import eligible_states

        target, workers = 2000, 2
        meeting = Meeting.objects.filter(title__startswith="DIEF benchmark").last()
        states = list(eligible_states(procedural_today()).order_by("iso3"))
        delegates = User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=states)
        User.objects.filter(username__startswith="bench_outbox").delete()
        missing = target - delegates.count()
        if missing > 0:
            password = make_password(None)
            User.objects.bulk_create(
                User(
                    username=f"bench_outbox{i}",
                    password=password,
                    role=Role.DELEGATE,
                    state=states[i % len(states)],
                    participant_role="policy",
                    email=f"bench_outbox{i}@bench.example.org",
                    language=("en", "fr", "es")[i % 3],
                )
                for i in range(missing)
            )
        recipients = list(delegates.order_by("pk")[:target])
        event = f"bench-outbox:{meeting.pk}"
        Notification.objects.filter(event=event).delete()
        queue(event, recipients, NotificationKind.INVITATION, meeting=meeting, context={"start_date": "2099-01-01"})
        # Workers are processes, as Celery's are (prefork), not threads sharing one interpreter.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
        t = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--drain-worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        addresses = []
        for proc in procs:
            out, _err = proc.communicate(timeout=600)
            addresses += json.loads(out.strip().splitlines()[-1])["to"]
        elapsed = time.perf_counter() - t
        rows = Notification.objects.filter(event=event)
        sent = rows.filter(sent_at__isnull=False).count()
        withheld = rows.filter(withheld_at__isnull=False).count()
        self.results["outbox"] = {
            "recipients": len(recipients),
            "sent": sent,
            "withheld": withheld,
            "unsent": rows.filter(sent_at__isnull=True, withheld_at__isnull=True).count(),
            "emails": len(addresses),
            "distinct_addresses": len(set(addresses)),
            "workers": workers,
            "seconds": elapsed,
        }
        print(
            f"\noutbox: {sent} of {len(recipients)} invitations sent by {workers} workers in {elapsed:.1f} s "
            f"({withheld} withheld; {len(addresses)} emails to {len(set(addresses))} addresses)",
            flush=True,
        )
        rows.delete()
        User.objects.filter(username__startswith="bench_outbox").delete()

    # ------------------------------------------------------------------ 5. load
    def load(self):
        """16 clients with no pause against gunicorn started as production starts it
        (``gunicorn.conf.py``: its workers, preloaded application, persistent database
        connections with health checks). Each client holds the session of one persona and
        fetches the pages that answered 200 for that persona in part 1.

        Fair to both sides: every worker first serves every page (templates compiled, database
        connections open; not measured); the bare view and the page mix then run in alternate
        slices of equal length, so a change in the machine's other load falls on both, under the
        same client; percentiles are computed over every response of the slices."""
        import runpy
        from concurrent.futures import ThreadPoolExecutor
        from urllib.request import Request, urlopen

        from django.conf import settings

        clients = []
        for persona in ("bench_busy0", "bench_secretariat"):
            rows = self.results["pages"].get(persona, {})
            clients.append(
                {
                    "session": self.client_for(persona).cookies[settings.SESSION_COOKIE_NAME].value,
                    "pages": [
                        [label, row["url"]] for label, row in rows.items() if "url" in row and label != "bare view"
                    ],
                }
            )
        bare = [{"session": c["session"], "pages": [["bare view", "/bench/bare/"]]} for c in clients]
        config = ROOT / "gunicorn.conf.py"
        workers = runpy.run_path(str(config))["workers"]
        port = _free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        slices, seconds = (3, 5) if self.args.quick else (4, 10)

        def fetch(session_url):
            session, url = session_url
            cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
            with urlopen(Request(f"http://127.0.0.1:{port}{url}", headers={"Cookie": cookie}), timeout=120) as r:
                r.read()

        with tempfile.TemporaryDirectory() as tmp:
            errors = Path(tmp) / "gunicorn.log"
            server = subprocess.Popen(
                [
                    str(gunicorn),
                    "--config",
                    str(config),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                    "--error-logfile",
                    str(errors),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                for _ in range(150):
                    with socket.socket() as s:
                        if s.connect_ex(("127.0.0.1", port)) == 0:
                            break
                    time.sleep(0.2)
                # Warm-up: as many concurrent fetches as workers, each page of each persona
                # twice per worker, so that (almost surely) every worker has served every page.
                todo = [(c["session"], url) for c in clients for _label, url in c["pages"] + bare[0]["pages"]] * (
                    2 * workers
                )
                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(fetch, todo))
                runs = {"bare view": [], "page mix": []}
                for _ in range(slices):
                    runs["bare view"].append(self._locust(port, bare, seconds))
                    runs["page mix"].append(self._locust(port, clients, seconds))
            finally:
                server.terminate()
                server.wait(60)
            server_errors = [line for line in errors.read_text().splitlines() if "rror" in line]
        out = {"workers": workers, "seconds": seconds * slices, "slices": slices}
        for label, parts in runs.items():
            out[label] = _load_figures(parts, seconds * slices)
        out["server_errors"] = server_errors[:20]
        out["ratio_p95"] = out["page mix"]["p95_ms"] / max(out["bare view"]["p95_ms"], 0.1)
        self.results["load"] = out
        print(
            f"\n16 clients, {slices} x {seconds} s each, gunicorn with {workers} workers: bare view p95 "
            f"{out['bare view']['p95_ms']:.0f} ms ({out['bare view']['rps']:.0f} req/s); page mix p95 "
            f"{out['page mix']['p95_ms']:.0f} ms ({out['page mix']['rps']:.0f} req/s, "
            f"{out['page mix']['failures']} failures); p95 ratio {out['ratio_p95']:.1f}x",
            flush=True,
        )
        for label, row in out["page mix"]["pages"].items():
            print(
                f"  {label:<22} {row['requests']:5d} req  median {row['median_ms']:5.0f}  p95 {row['p95_ms']:5.0f} ms"
            )
        for failure in out["page mix"]["failure_list"] + out["bare view"]["failure_list"]:
            print(f"  FAILED {failure['occurrences']}x {failure['name']}: {failure['error']}", flush=True)
        for line in server_errors[:5]:
            print(f"  server: {line}", flush=True)

    def _locust(self, port, clients, seconds):
        """Run 16 locust clients for ``seconds`` over ``clients`` (session and [label, url] pairs,
        taken in turn); returns every response time and the failures."""
        import csv

        from django.conf import settings

        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "spec.json"
            spec.write_text(json.dumps({"clients": clients, "cookie": settings.SESSION_COOKIE_NAME}))
            prefix = Path(tmp) / "stats"
            times = Path(tmp) / "times.json"
            locust = Path(sys.executable).parent / "locust"
            subprocess.run(
                [
                    str(locust),
                    "-f",
                    str(ROOT / "benchmarks" / "locustfile.py"),
                    "--headless",
                    "-u",
                    "16",
                    "-r",
                    "16",
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "30",
                    "--loglevel",
                    "WARNING",
                ],
                env={**os.environ, "DIEF_BENCH_SPEC": str(spec), "DIEF_BENCH_TIMES": str(times)},
                cwd=ROOT,
                check=False,
                timeout=seconds + 120,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with open(f"{prefix}_failures.csv") as f:
                failures = [
                    {"name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
                    for r in csv.DictReader(f)
                ]
            return {"times": json.loads(times.read_text()), "failures": failures}

    # ------------------------------------------------------------------ report
    def write(self):
        self.results["load_average"] = self.results.get("load_average", []) + [round(os.getloadavg()[0], 1)]
        out_dir = ROOT / "benchmarks" / "results"
        out_dir.mkdir(exist_ok=True)
        (out_dir / "latest.json").write_text(json.dumps(self.results, indent=2, default=str))
        lines = [
            "# Benchmark results",
            "",
            f"Run at {self.results['started_at']} (`make bench`), on {os.cpu_count()} cores; load average "
            + " at the start, ".join(str(v) for v in self.results["load_average"])
            + " at the end (other work on the machine slows every figure; compare ratios within a run).",
            "",
            "Data: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in self.results["data"].items()),
            "",
        ]
        for persona, rows in self.results["pages"].items():
            lines += [
                f"## Pages for {persona}",
                "",
                "| page | median ms | p95 ms | x bare | bare beside ms | queries | KB |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for label, row in rows.items():
                if "median_ms" in row:
                    lines.append(
                        f"| {label} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {row['ratio']:.2f} | "
                        f"{row['bare_median_ms']:.1f} | "
                        f"{row['queries']} | {row['bytes'] / 1024:.1f} |"
                    )
            lines.append("")
        if self.results["list_queries"]:
            lines += [
                "## List pages' queries, 10 and 1,000 visible rows",
                "",
                "| page | 10 | 1,000 |",
                "| --- | ---: | ---: |",
            ]
            lines += [f"| {k} | {v[10]} | {v[1000]} |" for k, v in self.results["list_queries"].items()]
            lines.append("")
        if self.results["sweep"]:
            s = self.results["sweep"]
            lines += [
                "## Sweep",
                "",
                f"- 10,000 meetings, nothing due: {s['nothing_due_ms']:.1f} ms, {s['nothing_due_queries']} queries",
                f"- {s['due']} transitions due: {s['due_seconds']:.2f} s, {s['due_queries']} queries",
                "",
            ]
        if self.results["outbox"]:
            o = self.results["outbox"]
            lines += [
                "## Outbox",
                "",
                f"- {o['sent']} of {o['recipients']} invitation emails sent by {o['workers']} "
                f"workers in {o['seconds']:.1f} s ({o['withheld']} withheld, {o['unsent']} left unsent; "
                f"{o['emails']} emails to {o['distinct_addresses']} distinct addresses)",
                "",
            ]
        if self.results["load"]:
            ld = self.results["load"]
            lines += [
                f"## 16 clients, no pause, {ld['slices']} alternate slices, {ld['seconds']} s each in all "
                f"(gunicorn.conf.py: {ld['workers']} workers; locust)",
                "",
                "| | requests | failures | median ms | p95 ms | req/s |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for label in ("bare view", "page mix"):
                r = ld[label]
                lines.append(
                    f"| {label} | {r['requests']} | {r['failures']} | {r['median_ms']:.0f} | "
                    f"{r['p95_ms']:.0f} | {r['rps']:.0f} |"
                )
            lines += ["", f"p95 ratio: {ld['ratio_p95']:.1f}x", "", "Pages of the mix:", ""]
            lines += ["| page | requests | failures | median ms | p95 ms |", "| --- | ---: | ---: | ---: | ---: |"]
            for label, r in ld["page mix"]["pages"].items():
                lines.append(
                    f"| {label} | {r['requests']} | {r['failures']} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} |"
                )
            failures = ld["page mix"]["failure_list"] + ld["bare view"]["failure_list"]
            if failures:
                lines += ["", "Failures:", ""]
                lines += [f"- {f['occurrences']}x {f['name']}: {f['error']}" for f in failures]
            lines.append("")
        (out_dir / "latest.md").write_text("\n".join(lines))
        print(f"\nwritten to {out_dir / 'latest.md'}", flush=True)


def drain_worker() -> None:
    """One outbox worker of the benchmark (a process of its own): drains, then prints as JSON
    the addresses of the emails it sent (locmem backend: nothing leaves the machine)."""
    import django

    django.setup()
    from django.core import mail

    from notifications.services import drain

    mail.outbox = []
    sent = drain(seconds=300)
    print(json.dumps({"sent": sent, "to": [m.to[0] for m in mail.outbox]}), flush=True)


def main():
    if sys.argv[1:] == ["--drain-worker"]:
        drain_worker()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, a shorter load run")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: pages,lists,sweep,outbox,load")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    _ensure_database(url, args.fresh)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    bench = Bench(args)
    bench.setup()
    skip = set(filter(None, args.skip.split(",")))
    for part, run in (
        ("pages", bench.pages),
        ("lists", bench.list_queries),
        ("sweep", bench.sweep),
        ("outbox", bench.outbox),
        ("load", bench.load),
    ):
        if part not in skip and not (part == "load" and "pages" in skip):
            run()
    bench.write()


if __name__ == "__main__":
    main()
