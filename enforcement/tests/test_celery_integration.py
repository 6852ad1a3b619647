"""The sweep under a real Celery worker and beat, on PostgreSQL and Redis.

The spec: "a reminder becomes due; the worker is killed and Redis is flushed (FLUSHALL)
before it is sent; after restart the reminder is sent exactly once". The database is the
source of truth, so a lost broker message and a worker killed mid-send lose nothing and
send nothing twice.

The integration test skips when DATABASE_URL is not a PostgreSQL URL or Redis does not
answer, and fails instead when DIEF_REQUIRE_INTEGRATION=1 (CI).
"""

import ast
import datetime
import importlib
import os
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections, transaction

from .celery_processes import ROOT, CeleryProcess, SilentSMTPServer, wait_for

REDIS_URL = os.environ.get("DIEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SWEEP_INTERVAL = 1  # seconds, DIEF_SWEEP_INTERVAL_SECONDS of the subprocesses
MAIL_SEPARATOR = "-" * 79  # written by django.core.mail.backends.filebased after each message


# --------------------------------------------------------------------------------------------
# Availability: skip (or, with DIEF_REQUIRE_INTEGRATION=1, fail) before any database is made.


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def _unavailable() -> str | None:
    from django.conf import settings

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return "needs PostgreSQL: DATABASE_URL is not a postgres:// URL"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return f"needs PostgreSQL: the database engine is {settings.DATABASES['default']['ENGINE']}"
    try:
        _redis().ping()
    except Exception as exc:
        return f"needs Redis at {REDIS_URL}: {type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def integration_services():
    """PostgreSQL and Redis, or a skip (a failure with DIEF_REQUIRE_INTEGRATION=1).

    Session-scoped so that it runs before pytest-django's session fixture ``django_db_setup``:
    nothing creates a test database for a test that is skipped."""
    reason = _unavailable()
    if reason:
        if os.environ.get("DIEF_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"{reason} (DIEF_REQUIRE_INTEGRATION=1: the integration test must run)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def integration_db(integration_services, transactional_db):
    """The transactional test database: data the test writes is committed at once, visible to
    the worker's and beat's own connections."""
    assert not connection.in_atomic_block
    # A flush after an earlier transactional test removes the rows of data migration 0003.
    from meetings.models import ToRVersion

    migration = importlib.import_module("meetings.migrations.0003_tor_versions")
    for name, in_force_from in migration.VERSIONS:
        ToRVersion.objects.get_or_create(name=name, defaults={"in_force_from": in_force_from, **migration.NUMBERS})
    yield
    connections.close_all()


def _test_database_url() -> str:
    """DATABASE_URL of the *test* database this process uses (e.g. test_diefint)."""
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or ""
    if s.get("PORT"):
        host += f":{s['PORT']}"
    return f"postgres://{auth}@{host}/{quote(s['NAME'], safe='')}"


def _subprocess_env(var_dir: Path, **extra) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "CELERY_", "DIEF_")) and k != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=_test_database_url(),
        CELERY_BROKER_URL=REDIS_URL,
        DIEF_VAR_DIR=str(var_dir),
        DIEF_SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _mail_messages(mail_dir: Path) -> list[str]:
    """Every message the file backend wrote (it appends a line of dashes after each)."""
    if not mail_dir.exists():
        return []
    messages = []
    for path in sorted(mail_dir.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        messages += [m for m in text.split(MAIL_SEPARATOR) if m.strip()]
    return messages


def _sweeps_done(worker: CeleryProcess) -> int:
    return len(re.findall(r"Task enforcement\.tasks\.sweep\[[^\]]+\] succeeded", worker.log()))


@pytest.mark.celery_integration
def test_a_due_reminder_is_sent_exactly_once_after_worker_kill_and_broker_flush(integration_db, tmp_path):
    from accounts.enums import ParticipantRole, Role
    from dief import clock
    from dief.testing import UserFactory, make_state, meeting_factory
    from enforcement.models import ScheduledTransition
    from meetings.enums import DeadlineKey
    from notifications.enums import NotificationKind
    from notifications.models import Notification

    started = time.monotonic()
    # 1. The data, committed: Secretariat, CSP President, an eligible State and its delegate,
    # a meeting 120 days ahead (invitation deadline T-50 still to come) and a due reminder.
    secretariat = UserFactory(
        username="secretariat", email="secretariat@example.org", role=Role.SECRETARIAT, participant_role=""
    )
    president = UserFactory(username="president", role=Role.CSP_PRESIDENT, participant_role="")
    party = make_state("CHE", name="Switzerland", status="state_party")
    UserFactory(username="delegate_party", state=party, participant_role=ParticipantRole.ENFORCEMENT)
    meeting = meeting_factory(
        start_date=clock.today_in("Europe/Zurich") + datetime.timedelta(days=120),
        created_by=secretariat,
        convened_by=president,
        title="Integration meeting",
    )
    now = clock.now()
    assert not ScheduledTransition.objects.filter(applied_at__isnull=True, due_at__lte=now).exists()
    transition = ScheduledTransition.objects.create(
        meeting=meeting,
        action="reminder",
        deadline_key=DeadlineKey.INVITATION,
        params={"days_before": 14},
        due_at=now - datetime.timedelta(minutes=1),
        dedupe_key=f"celery-integration:{meeting.pk}:{time.time_ns()}",
        meeting_relative=False,
    )
    assert not Notification.objects.exists()

    var_dir = tmp_path / "var"
    var_dir.mkdir()
    mail_dir = var_dir / "mail"  # settings.EMAIL_FILE_PATH = DIEF_VAR_DIR/mail
    redis = _redis()
    redis.flushdb()  # no stale message of an earlier run in the test's own Redis DB
    processes: list[CeleryProcess] = []

    def start(name, *args, **env):
        proc = CeleryProcess(name, list(args), _subprocess_env(var_dir, **env), tmp_path)
        processes.append(proc)
        return proc

    def reminder():
        return Notification.objects.filter(kind=NotificationKind.REMINDER, recipient=secretariat).first()

    try:
        # 2. The first send hangs inside send_pending, holding the row lock: SMTP to a server
        # that never greets, and no EMAIL_TIMEOUT.
        with SilentSMTPServer() as smtp:
            worker = start(
                "worker-1",
                *("worker", "--loglevel=INFO", "--concurrency=1", "--pool=solo"),
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp.port),
            )
            beat = start("beat-1", "beat", "--loglevel=INFO")
            wait_for(
                lambda: ScheduledTransition.objects.filter(pk=transition.pk, applied_at__isnull=False).exists(),
                timeout=30,
                what="the worker to apply the due reminder transition",
            )
            wait_for(lambda: reminder(), timeout=10, what="the reminder in the outbox")
            wait_for(lambda: smtp.accepted, timeout=15, what="the worker to connect to the silent SMTP server")
            time.sleep(1.5)  # stuck: waiting for a greeting that never comes
            assert worker.running() and beat.running()
            stuck = reminder()
            assert stuck.sent_at is None and stuck.attempts == 0
            assert smtp.accepted == 1
            assert not re.search(r"enforcement\.tasks\.sweep\[[^\]]+\] succeeded", worker.log())  # still stuck
            with transaction.atomic():  # the worker holds the row lock while it "sends"
                assert not Notification.objects.select_for_update(skip_locked=True).filter(pk=stuck.pk).exists()

            worker.kill()
            beat.kill()
            redis.flushall()
        assert redis.dbsize() == 0

        # 3. Killed before it was sent: still unsent, and no mail anywhere.
        row = reminder()
        assert row.sent_at is None and row.attempts == 0 and row.last_error == ""
        assert _mail_messages(mail_dir) == []
        killed_at = time.monotonic()

        # 4. Restart (file email backend now): the reminder goes out, exactly once.
        worker = start("worker-2", "worker", "--loglevel=INFO", "--concurrency=1", "--pool=solo")
        start("beat-2", "beat", "--loglevel=INFO")
        wait_for(
            lambda: Notification.objects.filter(pk=row.pk, sent_at__isnull=False).exists(),
            timeout=30,
            what="the restarted worker to send the reminder",
        )
        resent_after = time.monotonic() - killed_at
        # Three more full sweeps (the one that sent it may not be logged yet: count four).
        sweeps = _sweeps_done(worker)
        wait_for(
            lambda: _sweeps_done(worker) >= sweeps + 4,
            timeout=15,
            what="three more sweeps after the reminder was sent",
        )

        messages = _mail_messages(mail_dir)
        to_header = re.compile(rf"^To: {re.escape(secretariat.email)}\s*$", re.MULTILINE)
        assert sum(len(to_header.findall(m)) for m in messages) == 1, messages
        assert len(messages) == 1, messages
        assert "Auto-Submitted: auto-generated" in messages[0]

        row.refresh_from_db()
        assert row.sent_at is not None and row.attempts == 1
        assert Notification.objects.filter(event=row.event, recipient=secretariat, kind=row.kind).count() == 1
        assert Notification.objects.count() == 1
        transition.refresh_from_db()
        assert transition.applied_at is not None
        assert transition.attempts == 0 and transition.outcome == "reminded 1"
        print(
            f"reminder sent {resent_after:.1f} s after the kill and flush; "
            f"scenario took {time.monotonic() - started:.1f} s"
        )
    except BaseException:
        for proc in processes:
            print(f"===== {proc.name} (pid {proc.pid}) log: {proc.log_path} =====\n{proc.log()}")
        raise
    finally:
        for proc in reversed(processes):
            proc.stop()
        connections.close_all()


# --------------------------------------------------------------------------------------------
# Static: no task is put off with a long countdown or an eta (the broker is not a scheduler;
# deadlines are ScheduledTransition rows applied by the periodic sweep).

MAX_COUNTDOWN_SECONDS = 300
CANDIDATE = re.compile(r"\b(?:countdown|eta)\s*=|\bapply_async\(|[\"'](?:countdown|eta)[\"']")


def _constant_seconds(node: ast.AST) -> float | None:
    """The value of a numeric constant expression (literals and + - * / // **), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _constant_seconds(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp):
        left, right = _constant_seconds(node.left), _constant_seconds(node.right)
        if left is None or right is None:
            return None
        ops = {
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b,
            ast.FloorDiv: lambda a, b: a // b,
            ast.Pow: lambda a, b: a**b,
        }
        op = ops.get(type(node.op))
        return None if op is None else op(left, right)
    return None


def long_deferrals(source: str, filename: str) -> list[str]:
    """Every ``eta`` and every ``countdown`` over the limit (or not a constant) in ``source``,
    as keyword arguments of any call (``apply_async``, ``signature``, ``set``, ``dict``...)
    or as keys of a dict literal (task options)."""
    findings = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            pairs = [(kw.arg, kw.value) for kw in node.keywords if kw.arg in ("countdown", "eta")]
        elif isinstance(node, ast.Dict):
            pairs = [
                (key.value, value)
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value in ("countdown", "eta")
            ]
        else:
            continue
        for name, value in pairs:
            where = f"{filename}:{value.lineno}: {name}={ast.unparse(value)}"
            if name == "eta":
                findings.append(f"{where} (an eta defers a task in the broker)")
                continue
            seconds = _constant_seconds(value)
            if seconds is None:
                findings.append(f"{where} (not a constant: cannot show it is at most {MAX_COUNTDOWN_SECONDS} s)")
            elif seconds > MAX_COUNTDOWN_SECONDS:
                findings.append(f"{where} ({seconds:g} s > {MAX_COUNTDOWN_SECONDS} s)")
    return findings


def _project_sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(
            p.startswith(".") or p in ("tests", "node_modules", "__pycache__") or p.endswith("_tests") for p in parts
        ):
            continue
        yield path


def test_no_task_is_scheduled_with_a_long_eta_or_countdown():
    # The checker itself finds what it must find.
    sample = (
        "t.apply_async(countdown=5 * 60)\n"
        "t.apply_async(countdown=301)\n"
        "t.apply_async(eta=when)\n"
        "t.s().set(countdown=delay)\n"
        "OPTIONS = {'countdown': 3600}\n"
    )
    assert sorted(f.split(":")[1] for f in long_deferrals(sample, "sample.py")) == ["2", "3", "4", "5"]

    scanned, offenders = 0, []
    for path in _project_sources():
        text = path.read_text(encoding="utf-8")
        scanned += 1
        if CANDIDATE.search(text):
            offenders += long_deferrals(text, str(path.relative_to(ROOT)))
    assert scanned > 50  # the walk did find the project's modules
    assert offenders == [], "\n".join(offenders)
