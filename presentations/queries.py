"""The one way to reach presentations, their replies and documents (ToR rules 12, 14)."""

from accounts.access import granted_to_user_groups
from accounts.enums import Role
from meetings.queries import is_chair_in_office, meetings_for_user

from .models import Presentation, PresentationGroupObjectPermission

VIEW_PRESENTATION = "presentations.view_presentation"


def presentations_for_user(user):
    """Presentations ``user`` may see, as a queryset (empty without a verified session).

    Secretariat staff and the Chair in office see every presentation of the meetings they
    see. A delegate sees those whose view permission went to its State's group: the
    presenting State, the involved States and the States registered to take part in that
    meeting (django-guardian, direct foreign keys, no superuser or global shortcut). The CSP
    President, national authority users and everybody else see none.
    """
    meetings = meetings_for_user(user)
    if user.is_authenticated and user.is_superuser:
        return Presentation.objects.none()
    if user.is_authenticated and (user.role == Role.SECRETARIAT or is_chair_in_office(user)):
        return Presentation.objects.filter(meeting__in=meetings)
    if user.is_authenticated and user.role == Role.DELEGATE:
        granted = granted_to_user_groups(
            Presentation.objects.all(), PresentationGroupObjectPermission, "view_presentation", user
        )
        return granted.filter(meeting__in=meetings)
    return Presentation.objects.none()
