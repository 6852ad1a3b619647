"""Who may still receive the briefings' and arrangements' notices when they are sent (ToR rules 6, 21, 22)."""

from meetings.notices import is_delegate_of_eligible_state
from meetings.queries import is_chair_in_office
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .models import FollowUpArrangement
from .queries import participating_state_ids

PARTICIPANT_NOTICES = (
    NotificationKind.BRIEFING_DRAFTED,
    NotificationKind.BRIEFING_REVISED,
    NotificationKind.BRIEFING_DECISION_PERIOD,
    NotificationKind.BRIEFING_AGREED,
    NotificationKind.BRIEFING_VETOED,
    NotificationKind.BRIEFING_DELIVERED,
)
CHAIR_NOTICES = (NotificationKind.BRIEFING_OBJECTION, NotificationKind.BRIEFING_OBJECTION_WITHDRAWN)


def still_participant_or_chair(notification) -> bool:
    """A briefing notice goes to a delegate of an eligible State that took part in the meeting,
    or to the Chair in office (agreement, veto)."""
    user = notification.recipient
    if is_chair_in_office(user):
        return True
    return bool(
        is_delegate_of_eligible_state(user)
        and notification.meeting is not None
        and user.state_id in participating_state_ids(notification.meeting)
    )


def still_chair(notification) -> bool:
    """Objections and their withdrawal are told to the Chair in office only."""
    return is_chair_in_office(notification.recipient)


def still_party(notification) -> bool:
    """An arrangement's notice goes to a delegate of an eligible State party to it."""
    user = notification.recipient
    return bool(
        is_delegate_of_eligible_state(user)
        and FollowUpArrangement.objects.filter(pk=notification.subject_id, states=user.state_id).exists()
    )


def register():
    entitlement(*PARTICIPANT_NOTICES)(still_participant_or_chair)
    entitlement(*CHAIR_NOTICES)(still_chair)
    entitlement(NotificationKind.ARRANGEMENT_RECORDED)(still_party)
