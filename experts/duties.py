"""Who must act before the rule 8 deadlines, for reminders: at T-20, the proposing and
objecting States of every proposal still objected to."""

from accounts.enums import Role
from accounts.models import User
from enforcement.registry import deadline_duty
from meetings.enums import DeadlineKey

from .enums import ProposalStatus
from .models import ExpertProposal, Objection


def states_to_resolve(meeting) -> set[int]:
    """Ids of the proposing and objecting States of the proposals of ``meeting`` still objected to."""
    open_objections = Objection.objects.filter(
        proposal__meeting=meeting, proposal__status=ProposalStatus.IN_CONSULTATION, withdrawn_at__isnull=True
    ).values_list("state_id", "proposal__proposing_state_id")
    return {pk for pair in open_objections for pk in pair}


def delegates_to_resolve(meeting):
    return User.objects.filter(is_active=True, role=Role.DELEGATE, state_id__in=states_to_resolve(meeting))


def objections_resolved_at(meeting):
    """None while a proposal of ``meeting`` is still objected to; otherwise the last decision's
    instant (or None when there was nothing to resolve)."""
    if ExpertProposal.objects.filter(meeting=meeting, status=ProposalStatus.IN_CONSULTATION).exists():
        return None
    last = (
        ExpertProposal.objects.filter(meeting=meeting, decided_at__isnull=False, objections__isnull=False)
        .order_by("-decided_at")
        .first()
    )
    return last.decided_at if last else None


def register():
    deadline_duty(
        DeadlineKey.EXPERT_OBJECTION_RESOLUTION,
        who=delegates_to_resolve,
        done_at=objections_resolved_at,
        escalate=False,
    )
