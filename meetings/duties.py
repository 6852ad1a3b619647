"""What the Secretariat must do before a meeting (rule 9); the draft agenda (rule 10) is in agendas.duties."""

from accounts.enums import Role
from accounts.models import User
from enforcement.registry import deadline_duty, memo, sweep_related

from .enums import DeadlineKey


def secretariat(meeting):
    """The active Secretariat staff (read once per sweep batch)."""
    return memo("secretariat", lambda: list(User.objects.filter(is_active=True, role=Role.SECRETARIAT)))


def invitation_sent_at(meeting):
    invitation = getattr(meeting, "invitation", None)
    return invitation.sent_at if invitation is not None and invitation.is_sent else None


DONE_AT = {
    DeadlineKey.INVITATION: invitation_sent_at,
}


def register():
    deadline_duty(DeadlineKey.INVITATION, who=secretariat, done_at=invitation_sent_at)
    sweep_related("meeting__invitation")
