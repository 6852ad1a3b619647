"""Who may still receive the presentations' notices when they are sent (ToR rules 6, 12)."""

from meetings.notices import is_delegate_of_eligible_state
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .models import InvolvedState, Presentation


def _presentation_id(notification):
    return notification.subject_id or notification.context.get("presentation_id")


def still_involved(notification) -> bool:
    """The notice to an involved State goes to a delegate of a State the presentation still
    involves, eligible today."""
    user = notification.recipient
    return (
        is_delegate_of_eligible_state(user)
        and InvolvedState.objects.filter(
            presentation_id=_presentation_id(notification), state_id=user.state_id
        ).exists()
    )


def still_presenting(notification) -> bool:
    """The news of a reply goes to a delegate of the presenting State, eligible today."""
    user = notification.recipient
    return (
        is_delegate_of_eligible_state(user)
        and Presentation.objects.filter(pk=_presentation_id(notification), presenting_state_id=user.state_id).exists()
    )


def register():
    entitlement(NotificationKind.INVOLVED_STATE_NOTICE)(still_involved)
    entitlement(NotificationKind.REPLY_RECEIVED)(still_presenting)
