"""State changes of the agenda: drafting (Secretariat), approval (Chair), distribution by
T-30 (ToR rule 10), numbered revisions, adoption at the meeting (rule 11), release (rule 14)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.errors import RuleViolation
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.models import Meeting
from meetings.queries import current_chair_appointment, is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from presentations.services import can_be_scheduled
from states.queries import eligible_states

from .enums import AgendaStatus
from .models import Agenda, AgendaItem, AgendaVersion


def _require_secretariat(user) -> None:
    if not (user.is_active and user.role == Role.SECRETARIAT):
        raise RuleViolation(_("Only Secretariat staff can do this (ToR rule 10)."), "10")


def agenda_of(meeting: Meeting) -> Agenda:
    """The meeting's agenda, created empty (draft) on first use."""
    agenda, _created = Agenda.objects.get_or_create(meeting=meeting)
    return agenda


def _locked(meeting: Meeting) -> Agenda:
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    agenda_of(meeting)
    return Agenda.objects.select_for_update().select_related("meeting__tor_version").get(meeting=meeting)


def _snapshot(agenda: Agenda) -> list[dict]:
    return [
        {
            "position": i.position,
            "title": i.title,
            "presentation_id": i.presentation_id,
            "kind": i.presentation.kind if i.presentation_id else "",
        }
        for i in agenda.items.select_related("presentation").order_by("position", "pk")
    ]


def _require_consents(agenda: Agenda) -> None:
    """ToR rule 12: no step of the agenda goes ahead with a presentation that still lacks a
    legally required consent."""
    for item in agenda.items.exclude(presentation=None).select_related("presentation"):
        if not can_be_scheduled(item.presentation):
            raise RuleViolation(
                _(
                    "Item %(n)s is a presentation that every involved State has not yet consented to; "
                    "remove it or wait for the consents (ToR rule 12)."
                )
                % {"n": item.position},
                "12",
            )


def _after_change(agenda: Agenda, by: User, changes: str) -> None:
    """Before distribution an edit needs a new approval; after it, a new numbered version."""
    if agenda.is_adopted:
        raise RuleViolation(_("The agenda is adopted and can no longer change (ToR rule 11)."), "11")
    if not agenda.is_distributed:
        if agenda.status == AgendaStatus.APPROVED:
            agenda.status, agenda.approved_at, agenda.approved_by = AgendaStatus.DRAFT, None, None
            agenda.save(update_fields=["status", "approved_at", "approved_by"])
        return
    if not changes.strip():
        raise RuleViolation(
            _("Say what changed: the distributed agenda gets a new numbered version (ToR rule 10)."), "10"
        )
    number = agenda.versions.count()
    AgendaVersion.objects.create(
        agenda=agenda,
        number=number,
        created_at=clock.now(),
        created_by=by,
        changes=changes.strip(),
        items=_snapshot(agenda),
    )
    _notify_states(agenda, f"meeting:{agenda.meeting_id}:agenda:rev{number}", NotificationKind.AGENDA_REVISED)


def _notify_states(agenda: Agenda, event: str, kind: str) -> None:
    queue(
        event,
        User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=eligible_states(procedural_today())),
        kind,
        meeting=agenda.meeting,
    )


@transaction.atomic
def add_item(*, by: User, meeting: Meeting, title: str, presentation=None, changes: str = "") -> AgendaItem:
    """Add an item; a presentation whose consent is legally required needs every involved
    State's consent first (ToR rule 12)."""
    _require_secretariat(by)
    agenda = _locked(meeting)
    if presentation is not None:
        if presentation.meeting_id != meeting.pk:
            raise RuleViolation(_("That presentation belongs to another meeting."))
        if not can_be_scheduled(presentation):
            raise RuleViolation(
                _("This presentation cannot be scheduled until every involved State has consented (ToR rule 12)."),
                "12",
            )
        # The presentation's own title is confidential to the States that see it: an item with
        # no title of its own is named, in each reader's language, by the kind of presentation.
        title = title.strip()
    elif not title.strip():
        raise RuleViolation(_("Give the item a title."))
    same = agenda.items.filter(presentation=presentation) if presentation else agenda.items.filter(title=title)
    if same.exists():  # a double click or a retry: the item is there already
        return same.first()
    position = (agenda.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(agenda=agenda, position=position, title=title, presentation=presentation)
    _after_change(agenda, by, changes)
    return item


@transaction.atomic
def remove_item(*, by: User, item: AgendaItem, changes: str = "") -> None:
    _require_secretariat(by)
    agenda = _locked(item.agenda.meeting)
    if AgendaItem.objects.filter(pk=item.pk, released_at__isnull=False).exists():
        raise RuleViolation(_("This item was released by the participants and stays on record (ToR rule 14)."), "14")
    AgendaItem.objects.filter(pk=item.pk, agenda=agenda).delete()
    _after_change(agenda, by, changes)


@transaction.atomic
def approve(*, by: User, meeting: Meeting) -> Agenda:
    """ToR rule 10: the Chair in office approves the draft agenda. A second approval (another
    tab, a double click) is refused with "already approved"."""
    if not is_chair_in_office(by):
        raise RuleViolation(_("Only the Chair in office approves the draft agenda (ToR rules 4, 10)."), "10")
    agenda = _locked(meeting)
    if agenda.status != AgendaStatus.DRAFT:
        raise RuleViolation(_("The draft agenda is already approved (ToR rule 10)."), "10")
    if not agenda.items.exists():
        raise RuleViolation(_("The draft agenda has no item yet (ToR rule 10)."), "10")
    _require_consents(agenda)
    agenda.status = AgendaStatus.APPROVED
    agenda.approved_at = clock.now()
    agenda.approved_by = current_chair_appointment()
    agenda.save(update_fields=["status", "approved_at", "approved_by"])
    return agenda


@transaction.atomic
def distribute(*, by: User, meeting: Meeting) -> Agenda:
    """ToR rule 10: distribute the approved draft agenda to all eligible States, by T-30.

    Late distribution is allowed and recorded as late. Distributing twice changes nothing.
    """
    _require_secretariat(by)
    agenda = _locked(meeting)
    if agenda.is_distributed:
        return agenda
    if agenda.status != AgendaStatus.APPROVED:
        raise RuleViolation(_("The Chair must approve the draft agenda before it is distributed (ToR rule 10)."), "10")
    _require_consents(agenda)
    now = clock.now()
    agenda.status = AgendaStatus.DISTRIBUTED
    agenda.distributed_at = now
    agenda.distributed_late = not meeting_deadline(agenda.meeting, DeadlineKey.DRAFT_AGENDA).is_met_by(now)
    agenda.save(update_fields=["status", "distributed_at", "distributed_late"])
    AgendaVersion.objects.create(agenda=agenda, number=0, created_at=now, created_by=by, items=_snapshot(agenda))
    _notify_states(agenda, f"meeting:{meeting.pk}:agenda:distributed", NotificationKind.AGENDA_DISTRIBUTED)
    return agenda


@transaction.atomic
def adopt(*, by: User, meeting: Meeting) -> Agenda:
    """ToR rule 11: record the adoption of the agenda at the meeting; registrations close."""
    if not (by.is_active and (by.role == Role.SECRETARIAT or is_chair_in_office(by))):
        raise RuleViolation(_("The Secretariat or the Chair records the adoption of the agenda (ToR rule 11)."), "11")
    agenda = _locked(meeting)
    if agenda.is_adopted:
        raise RuleViolation(_("The agenda is already adopted (ToR rule 11)."), "11")
    if not agenda.is_distributed:
        raise RuleViolation(_("Only a distributed agenda can be adopted (ToR rules 10, 11)."), "11")
    if clock.today_in(agenda.meeting.procedural_time_zone) < agenda.meeting.start_date:
        raise RuleViolation(_("The agenda is adopted at the meeting, not before it starts (ToR rule 11)."), "11")
    _require_consents(agenda)
    agenda.status = AgendaStatus.ADOPTED
    agenda.adopted_at = clock.now()
    agenda.adopted_by = by
    agenda.save(update_fields=["status", "adopted_at", "adopted_by"])
    # Read by the apps below agendas (registration closes, ToR rule 11), same transaction.
    Meeting.objects.filter(pk=meeting.pk).update(agenda_adopted_at=agenda.adopted_at)
    return agenda


@transaction.atomic
def release_item(*, by: User, item: AgendaItem, decision: str) -> AgendaItem:
    """ToR rule 14: record the participants' decision to release a named agenda item."""
    if not (by.is_active and (by.role == Role.SECRETARIAT or is_chair_in_office(by))):
        raise RuleViolation(_("The Secretariat or the Chair records the participants' decision (ToR rule 14)."), "14")
    if not decision.strip():
        raise RuleViolation(_("Record the participants' decision that releases this item (ToR rule 14)."), "14")
    item = AgendaItem.objects.select_for_update().select_related("agenda__meeting").get(pk=item.pk)
    meeting = item.agenda.meeting
    if clock.today_in(meeting.procedural_time_zone) < meeting.start_date or not item.agenda.is_distributed:
        raise RuleViolation(_("The participants decide on a release at the meeting (ToR rule 14)."), "14")
    if item.released_at is None:
        item.released_at = clock.now()
        item.release_decision = decision.strip()
        item.released_by = by
        item.save(update_fields=["released_at", "release_decision", "released_by"])
    return item
