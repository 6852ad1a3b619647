"""The one way to reach documents: the same queries as the presentations and meetings they belong to."""

from django.db import connections
from django.db.models import Exists, OuterRef, Q

from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief.sql import reads, split_row
from meetings.queries import is_chair_in_office, meetings_for_user
from presentations.queries import access_sql, presentations_for_user, written_scope

from . import registry
from .models import Document


def documents_for_user(user):
    """Documents ``user`` may read (ToR rule 14).

    A presentation's documents: whoever sees the presentation (Secretariat, Chair, presenting,
    involved and participating States). An agenda's documents: the Secretariat and the Chair
    always, eligible States once the agenda is distributed. A non-state expert: only the
    documents of its own presentation (ToR rules 8, 15). Documents that a higher app opens (an
    information record's documents, a document shared with a national authority user) come
    from the scopes registered in :mod:`documents.registry`.
    """
    # Each way in is an EXISTS correlated with the document's own row, so a look-up by token
    # checks that one document, never building the whole set of what the user sees.
    presentation_docs = Q(Exists(presentations_for_user(user).filter(pk=OuterRef("presentation_id"))))
    if user.is_authenticated and user.role == Role.EXPERT:
        return Document.objects.filter(presentation_docs)
    agenda_docs = Q(Exists(meetings_for_user(user).filter(pk=OuterRef("agenda__meeting_id"))))
    if not (user.is_authenticated and (user.role == Role.SECRETARIAT or is_chair_in_office(user))):
        agenda_docs &= Q(agenda__distributed_at__isnull=False)
    visible = presentation_docs | agenda_docs
    for scope in registry.scopes():
        visible |= scope(user)
    return Document.objects.filter(visible)


def document_for_user_or_404(user, token):
    """The document ``token`` if ``user`` may read it (``documents_for_user(user)``), else
    Http404 (:class:`accounts.security.DeniedAccess` when it exists): the answer of
    :func:`accounts.security.object_for_user_or_404`.

    A document of a presentation the user sees (the first way in of :func:`documents_for_user`)
    is read by one written-out query around the condition of
    :func:`presentations.queries.presentations_for_user`: the ORM's query, with every way in,
    cost more to build than the download to serve. Any other document, and anyone the
    written-out condition is not for, goes through the ORM's query, which decides."""
    scope = written_scope(user)
    if scope is not None:
        connection = connections[Document.objects.db]
        sql, parts_read = _by_token_sql(connection)
        access, params = access_sql(connection, user, scope, "p")
        token_value = Document._meta.get_field("token").get_db_prep_value(token, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{access}", access), [*params, token_value])
            row = cursor.fetchone()
        if row is not None:
            (document,), (seen,) = split_row(connection, parts_read, row)
            if seen:
                return document
    return object_for_user_or_404(documents_for_user(user), token=token)


_sql_cache: dict = {}


def _by_token_sql(connection):
    key = ("token", connection.alias, connection.vendor)
    if key not in _sql_cache:
        from presentations.models import Presentation

        q = connection.ops.quote_name
        parts_read, columns = reads(connection, [("d", Document, None)])
        pid = q(Presentation._meta.get_field("id").column)
        _sql_cache[key] = (
            f"SELECT {', '.join(columns)}, EXISTS (SELECT 1 FROM {q(Presentation._meta.db_table)} p"
            f" WHERE p.{pid} = d.{q(Document._meta.get_field('presentation').column)}{{access}})"
            f" FROM {q(Document._meta.db_table)} d WHERE d.{q(Document._meta.get_field('token').column)} = %s",
            parts_read,
        )
    return _sql_cache[key]


def presentation_documents(user, presentation, shown: int | None = None) -> tuple[list, dict]:
    """The documents of ``presentation`` (reached through
    :func:`presentations.queries.presentations_for_user`: whoever sees it reads its documents,
    :func:`documents_for_user`) for ``user``'s page, and their download logs: what
    ``presentation.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")`` and
    :func:`download_log_for_user` give, in one written-out query. The documents come in upload
    order, each with its uploader's id and State (the rest of ``uploaded_by`` deferred); the
    logs are those :func:`sees_download_log` lets ``user`` see, ``shown`` rows of each (by
    default :data:`LOG_SHOWN`).
    documents/tests/test_written_reads.py pins both to the ORM's answers."""
    from django.contrib.auth import get_user_model

    shown = LOG_SHOWN if shown is None else shown
    connection = connections[Document.objects.db]
    sql, parts_read = _documents_sql(connection)
    # the logs read are those of the documents whose log the user sees (sees_download_log,
    # which decides again below): every one for the Secretariat, its State's for a delegate
    if not (user.is_authenticated and user.is_active):
        whose, whose_params = " AND 1 = 0", []
    elif user.role == Role.SECRETARIAT:
        whose, whose_params = "", []
    elif user.role == Role.DELEGATE and user.state_id:
        column = connection.ops.quote_name(get_user_model()._meta.get_field("state").column)
        whose, whose_params = f" AND yu.{column} = %s", [user.state_id]
    else:
        whose, whose_params = " AND 1 = 0", []
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{whose}", whose), [presentation.pk, *whose_params, shown + 1, presentation.pk])
        rows = cursor.fetchall()
    documents, logs, seen = [], {}, None
    own_parts, log_parts = parts_read[:2], parts_read[2:]
    log_start = sum(len(fields) for _alias, _model, fields, _conv, _plan in own_parts)
    pk_at = own_parts[0][4][2]  # where the document's id is in a row (its plan's primary key)
    for row in rows:
        (access, reader, state), _rest = split_row(connection, log_parts, row[log_start:])
        if seen is None or row[pk_at] != seen.pk:  # each document's rows, one after the other
            (document, uploader), _rest = split_row(connection, own_parts, row[:log_start])
            Document.uploaded_by.field.set_cached_value(document, uploader)
            Document.presentation.field.set_cached_value(document, presentation)
            documents.append(document)
            seen = document
            if sees_download_log(user, document):
                logs[document.pk] = []
        if access is not None and seen.pk in logs:
            type(reader).state.field.set_cached_value(reader, state)
            type(access).user.field.set_cached_value(access, reader)
            logs[seen.pk].append(access)
    return documents, {pk: (rows[:shown], len(rows) > shown) for pk, rows in logs.items()}


def _documents_sql(connection):
    """The query of :func:`presentation_documents`, with ``{whose}`` for the condition on the
    uploader (``yu``) of the documents whose logs are read; its parameters: the presentation's
    id, those of ``{whose}``, how many rows of each log to read, the presentation's id."""
    key = ("presentation", connection.alias, connection.vendor)
    if key not in _sql_cache:
        from django.contrib.auth import get_user_model

        from states.models import State

        from .models import DocumentAccess

        user_model = get_user_model()
        q = connection.ops.quote_name
        access_fields = [DocumentAccess._meta.get_field(n) for n in ("id", "document", "user", "accessed_at")]
        reader_fields = [user_model._meta.get_field(n) for n in ("id", "username", "first_name", "last_name", "role")]
        reader_fields.append(user_model._meta.get_field("state"))
        parts = [
            ("d", Document, None),
            ("u", user_model, [user_model._meta.get_field(n) for n in ("id", "state")]),
            ("a", DocumentAccess, access_fields),
            ("au", user_model, reader_fields),
            ("s", State, [State._meta.get_field(n) for n in ("id", "name", "iso3")]),
        ]
        parts_read, columns = reads(connection, parts)

        def c(model, name):
            return q(model._meta.get_field(name).column)

        users, user_id = q(user_model._meta.db_table), q(user_model._meta.pk.column)
        own = ", ".join(f"x.{q(f.column)}" for f in access_fields)
        accessed, access_id = c(DocumentAccess, "accessed_at"), c(DocumentAccess, "id")
        whose_documents = (
            f"x.{c(DocumentAccess, 'document')} IN (SELECT y.{c(Document, 'id')}"
            f" FROM {q(Document._meta.db_table)} y"
            f" INNER JOIN {users} yu ON yu.{user_id} = y.{c(Document, 'uploaded_by')}"
            f" WHERE y.{c(Document, 'presentation')} = %s{{whose}})"
        )
        if connection.vendor == "postgresql":
            # the latest rows of each log straight from its index (documents_access_latest),
            # however long the log has grown
            latest = (
                f" LEFT JOIN LATERAL (SELECT {own} FROM {q(DocumentAccess._meta.db_table)} x"
                f" WHERE x.{c(DocumentAccess, 'document')} = d.{c(Document, 'id')} AND {whose_documents}"
                f" ORDER BY x.{accessed} DESC, x.{access_id} DESC LIMIT %s) a ON TRUE"
            )
        else:
            # the latest rows of each log, numbered (SQLite has no LATERAL)
            latest = (
                f" LEFT JOIN (SELECT {own}, ROW_NUMBER() OVER (PARTITION BY x.{c(DocumentAccess, 'document')}"
                f" ORDER BY x.{accessed} DESC, x.{access_id} DESC) AS nth FROM {q(DocumentAccess._meta.db_table)} x"
                f" WHERE {whose_documents}) a"
                f" ON a.{c(DocumentAccess, 'document')} = d.{c(Document, 'id')} AND a.nth <= %s"
            )
        _sql_cache[key] = (
            f"SELECT {', '.join(columns)} FROM {q(Document._meta.db_table)} d"
            f" INNER JOIN {users} u ON u.{user_id} = d.{c(Document, 'uploaded_by')}"
            + latest
            + f" LEFT JOIN {users} au ON au.{user_id} = a.{c(DocumentAccess, 'user')}"
            f" LEFT JOIN {q(State._meta.db_table)} s ON s.{c(State, 'id')} = au.{c(user_model, 'state')}"
            f" WHERE d.{c(Document, 'presentation')} = %s"
            f" ORDER BY d.{c(Document, 'uploaded_at')}, d.{c(Document, 'id')}, a.{accessed} DESC, a.{access_id} DESC",
            parts_read,
        )
    return _sql_cache[key]


def sees_download_log(user, document) -> bool:
    """ToR rules 14-15: the download log of a document is for its provider (the delegates of
    the State whose delegate uploaded it) and the Secretariat; nobody else."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.SECRETARIAT:
        return True
    uploader_state = document.uploaded_by.state_id
    return bool(user.role == Role.DELEGATE and user.state_id and uploader_state == user.state_id)


#: Downloads of a document shown on its item's page; the rest on the document's own log page.
LOG_SHOWN = 10

#: What a row of the download log on an item's page reads of an access (documents/_download_rows.html).
LOG_COLUMNS = (
    "document_id",
    "accessed_at",
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__role",
    "user__state__name",
    "user__state__iso3",
)


def download_log_for_user(user, documents, shown: int = LOG_SHOWN) -> dict:
    """For each of ``documents`` (reached through :func:`documents_for_user`) whose log
    ``user`` may see (:func:`sees_download_log`), its latest ``shown`` accesses and whether
    there are more: ``{document id: ([DocumentAccess with user and user.state], more)}``. One
    query for all documents, reading at most ``shown + 1`` rows of each into Python.
    (A presentation's page reads them with its documents, :func:`presentation_documents`.)"""
    from django.db.models.expressions import RawSQL

    from .models import DocumentAccess

    visible = [d.pk for d in documents if sees_download_log(user, d)]
    logs = {pk: [] for pk in visible}
    if visible:
        # The latest rows of each document, numbered in plain SQL (PostgreSQL and SQLite have
        # window functions): Django's own filter on a window wraps the whole query, user and
        # State columns included, in one more SELECT, 2 ms to build for a few rows.
        table = DocumentAccess._meta.db_table
        latest_ids = RawSQL(
            f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY document_id "  # noqa: S608 - no user text
            f"ORDER BY accessed_at DESC, id DESC) AS nth FROM {table} "
            f"WHERE document_id IN ({', '.join(['%s'] * len(visible))})) ranked WHERE nth <= %s",
            [*visible, shown + 1],
        )
        # the columns the log shows (who, their State or role, when), not every column of
        # the access, the user and the State
        latest = (
            DocumentAccess.objects.filter(pk__in=latest_ids)
            .select_related("user__state")
            .only(*LOG_COLUMNS)
            .order_by("-accessed_at", "-pk")
        )
        for access in latest:
            logs[access.document_id].append(access)
    return {pk: (rows[:shown], len(rows) > shown) for pk, rows in logs.items()}
