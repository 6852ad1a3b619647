"""The one way to reach expert proposals, objections and consultations (ToR rules 8, 14)."""

from django.db.models import Q

from accounts.enums import Role
from meetings.queries import in_meetings_for_user, is_chair_in_office

from .models import ExpertProposal, Objection


def proposals_for_user(user):
    """Expert proposals ``user`` may see, as a queryset (empty without a verified session).

    A proposal is distributed to every State Party and the proposing State (ToR rule 8): the
    Secretariat, the Chair in office and delegates of eligible States see the proposals of the
    meetings they see (signatory States see them too, to know what is proposed for the
    meeting they attend). Experts, national authority users, the CSP President and everybody
    else see none.
    """
    if not user.is_authenticated or user.is_superuser:
        return ExpertProposal.objects.none()
    if user.role in (Role.SECRETARIAT, Role.DELEGATE) or is_chair_in_office(user):
        return in_meetings_for_user(ExpertProposal.objects.all(), user)
    return ExpertProposal.objects.none()


def consultations_for_user(user):
    """Objections whose consultation thread ``user`` may see: the Secretariat and the delegates
    of the proposing and the objecting State only (ToR rule 8)."""
    proposals = proposals_for_user(user)
    objections = Objection.objects.filter(proposal__in=proposals)
    if user.is_authenticated and user.role == Role.SECRETARIAT:
        return objections
    if user.is_authenticated and user.role == Role.DELEGATE and user.state_id:
        return objections.filter(Q(state_id=user.state_id) | Q(proposal__proposing_state_id=user.state_id))
    return Objection.objects.none()
