"""Who must still respond before T-15 (ToR rule 12), for reminders."""

from accounts.enums import Role
from accounts.models import User
from enforcement.registry import deadline_duty
from meetings.enums import DeadlineKey

from .models import InvolvedState, Reply


def _unanswered(meeting):
    replied = Reply.objects.filter(presentation__meeting=meeting).values_list("presentation_id", "state_id")
    pending = InvolvedState.objects.filter(presentation__meeting=meeting, presentation__status="registered")
    replied = set(replied)
    return {i.state_id for i in pending if (i.presentation_id, i.state_id) not in replied}


def delegates_still_to_reply(meeting):
    return User.objects.filter(is_active=True, role=Role.DELEGATE, state_id__in=_unanswered(meeting))


def all_replied_at(meeting):
    """None while an involved State has still to reply; the last reply's instant once all did."""
    if _unanswered(meeting):
        return None
    last = Reply.objects.filter(presentation__meeting=meeting).order_by("-submitted_at").first()
    return last.submitted_at if last else None


def register():
    deadline_duty(
        DeadlineKey.INVOLVED_STATE_RESPONSE, who=delegates_still_to_reply, done_at=all_replied_at, escalate=False
    )
