"""The one way to reach presentations, their replies and documents (ToR rules 12, 14)."""

from accounts.access import granted_to_user, granted_to_user_groups
from accounts.enums import Role
from meetings.queries import in_meetings_for_user, is_chair_in_office

from .models import Presentation, PresentationGroupObjectPermission, PresentationUserObjectPermission

VIEW_PRESENTATION = "presentations.view_presentation"


def presentations_for_user(user):
    """Presentations ``user`` may see, as a queryset (empty without a verified session).

    Secretariat staff and the Chair in office see every presentation of the meetings they
    see. A delegate sees those whose view permission went to its State's group: the
    presenting State, the involved States and the States registered to take part in that
    meeting (django-guardian, direct foreign keys, no superuser or global shortcut). A
    non-state expert sees the one presentation granted to its own user, while it sees that
    meeting (ToR rules 8, 15). The CSP President, national authority users and everybody
    else see none.
    """
    if user.is_authenticated and user.is_superuser:
        return Presentation.objects.none()
    if user.is_authenticated and (user.role == Role.SECRETARIAT or is_chair_in_office(user)):
        return in_meetings_for_user(Presentation.objects.all(), user)
    if user.is_authenticated and user.role == Role.DELEGATE:
        granted = granted_to_user_groups(
            Presentation.objects.all(), PresentationGroupObjectPermission, "view_presentation", user
        )
        return in_meetings_for_user(granted, user)
    if user.is_authenticated and user.role == Role.EXPERT:
        granted = granted_to_user(
            Presentation.objects.all(), PresentationUserObjectPermission, "view_presentation", user
        )
        return in_meetings_for_user(granted, user)
    return Presentation.objects.none()
