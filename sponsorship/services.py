"""State changes of sponsorship requests (ToR rule 24)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.errors import RuleViolation
from meetings.models import Meeting
from meetings.queries import procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue

from .enums import SponsorshipStatus
from .models import SponsorshipRequest


def can_request(user, meeting: Meeting) -> bool:
    """A delegate of an eligible State may ask until the meeting's last day (ToR rules 6, 24)."""
    return bool(
        user.is_delegate
        and user.state.is_eligible(procedural_today())
        and clock.today_in(meeting.procedural_time_zone) <= meeting.end_date
    )


def request_sponsorship(*, by: User, meeting: Meeting, travellers: int = 1, note: str = "") -> SponsorshipRequest:
    """ToR rule 24: a delegate asks travel sponsorship for its State's delegation to ``meeting``.

    One request per State and meeting: asking again (double click, a colleague) returns the
    existing one. Returns the :class:`SponsorshipRequest`; raises :class:`RuleViolation`.
    """
    if not (by.is_active and by.role == Role.DELEGATE and by.state_id and by.state.is_eligible(procedural_today())):
        raise RuleViolation(
            _("Only delegates of States Parties and signatory States ask for sponsorship (ToR rules 6, 24)."), "24"
        )
    if clock.today_in(meeting.procedural_time_zone) > meeting.end_date:
        raise RuleViolation(_("This meeting has ended: sponsorship is asked before it (ToR rule 24)."), "24")
    if not 1 <= int(travellers) <= 10:
        raise RuleViolation(_("Ask sponsorship for one to ten delegates (ToR rule 24)."), "24")
    existing = SponsorshipRequest.objects.filter(meeting=meeting, state_id=by.state_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SponsorshipRequest.objects.create(
                meeting=meeting,
                state_id=by.state_id,
                travellers=int(travellers),
                note=(note or "").strip()[:2000],
                requested_by=by,
                requested_at=clock.now(),
            )
    except IntegrityError:  # the same State asked at the same instant
        return SponsorshipRequest.objects.get(meeting=meeting, state_id=by.state_id)


@transaction.atomic
def decide_sponsorship(*, by: User, request: SponsorshipRequest, status: str, reason: str = "") -> SponsorshipRequest:
    """ToR rule 24: the Secretariat grants or declines a request (a refusal gives its reason);
    the requesting State's delegates are told, in their language. Decided once."""
    if not (by.is_active and by.role == Role.SECRETARIAT):
        raise RuleViolation(_("Only the Secretariat decides on sponsorship requests (ToR rule 24)."), "24")
    if status not in (SponsorshipStatus.GRANTED, SponsorshipStatus.DECLINED):
        raise RuleViolation(_("A request is granted or declined (ToR rule 24)."), "24")
    reason = (reason or "").strip()[:2000]
    if status == SponsorshipStatus.DECLINED and not reason:
        raise RuleViolation(_("Give the reason for declining the request (ToR rule 24)."), "24")
    request = SponsorshipRequest.objects.select_for_update().select_related("meeting").get(pk=request.pk)
    if request.status != SponsorshipStatus.RECEIVED:
        if request.status == status and request.reason == reason:
            return request  # a double submission
        raise RuleViolation(_("This request is already decided (ToR rule 24)."), "24")
    request.status = status
    request.reason = reason
    request.decided_by = by
    request.decided_at = clock.now()
    request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    queue(
        f"sponsorship:{request.pk}:decided",
        User.objects.filter(is_active=True, role=Role.DELEGATE, state_id=request.state_id),
        NotificationKind.SPONSORSHIP_UPDATED,
        meeting=request.meeting,
        subject_id=request.pk,
        context={"path": reverse("sponsorship:list")},
    )
    return request
