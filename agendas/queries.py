"""The ways in to agenda items."""

from meetings.queries import is_verified

from .models import AgendaItem


def released_items_for_user(user):
    """ToR rule 14: agenda items the participants decided to release, visible to every user
    with a verified session (national authority users and others beyond the eligible States
    included). Nothing else of the meeting comes with them. Returns an AgendaItem queryset."""
    if not is_verified(user):
        return AgendaItem.objects.none()
    # the presentation for its kind (display_title); the page shows nothing of the meeting
    return AgendaItem.objects.filter(released_at__isnull=False).select_related("presentation")
