"""The one way to reach documents: the same queries as the presentations and meetings they belong to."""

from django.db.models import Exists, OuterRef, Q

from accounts.enums import Role
from meetings.queries import is_chair_in_office, meetings_for_user
from presentations.queries import presentations_for_user

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
    query for all documents, reading at most ``shown + 1`` rows of each into Python."""
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
