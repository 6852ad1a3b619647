"""Who sees the participation figures (ToR rule 7): the one way in."""

from accounts.enums import Role
from meetings.queries import is_chair_in_office, is_verified, meetings_for_user


def participation_meetings_for_user(user):
    """Meetings whose participation figures ``user`` may see, as a queryset.

    The Secretariat, the Chair in office and the CSP President see every meeting they see;
    delegates of an eligible State see the aggregates of the meetings they see. National
    authority users, experts, superusers and everybody else see none.
    """
    if not is_verified(user) or user.is_superuser:
        return meetings_for_user(user).none()
    if user.role in (Role.SECRETARIAT, Role.CSP_PRESIDENT, Role.DELEGATE):
        return meetings_for_user(user)
    return meetings_for_user(user).none()


def sees_detail(user) -> bool:
    """The Secretariat, the Chair in office and the CSP President see which States presented;
    delegates see only the aggregates (ToR rule 7)."""
    return is_verified(user) and (user.role in (Role.SECRETARIAT, Role.CSP_PRESIDENT) or is_chair_in_office(user))
