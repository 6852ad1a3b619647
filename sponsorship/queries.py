"""The one way to reach sponsorship requests (ToR rule 24)."""

from accounts.enums import Role
from meetings.queries import is_verified, meetings_for_user, procedural_today

from .models import SponsorshipRequest


def sponsorship_requests_for_user(user):
    """Requests ``user`` may see: the Secretariat those of the meetings it sees; a delegate of
    an eligible State its own State's. Nobody else (not the Chair or the CSP President as
    such, not national authority users, not superusers)."""
    if not is_verified(user) or user.is_superuser:
        return SponsorshipRequest.objects.none()
    meetings = meetings_for_user(user)
    if user.role == Role.SECRETARIAT:
        return SponsorshipRequest.objects.filter(meeting__in=meetings)
    if user.role == Role.DELEGATE and user.state_id and user.state.is_eligible(procedural_today()):
        return SponsorshipRequest.objects.filter(meeting__in=meetings, state_id=user.state_id)
    return SponsorshipRequest.objects.none()
