"""The reads of a request are prepared on the connection (dief.prepared) and give the same rows:
parameters typed as the written statement typed them, refusals and transactions untouched, the
query log and query counts unchanged."""

import datetime
import decimal
import re
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dief import prepared
from dief.prepared import _numbered, _parameter_types, preparing
from dief.testing import login_verified, meeting_factory
from meetings.models import Meeting

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def test_placeholders_are_numbered_and_doubled_percent_signs_become_one():
    assert _numbered("SELECT a FROM t WHERE b = %s AND c LIKE '10%%' AND d = ANY(%s)") == (
        "SELECT a FROM t WHERE b = $1 AND c LIKE '10%' AND d = ANY($2)",
        2,
    )
    assert _numbered("SELECT 1") == ("SELECT 1", 0)


def test_a_statement_with_named_or_stray_percent_placeholders_is_not_prepared():
    assert _numbered("SELECT a FROM t WHERE b = %(b)s") is None
    assert _numbered("SELECT a FROM t WHERE b LIKE '5%'") is None


def test_parameters_are_typed_as_their_literals_are():
    when = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)
    assert _parameter_types(
        [None, "x", [1, 2], True, 5, 2**40, 2**70, decimal.Decimal("1.5"), 2.5, when, when.date()]
    ) == (
        "unknown",
        "unknown",
        "unknown",
        "boolean",
        "integer",
        "bigint",
        "numeric",
        "numeric",
        "numeric",
        "timestamp with time zone",
        "date",
    )
    assert _parameter_types([when.replace(tzinfo=None), datetime.timedelta(days=1), uuid.uuid4(), b"x"]) == (
        "timestamp without time zone",
        "interval",
        "uuid",
        "bytea",
    )


def test_a_value_of_an_unknown_kind_or_a_float_that_is_not_finite_leaves_the_statement_as_written():
    assert _parameter_types([1, object()]) is None
    assert _parameter_types([float("nan")]) is None
    assert _parameter_types([(1, 2)]) is None


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'dief_%%'")
        return [row[0] for row in cursor.fetchall()]


def _forget_prepared():
    """A fresh connection: none prepared, nothing counted (the test's transaction is kept)."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    raw = connection.connection
    raw.prepared_statements.clear()
    raw.statement_counts.clear()


@on_postgresql
def test_a_read_run_twice_is_prepared_and_gives_the_same_rows(secretariat, president):
    connection.ensure_connection()
    _forget_prepared()
    meetings = [
        meeting_factory(
            start_date=datetime.date(2099, 1, 1) + datetime.timedelta(days=40 * i),
            created_by=secretariat,
            convened_by=president,
            title=f"M{i}",
        )
        for i in range(3)
    ]

    def read():
        return list(
            Meeting.objects.filter(
                pk__in=[m.pk for m in meetings],
                start_date__gte=datetime.date(2099, 1, 2),
                title__startswith="M",
                venue__isnull=False,
            ).values_list("title", flat=True)
        )

    written = read()
    with preparing():
        first, second, third = read(), read(), read()
    assert written == first == second == third == ["M1", "M2"]
    statements = _prepared_statements()
    assert len(statements) == 1
    assert "date" in statements[0].split(" AS ")[0]


@on_postgresql
def test_nothing_is_prepared_outside_a_request(db):
    connection.ensure_connection()
    _forget_prepared()
    for _ in range(4):
        list(Meeting.objects.filter(pk__in=[1, 2]))
    assert _prepared_statements() == []


@on_postgresql
def test_the_query_log_shows_the_statement_as_written_and_counts_it_once(db):
    connection.ensure_connection()
    _forget_prepared()
    with preparing():
        logged = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                list(Meeting.objects.filter(title="Forum", pk__gt=7))
            logged.append([query["sql"] for query in queries.captured_queries])
    assert all(len(sql) == 1 for sql in logged)
    assert logged[0] == logged[1] == logged[2]
    assert "EXECUTE" not in logged[2][0] and "'Forum'" in logged[2][0]
    assert len(_prepared_statements()) == 1


@on_postgresql
def test_a_statement_postgresql_will_not_prepare_runs_as_written_and_the_transaction_goes_on(secretariat):
    connection.ensure_connection()
    _forget_prepared()
    with preparing(), transaction.atomic():
        for _ in range(3):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 WHERE %s IS NULL", [None])
                assert cursor.fetchall() == [(1,)]
        # the transaction still works after the refusal
        secretariat.first_name = "Ana"
        secretariat.save(update_fields=["first_name"])
    assert _prepared_statements() == []
    secretariat.refresh_from_db()
    assert secretariat.first_name == "Ana"


@on_postgresql
def test_beyond_the_limit_the_least_recently_used_statement_is_deallocated(db, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PREPARED", 2)
    connection.ensure_connection()
    _forget_prepared()
    with preparing():
        for title in ("a", "b", "c"):
            for _ in range(2):
                list(Meeting.objects.filter(title=title).values_list("pk"))
                list(Meeting.objects.filter(venue=title).values_list("pk"))
                list(Meeting.objects.filter(host_session_name=title).values_list("pk"))
        assert len(_prepared_statements()) == 2
        # the deallocated one prepares again and still answers
        for _ in range(3):
            assert list(Meeting.objects.filter(title="a").values_list("pk")) == []
    assert len(_prepared_statements()) == 2


@on_postgresql
def test_a_server_side_cursor_reads_as_written(secretariat, president):
    connection.ensure_connection()
    _forget_prepared()
    meeting_factory(
        start_date=datetime.date(2099, 1, 1), created_by=secretariat, convened_by=president, title="Iterated"
    )
    with preparing(), transaction.atomic():
        for _ in range(3):
            assert [m.title for m in Meeting.objects.filter(title="Iterated").iterator(chunk_size=1)] == ["Iterated"]


@on_postgresql
def test_a_page_read_twice_prepares_its_reads_and_shows_the_same(client, delegate_party):
    connection.ensure_connection()
    _forget_prepared()
    login_verified(client, delegate_party)
    # the same page but for its form tokens, which change on every response
    pages = [re.sub(rb'value="[^"]{64}"', b"", client.get("/meetings/").content) for _ in range(3)]
    assert pages[0] == pages[1] == pages[2]
    assert _prepared_statements(), "the session, user and meetings reads are prepared"


@on_postgresql
def test_a_read_asked_to_run_on_its_generic_plan_does_so_and_leaves_the_setting_as_it_was(secretariat, president):
    connection.ensure_connection()
    _forget_prepared()
    meeting_factory(start_date=datetime.date(2099, 1, 1), created_by=secretariat, convened_by=president, title="G")

    def read():
        with prepared.generic_plan(), connection.cursor() as cursor:
            cursor.execute("SELECT title FROM meetings_meeting WHERE start_date >= %s", [datetime.date(2098, 1, 1)])
            return cursor.fetchall()

    with preparing():
        assert [read() for _ in range(3)] == [[("G",)]] * 3
        with transaction.atomic():
            assert read() == [("G",)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'dief_%%'")
        assert cursor.fetchall() == [(3, 0)]
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("auto",)
