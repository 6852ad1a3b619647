"""The one way to reach briefings and follow-up arrangements (ToR rules 21, 22)."""

from django.db.models import Exists, OuterRef, Q

from accounts.enums import Role
from meetings.models import DelegationRegistration
from meetings.queries import (
    in_meetings_for_user,
    is_chair_in_office,
    is_verified,
    meetings_for_user,
    procedural_today,
)
from presentations.enums import PresentationKind

from .models import Briefing, FollowUpArrangement


def participating_state_ids(meeting) -> set[int]:
    """The States that took part in ``meeting``: those whose delegation registered (ToR rule 7)."""
    return set(DelegationRegistration.objects.filter(meeting=meeting).values_list("state_id", flat=True))


def case_presenting_state_ids(briefing: Briefing) -> set[int]:
    """States that presented a case the outline draws on: each may veto it (ToR rule 22)."""
    return set(briefing.presentations.filter(kind=PresentationKind.CASE).values_list("presenting_state_id", flat=True))


def _state_delegate(user) -> bool:
    return bool(
        is_verified(user)
        and not user.is_superuser
        and user.role == Role.DELEGATE
        and user.state_id
        and user.state.is_eligible(procedural_today())
    )


def briefings_for_user(user):
    """Briefings ``user`` may see, as a queryset (empty without a verified session).

    The Chair in office sees every briefing; Secretariat staff see those of the meetings
    they see; a delegate sees those of the meetings its State took part in (a registered
    delegation) and those drawing on a case its State presented. The CSP President,
    national authority users, superusers, States that did not take part and everybody else
    see none (ToR rules 14, 22).
    """
    if not is_verified(user) or user.is_superuser:
        return Briefing.objects.none()
    if is_chair_in_office(user) or user.role == Role.SECRETARIAT:
        return in_meetings_for_user(Briefing.objects.all(), user)
    if _state_delegate(user):
        took_part = DelegationRegistration.objects.filter(state_id=user.state_id).values("meeting_id")
        presented = Briefing.presentations.through.objects.filter(
            presentation__presenting_state_id=user.state_id
        ).values("briefing_id")
        return in_meetings_for_user(Briefing.objects.all(), user).filter(
            Q(meeting_id__in=took_part) | Q(pk__in=presented)
        )
    return Briefing.objects.none()


def arrangements_for_user(user):
    """Follow-up arrangements ``user`` may see (ToR rule 21): a delegate those its State is
    party to; Secretariat staff those a party added the Secretariat to. Nobody else, not even
    the Chair or the CSP President as such."""
    if not is_verified(user) or user.is_superuser:
        return FollowUpArrangement.objects.none()
    arrangements = in_meetings_for_user(FollowUpArrangement.objects.all(), user)
    if user.role == Role.SECRETARIAT:
        return arrangements.filter(secretariat_added_at__isnull=False)
    if _state_delegate(user):
        # an EXISTS on the link table: no join to distinct away
        party = FollowUpArrangement.states.through.objects.filter(
            followuparrangement_id=OuterRef("pk"), state_id=user.state_id
        )
        return arrangements.filter(Exists(party))
    return FollowUpArrangement.objects.none()


def meetings_with_briefing_access(user):
    """Meetings whose briefing pages ``user`` may open: the Chair in office and the
    Secretariat for every meeting they see; a delegate for those its State took part in."""
    meetings = meetings_for_user(user)
    if not is_verified(user) or user.is_superuser:
        return meetings.none()
    if is_chair_in_office(user) or user.role == Role.SECRETARIAT:
        return meetings
    if _state_delegate(user):
        return meetings.filter(delegations__state_id=user.state_id)
    return meetings.none()
