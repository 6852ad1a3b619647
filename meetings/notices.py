"""Who may still receive the meetings' notices when they are sent (ToR rules 6, 9, 10, 14).

Registered in :mod:`notifications.registry`; the sender asks these again at the moment of
sending, whatever happened since the notice was queued.
"""

from accounts.enums import Role
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .queries import procedural_today

#: Notices to the delegates of every eligible State about a meeting they are invited to.
STATE_NOTICES = (
    NotificationKind.INVITATION,
    NotificationKind.MEETING_CHANGED,
    NotificationKind.AGENDA_DISTRIBUTED,
    NotificationKind.AGENDA_REVISED,
)


def is_delegate_of_eligible_state(user) -> bool:
    """True if ``user`` is an active delegate of a State Party or signatory State today (rule 6)."""
    return bool(
        user.is_active and user.role == Role.DELEGATE and user.state_id and user.state.is_eligible(procedural_today())
    )


def still_invited(notification) -> bool:
    """A meeting notice goes only to a delegate of a State eligible at the moment of sending,
    for a meeting that still exists."""
    return notification.meeting_id is not None and is_delegate_of_eligible_state(notification.recipient)


def register():
    entitlement(*STATE_NOTICES)(still_invited)
