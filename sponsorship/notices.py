"""Who may still receive a sponsorship decision when it is sent (ToR rules 6, 24)."""

from meetings.notices import is_delegate_of_eligible_state
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .models import SponsorshipRequest


def still_requesting_state(notification) -> bool:
    """The decision goes to a delegate of the requesting State, eligible today."""
    user = notification.recipient
    return bool(
        is_delegate_of_eligible_state(user)
        and SponsorshipRequest.objects.filter(pk=notification.subject_id, state_id=user.state_id).exists()
    )


def register():
    entitlement(NotificationKind.SPONSORSHIP_UPDATED)(still_requesting_state)
