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


def presentation_documents(presentation) -> list:
    """The documents of ``presentation`` (reached through
    :func:`presentations.queries.presentations_for_user`: whoever sees it reads its documents,
    :func:`documents_for_user`), in upload order, each with its uploader's id and State (the
    rest of ``uploaded_by`` deferred): what ``presentation.documents.select_related("uploaded_by")
    .order_by("uploaded_at", "pk")`` gives the page, in one written-out query.
    documents/tests/test_written_reads.py pins it to the ORM's answer."""
    from django.contrib.auth import get_user_model

    connection = connections[Document.objects.db]
    key = ("presentation", connection.alias, connection.vendor)
    if key not in _sql_cache:
        user_model = get_user_model()
        q = connection.ops.quote_name
        user_fields = [user_model._meta.get_field(n) for n in ("id", "state")]
        parts_read, columns = reads(connection, [("d", Document, None), ("u", user_model, user_fields)])

        def c(name):
            return f"d.{q(Document._meta.get_field(name).column)}"

        _sql_cache[key] = (
            f"SELECT {', '.join(columns)} FROM {q(Document._meta.db_table)} d INNER JOIN"
            f" {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)} = {c('uploaded_by')}"
            f" WHERE {c('presentation')} = %s ORDER BY {c('uploaded_at')}, {c('id')}",
            parts_read,
        )
    sql, parts_read = _sql_cache[key]
    with connections[Document.objects.db].cursor() as cursor:
        cursor.execute(sql, [presentation.pk])
        rows = cursor.fetchall()
    documents = []
    for row in rows:
        (document, uploader), _rest = split_row(connection, parts_read, row)
        Document.uploaded_by.field.set_cached_value(document, uploader)
        Document.presentation.field.set_cached_value(document, presentation)
        documents.append(document)
    return documents


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

    Written out (the latest rows of each document numbered by a window function, which
    PostgreSQL and SQLite have): the ORM's query of the same rows (:func:`orm_download_log`)
    cost several times more to build than to run. documents/tests/test_written_reads.py pins
    it to the ORM's answer."""
    from .models import DocumentAccess

    visible = [d.pk for d in documents if sees_download_log(user, d)]
    logs = {pk: [] for pk in visible}
    if visible:
        connection = connections[DocumentAccess.objects.db]
        sql, parts_read = _log_sql(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{ids}", ", ".join(["%s"] * len(visible))), [*visible, shown + 1])
            rows = cursor.fetchall()
        for row in rows:
            (access, reader, state), _rest = split_row(connection, parts_read, row)
            type(reader).state.field.set_cached_value(reader, state)
            DocumentAccess.user.field.set_cached_value(access, reader)
            logs[access.document_id].append(access)
    return {pk: (rows[:shown], len(rows) > shown) for pk, rows in logs.items()}


def _log_sql(connection):
    """The query of :func:`download_log_for_user`, with ``{ids}`` for the documents' ids; its
    parameters: those ids, then how many rows of each to read."""
    key = ("log", connection.alias, connection.vendor)
    if key not in _sql_cache:
        from django.contrib.auth import get_user_model

        from states.models import State

        from .models import DocumentAccess

        user_model = get_user_model()
        q = connection.ops.quote_name
        access_fields = [DocumentAccess._meta.get_field(n) for n in ("id", "document", "user", "accessed_at")]
        user_fields = [user_model._meta.get_field(n) for n in ("id", "username", "first_name", "last_name", "role")]
        user_fields.append(user_model._meta.get_field("state"))
        state_fields = [State._meta.get_field(n) for n in ("id", "name", "iso3")]
        parts = [("a", DocumentAccess, access_fields), ("u", user_model, user_fields), ("s", State, state_fields)]
        parts_read, columns = reads(connection, parts)

        def c(model, name):
            return q(model._meta.get_field(name).column)

        own = ", ".join(f"x.{q(f.column)}" for f in access_fields)
        _sql_cache[key] = (
            f"SELECT {', '.join(columns)} FROM (SELECT {own}, ROW_NUMBER() OVER (PARTITION BY"
            f" x.{c(DocumentAccess, 'document')} ORDER BY x.{c(DocumentAccess, 'accessed_at')} DESC,"
            f" x.{c(DocumentAccess, 'id')} DESC) AS nth FROM {q(DocumentAccess._meta.db_table)} x"
            f" WHERE x.{c(DocumentAccess, 'document')} IN ({{ids}})) a"
            f" INNER JOIN {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)}"
            f" = a.{c(DocumentAccess, 'user')}"
            f" LEFT JOIN {q(State._meta.db_table)} s ON s.{c(State, 'id')} = u.{c(user_model, 'state')}"
            f" WHERE a.nth <= %s ORDER BY a.{c(DocumentAccess, 'accessed_at')} DESC, a.{c(DocumentAccess, 'id')} DESC",
            parts_read,
        )
    return _sql_cache[key]


def orm_download_log(user, documents, shown: int = LOG_SHOWN) -> dict:
    """What :func:`download_log_for_user` gives, read through the ORM."""
    from django.db.models.expressions import RawSQL

    from .models import DocumentAccess

    visible = [d.pk for d in documents if sees_download_log(user, d)]
    logs = {pk: [] for pk in visible}
    if visible:
        table = DocumentAccess._meta.db_table
        latest_ids = RawSQL(
            f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY document_id "  # noqa: S608 - no user text
            f"ORDER BY accessed_at DESC, id DESC) AS nth FROM {table} "
            f"WHERE document_id IN ({', '.join(['%s'] * len(visible))})) ranked WHERE nth <= %s",
            [*visible, shown + 1],
        )
        latest = (
            DocumentAccess.objects.filter(pk__in=latest_ids)
            .select_related("user__state")
            .only(*LOG_COLUMNS)
            .order_by("-accessed_at", "-pk")
        )
        for access in latest:
            logs[access.document_id].append(access)
    return {pk: (rows[:shown], len(rows) > shown) for pk, rows in logs.items()}
