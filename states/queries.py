"""Queries over States."""

from .models import State


def eligible_states(on_date):
    """States Parties and signatory States on ``on_date`` (ToR rule 6), with their groups."""
    return State.objects.eligible_on(on_date).select_related("group")
