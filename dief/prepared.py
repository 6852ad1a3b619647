"""Server-side prepared statements for the reads of a web request, on PostgreSQL through psycopg2.

PostgreSQL plans every statement it receives. A page's reads are few but not simple (the access
condition of ``accounts.access.Granted`` on several tables, joins for ``select_related``): planning
them costs more than running them, about 0.3-2 ms each, on every request. A statement prepared on
the connection is planned for its first five runs, then PostgreSQL keeps one generic plan for it
unless that plan's estimated cost is well above the plans made for the actual values
(``plan_cache_mode`` ``auto``, PostgreSQL's default: forcing the generic plan was tried and
turned a 1 ms list into 360 ms once a table's statistics were off). Persistent connections
(``CONN_MAX_AGE``) keep the statements.

psycopg2 has no automatic preparation (psycopg 3's ``prepare_threshold``); this module gives
it the same behaviour, for the reads of a request only:

* :class:`PreparingConnection` is the connection class (``OPTIONS["connection_factory"]``, set in
  settings when the database is PostgreSQL); its cursors are :class:`PreparingCursor`.
* A statement is prepared when it is a read (``SELECT``, ``WITH`` or a parenthesised ``SELECT``)
  with positional parameters, runs inside :func:`preparing` (the web request, see
  :class:`PreparedReadsMiddleware`), and has run :data:`THRESHOLD` times on the connection with
  parameters of the same types. Anything else (writes, migrations, the sweep, Celery,
  ``executemany``, server-side cursors) runs as usual.
* Each parameter is declared with the type psycopg2 gives the literal it would have written
  (``5`` an integer, a date ``'...'::date``, a string none until its context gives one), so the
  prepared statement means what the written one did; a value of another kind is not prepared.
* At most :data:`MAX_PREPARED` statements per connection: the least recently used is deallocated.
* A statement PostgreSQL refuses to prepare (a parameter whose type it cannot infer) runs as
  written from then on; preparing inside a transaction is wrapped in a savepoint, so a refusal
  changes nothing.

Query counts are unchanged: Django's cursor wrapper records the statement as written, and the
one-time ``PREPARE`` goes under it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import math
import re
import uuid
from collections import OrderedDict

import psycopg2
import psycopg2.extensions

#: Runs of the same statement on a connection before it is prepared.
THRESHOLD = 2
#: Prepared statements kept per connection; the least recently used is deallocated beyond it.
MAX_PREPARED = 200
#: Statements counted per connection before the counts start again (bounds memory).
MAX_COUNTED = 2000

_active: contextvars.ContextVar[bool] = contextvars.ContextVar("dief_prepared_reads", default=False)
_generic: contextvars.ContextVar[bool] = contextvars.ContextVar("dief_generic_plan", default=False)
_READ = re.compile(r"\s*(?:\(\s*)*(?:SELECT|WITH)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%%|%s|%")
#: Statements PostgreSQL would not prepare, in this process (their text, as Django wrote them).
_refused: set[str] = set()


@contextlib.contextmanager
def preparing():
    """Within the block, reads run often enough on a connection are prepared on it (see the module).

    Takes and returns nothing; nests; the previous state comes back on exit.
    """
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


@contextlib.contextmanager
def generic_plan():
    """Within the block, a prepared statement runs on its generic plan from its first run
    (``plan_cache_mode`` ``force_generic_plan`` for that statement only, reset after it).

    For a read whose plan does not depend on its values but whose cost estimate PostgreSQL
    judges worse without them, so that it would plan it anew on every run: the caller has
    compared both plans' run times, on fresh statistics and on a table full of dead rows.
    Outside :func:`preparing` it changes nothing.
    """
    token = _generic.set(True)
    try:
        yield
    finally:
        _generic.reset(token)


def _parameter_types(values) -> tuple[str, ...] | None:
    """The PostgreSQL type of each value as psycopg2 writes it into a statement (``5`` is an
    ``integer``, ``'text'`` has no type until its context gives one, a date is ``'...'::date``),
    so that the prepared statement means exactly what the written one did; None when a value is
    of a kind this does not know (the statement then runs as written)."""
    types = []
    for value in values:
        if value is None or isinstance(value, (str, list)):
            # untyped in the statement too: the context decides, as it did for the literal
            types.append("unknown")
        elif isinstance(value, bool):
            types.append("boolean")
        elif isinstance(value, int):
            if -(2**31) <= value < 2**31:
                types.append("integer")
            else:
                types.append("bigint" if -(2**63) <= value < 2**63 else "numeric")
        elif isinstance(value, decimal.Decimal) or (isinstance(value, float) and math.isfinite(value)):
            types.append("numeric")
        elif isinstance(value, datetime.datetime):
            types.append("timestamp with time zone" if value.tzinfo is not None else "timestamp without time zone")
        elif isinstance(value, datetime.date):
            types.append("date")
        elif isinstance(value, datetime.timedelta):
            types.append("interval")
        elif isinstance(value, uuid.UUID):
            types.append("uuid")
        elif isinstance(value, (bytes, memoryview)):
            types.append("bytea")
        else:
            return None
    return tuple(types)


def _numbered(query: str) -> tuple[str, int] | None:
    """``query`` with psycopg2's ``%s`` written as PostgreSQL's ``$1``, ``$2``... and ``%%`` as ``%``,
    and the number of parameters; None if it holds any other ``%`` (named parameters)."""
    count = 0
    invalid = False

    def replace(match: re.Match) -> str:
        nonlocal count, invalid
        text = match.group(0)
        if text == "%%":
            return "%"
        if text == "%":
            invalid = True
            return text
        count += 1
        return f"${count}"

    numbered = _PLACEHOLDER.sub(replace, query)
    return None if invalid else (numbered, count)


class PreparingCursor(psycopg2.extensions.cursor):
    """A psycopg2 cursor that runs the connection's prepared statements in place of their text."""

    def execute(self, query, vars=None):  # noqa: A002 - psycopg2's own name
        self._written = None
        connection = self.connection
        if (
            not _active.get()
            or self.name is not None  # a server-side cursor declares its query: DECLARE takes no EXECUTE
            or not isinstance(vars, (tuple, list))
            or not isinstance(query, str)
            or not isinstance(connection, PreparingConnection)
        ):
            return super().execute(query, vars)
        types = _parameter_types(vars)
        if types is None:
            return super().execute(query, vars)
        key = (query, types)
        name = connection.prepared_statements.get(key)
        if name is None:
            name = self._prepare(connection, key)
            if name is None:
                return super().execute(query, vars)
        else:
            connection.prepared_statements.move_to_end(key)
        placeholders = ", ".join(["%s"] * len(vars))
        statement = f"EXECUTE {name} ({placeholders})" if vars else f"EXECUTE {name}"
        if _generic.get():
            # one round trip: the setting and the statement (a failure takes back both); the
            # rows are read at once, so another cursor can reset the setting before they are used
            result = super().execute("SET plan_cache_mode = force_generic_plan; " + statement, vars)
            with connection.cursor(cursor_factory=psycopg2.extensions.cursor) as reset:
                reset.execute("RESET plan_cache_mode")
        else:
            result = super().execute(statement, vars)
        self._written = (query, vars)
        return result

    @property
    def query(self) -> bytes | None:
        """The last statement as written, with its values (as psycopg2's own ``query`` gives it),
        also when it ran as a prepared statement: Django's query log and errors show it."""
        written = self.__dict__.get("_written")
        if written is not None and written[0] is not None:
            return self.mogrify(*written)
        return super().query

    def _prepare(self, connection: PreparingConnection, key: tuple[str, tuple[str, ...]]) -> str | None:
        """Prepares the statement ``key`` (its text and its parameters' types) on the connection
        once it has run :data:`THRESHOLD` times there; returns its name, or None to run it as written."""
        query, types = key
        if query in _refused or not _READ.match(query):
            return None
        counts = connection.statement_counts
        runs = counts.get(key, 0) + 1
        if runs < THRESHOLD:
            if len(counts) >= MAX_COUNTED:
                counts.clear()
            counts[key] = runs
            return None
        numbered = _numbered(query)
        status = connection.info.transaction_status
        if numbered is None or status not in (
            psycopg2.extensions.TRANSACTION_STATUS_IDLE,
            psycopg2.extensions.TRANSACTION_STATUS_INTRANS,
        ):
            return None
        counts.pop(key, None)
        prepared = connection.prepared_statements
        if len(prepared) >= MAX_PREPARED:
            _old_query, old_name = prepared.popitem(last=False)
            psycopg2.extensions.cursor.execute(self, f"DEALLOCATE {old_name}")
        connection.statement_number += 1
        name = f"dief_{connection.statement_number}"
        declared = f" ({', '.join(types)})" if types else ""
        statement = f"PREPARE {name}{declared} AS {numbered[0]}"
        in_transaction = not connection.autocommit or status == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        try:
            if in_transaction:
                # a refusal must not abort the transaction the statement runs in
                psycopg2.extensions.cursor.execute(self, "SAVEPOINT dief_prepare")
                try:
                    psycopg2.extensions.cursor.execute(self, statement)
                except psycopg2.Error:
                    psycopg2.extensions.cursor.execute(self, "ROLLBACK TO SAVEPOINT dief_prepare")
                    raise
                finally:
                    psycopg2.extensions.cursor.execute(self, "RELEASE SAVEPOINT dief_prepare")
            else:
                psycopg2.extensions.cursor.execute(self, statement)
        except psycopg2.Error:
            _refused.add(query)
            return None
        prepared[key] = name
        return name


class PreparingConnection(psycopg2.extensions.connection):
    """A psycopg2 connection that keeps its prepared statements (see the module) and whose cursors
    are :class:`PreparingCursor`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = PreparingCursor
        #: (statement text, parameter types) -> prepared statement name, least recently used first
        self.prepared_statements: OrderedDict[tuple, str] = OrderedDict()
        #: (statement text, parameter types) -> runs not yet prepared
        self.statement_counts: dict[tuple, int] = {}
        self.statement_number = 0


class PreparedReadsMiddleware:
    """Runs the whole request (the session, the user and the view) within :func:`preparing`.

    First in ``MIDDLEWARE`` when the database is PostgreSQL (``dief.settings``). A streamed
    response's body is read after it, as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with preparing():
            return self.get_response(request)
