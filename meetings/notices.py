"""Who may still receive the meetings' notices when they are sent (ToR rules 6, 9, 10, 14).

Registered in :mod:`notifications.registry`; the sender asks these again at the moment of
sending, whatever happened since the notice was queued.
"""

import datetime
from dataclasses import dataclass

from accounts.enums import Role
from notifications.enums import NotificationKind
from notifications.registry import context_provider, entitlement

from .deadlines import meeting_calendar
from .enums import DeadlineKey
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


#: The deadlines of the call to present cases and share information (ToR rules 8, 12) that
#: the invitation and a change of dates name; rule 11 (registration closes when the agenda
#: is adopted at the meeting) has no instant and is stated in words.
CALL_FOR_CASES_DEADLINES = (
    DeadlineKey.EXPERT_PROPOSAL,
    DeadlineKey.INVOLVED_STATE_NOTICE,
    DeadlineKey.INVOLVED_STATE_RESPONSE,
)
CALL_FOR_CASES_NOTICES = (NotificationKind.INVITATION, NotificationKind.MEETING_CHANGED)


@dataclass(frozen=True)
class DeadlineLine:
    """One deadline as an email names it: label, rule, and the instant in both zones."""

    label: str
    rule: str
    due_at_procedural: datetime.datetime
    procedural_time_zone: str
    due_at_recipient: datetime.datetime
    recipient_time_zone: str


def deadline_facts(notification, ctx: dict) -> None:
    """Add to the email of an invitation or a change of dates the meeting's call-for-cases
    deadlines as they stand when it is sent (in the procedural zone and the recipient's)."""
    meeting = notification.meeting
    if notification.kind in CALL_FOR_CASES_NOTICES and meeting is not None:
        zone = notification.recipient.time_zone
        ctx["deadlines"] = [
            DeadlineLine(str(d.label), d.rule, d.due_at_procedural, d.time_zone, d.due_at_in(zone), zone)
            for d in meeting_calendar(meeting)
            if d.key in CALL_FOR_CASES_DEADLINES
        ]


def register():
    entitlement(*STATE_NOTICES)(still_invited)
    context_provider(deadline_facts)
