"""Hooks a higher app fills so that documents can be reached through it without an upward
import (the pattern of ``enforcement.registry``).

``document_scope(fn)``: ``fn(user)`` returns a ``Q`` over :class:`documents.models.Document`
selecting the further documents ``user`` may read (for example the documents of the
information records it sees). :func:`documents.queries.documents_for_user` ORs them in.
"""

_scopes = []


def document_scope(fn):
    """Register ``fn(user) -> Q``; returns ``fn`` so it can be used as a decorator."""
    if fn not in _scopes:
        _scopes.append(fn)
    return fn


def scopes():
    return list(_scopes)
