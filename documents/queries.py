"""The one way to reach documents: the same queries as the presentations and meetings they belong to."""

from django.db.models import Q

from accounts.enums import Role
from meetings.queries import is_chair_in_office, meetings_for_user
from presentations.queries import presentations_for_user

from . import registry
from .models import Document


def documents_for_user(user):
    """Documents ``user`` may read (ToR rule 14).

    A presentation's documents: whoever sees the presentation (Secretariat, Chair, presenting,
    involved and participating States). An agenda's documents: the Secretariat and the Chair
    always, eligible States once the agenda is distributed. Documents that a higher app
    opens (an information record's documents, a document shared with a national authority
    user) come from the scopes registered in :mod:`documents.registry`.
    """
    meetings = meetings_for_user(user)
    agenda_docs = Q(agenda__meeting__in=meetings)
    if not (user.is_authenticated and (user.role == Role.SECRETARIAT or is_chair_in_office(user))):
        agenda_docs &= Q(agenda__distributed_at__isnull=False)
    visible = Q(presentation__in=presentations_for_user(user)) | agenda_docs
    for scope in registry.scopes():
        visible |= scope(user)
    return Document.objects.filter(visible)
