"""ToR rule 10: the Secretariat distributes the draft agenda by T-30 (reminders and escalation)."""

from enforcement.registry import deadline_duty, sweep_related
from meetings.duties import secretariat
from meetings.enums import DeadlineKey


def draft_agenda_distributed_at(meeting):
    """When the draft agenda was distributed (ToR rule 10): an aware datetime, None until it is."""
    agenda = getattr(meeting, "agenda", None)
    return getattr(agenda, "distributed_at", None)


def register():
    deadline_duty(DeadlineKey.DRAFT_AGENDA, who=secretariat, done_at=draft_agenda_distributed_at)
    sweep_related("meeting__agenda")
