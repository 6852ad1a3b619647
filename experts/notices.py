"""Who may still receive the notices of expert proposals when they are sent (ToR rules 6, 8, 15)."""

from accounts.enums import Role
from meetings.notices import is_delegate_of_eligible_state
from meetings.queries import is_chair_in_office
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .models import ExpertProposal, Objection

#: Kinds that go to delegates of States Parties and the proposing State, and to the Secretariat.
TO_EVERYONE_CONCERNED = (
    NotificationKind.EXPERT_PROPOSAL,
    NotificationKind.EXPERT_OBJECTION,
    NotificationKind.EXPERT_APPROVED,
    NotificationKind.EXPERT_NOT_APPROVED,
    NotificationKind.EXPERT_REFERRED,
)


def _proposal(notification) -> ExpertProposal | None:
    return ExpertProposal.objects.filter(pk=notification.subject_id).first() if notification.subject_id else None


def still_concerned(notification) -> bool:
    """A delegate of a State eligible today, the Secretariat, or (for a referral) the Chair in
    office; and the proposal still exists."""
    user = notification.recipient
    if _proposal(notification) is None:
        return False
    if user.is_active and user.role == Role.SECRETARIAT:
        return True
    if notification.kind == NotificationKind.EXPERT_REFERRED and is_chair_in_office(user):
        return True
    return is_delegate_of_eligible_state(user)


def still_consulting(notification) -> bool:
    """A consultation message goes to a delegate of the proposing or the objecting State only."""
    user = notification.recipient
    objection = Objection.objects.filter(pk=notification.context.get("objection_id")).select_related("proposal").first()
    return (
        objection is not None
        and is_delegate_of_eligible_state(user)
        and user.state_id in (objection.state_id, objection.proposal.proposing_state_id)
    )


def still_inviting(notification) -> bool:
    """The confidentiality reminder goes to a delegate of the inviting State (ToR rule 15)."""
    proposal = _proposal(notification)
    user = notification.recipient
    return proposal is not None and is_delegate_of_eligible_state(user) and user.state_id == proposal.proposing_state_id


def register():
    entitlement(*TO_EVERYONE_CONCERNED)(still_concerned)
    entitlement(NotificationKind.EXPERT_CONSULTATION)(still_consulting)
    entitlement(NotificationKind.EXPERT_CONFIDENTIALITY)(still_inviting)
