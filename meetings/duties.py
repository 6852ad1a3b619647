"""What the Secretariat must do before a meeting, for reminders and escalation (rules 9, 10)."""

from accounts.enums import Role
from accounts.models import User
from enforcement.registry import deadline_duty

from .enums import DeadlineKey


def secretariat(meeting):
    return User.objects.filter(is_active=True, role=Role.SECRETARIAT)


def invitation_sent_at(meeting):
    invitation = getattr(meeting, "invitation", None)
    return invitation.sent_at if invitation is not None and invitation.is_sent else None


def draft_agenda_distributed_at(meeting):
    """When the draft agenda was distributed (ToR rule 10); None until it is."""
    agenda = getattr(meeting, "agenda", None)
    return getattr(agenda, "distributed_at", None)


DONE_AT = {
    DeadlineKey.INVITATION: invitation_sent_at,
    DeadlineKey.DRAFT_AGENDA: draft_agenda_distributed_at,
}


def register():
    deadline_duty(DeadlineKey.INVITATION, who=secretariat, done_at=invitation_sent_at)
    deadline_duty(DeadlineKey.DRAFT_AGENDA, who=secretariat, done_at=draft_agenda_distributed_at)
