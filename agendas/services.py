"""State changes of the agenda: drafting (Secretariat, in consultation with the Chair), approval
(Chair), distribution by T-30 (ToR rule 10), numbered revisions, adoption at the meeting (rule 11),
release (rule 14).

Every change locks the meeting's row, then the agenda's, checks, and writes in one transaction.
A decision (approval, distribution, adoption, release) names the edition of the agenda it was
taken on (``seen``): if the items changed since, it is refused and the refusal lists the changes.
The ``*_refusal`` functions say, without writing, why an action is not possible now; the pages
use them to offer only what the rules allow, the services to refuse a forced request.
"""

import datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.errors import RuleViolation
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.models import ChairAppointment, Meeting
from meetings.queries import chair_in_office_today, current_chair_appointment, is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from presentations.services import mark_on_adopted_agenda, scheduling_verdict
from states.queries import eligible_states

from .enums import AgendaStatus
from .models import (
    EXPERT_DECISION,
    Agenda,
    AgendaChange,
    AgendaChangeKind,
    AgendaConsultation,
    AgendaItem,
    AgendaVersion,
)

UP, DOWN = "up", "down"


# Reading (no write: safe on GET) -------------------------------------------------------------


def agenda_for_reading(meeting: Meeting) -> Agenda | None:
    """The meeting's agenda, or None while nothing was drafted. Never creates a row."""
    return Agenda.objects.filter(meeting=meeting).first()


def agenda_read_with(meeting: Meeting) -> Agenda | None:
    """:func:`agenda_for_reading` for a meeting read with its agenda just now, for the agenda
    page (``meetings.queries.agenda_page_meeting_or_404``): that agenda, without asking again."""
    relation = Meeting._meta.get_field("agenda")
    if relation.is_cached(meeting):
        return relation.get_cached_value(meeting)
    return agenda_for_reading(meeting)


def current_edition(meeting: Meeting) -> int:
    """The edition of the meeting's agenda (0 before its first item): what a decision names."""
    agenda = agenda_for_reading(meeting)
    return agenda.edition if agenda else 0


def _is_secretariat(user) -> bool:
    return bool(user.is_active and user.role == Role.SECRETARIAT)


def _started(meeting: Meeting) -> bool:
    return clock.today_in(meeting.procedural_time_zone) >= meeting.start_date


def _start(meeting: Meeting) -> str:
    return date_format(meeting.start_date, "DATE_FORMAT")


def edit_refusal(user, agenda: Agenda | None) -> RuleViolation | None:
    """Why ``user`` cannot add, remove or move items now (ToR rules 10, 11), or None."""
    if not _is_secretariat(user):
        return RuleViolation(_("Only Secretariat staff can do this (ToR rule 10)."), "10")
    if agenda is not None and agenda.is_adopted:
        return RuleViolation(_("The agenda is adopted and can no longer change (ToR rule 11)."), "11")
    return None


def _consent_refusal(agenda: Agenda) -> RuleViolation | None:
    """ToR rule 12: no step of the agenda goes ahead with a presentation that still lacks a
    legally required consent."""
    for item in agenda.items.exclude(presentation=None).select_related("presentation"):
        verdict = scheduling_verdict(item.presentation)
        if not verdict:
            return RuleViolation(
                _("Item %(n)s cannot go ahead; remove it or wait. %(reason)s")
                % {"n": item.position, "reason": verdict.reason},
                "12",
            )
    return None


def approve_refusal(user, agenda: Agenda | None) -> RuleViolation | None:
    """Why ``user`` cannot approve the draft agenda now (ToR rules 4, 10), or None."""
    if not is_chair_in_office(user):
        return RuleViolation(_("Only the Chair in office approves the draft agenda (ToR rules 4, 10)."), "10")
    if agenda is not None and agenda.status != AgendaStatus.DRAFT:
        return RuleViolation(_("The draft agenda is already approved (ToR rule 10)."), "10")
    if agenda is None or not agenda.items.exists():
        return RuleViolation(_("The draft agenda has no item yet (ToR rule 10)."), "10")
    return _consent_refusal(agenda)


def distribute_refusal(user, agenda: Agenda | None) -> RuleViolation | None:
    """Why ``user`` cannot distribute the draft agenda now (ToR rule 10), or None."""
    if not _is_secretariat(user):
        return RuleViolation(_("Only Secretariat staff can do this (ToR rule 10)."), "10")
    if agenda is not None and agenda.is_distributed:
        return RuleViolation(_("The draft agenda is already distributed (ToR rule 10)."), "10")
    if agenda is None or agenda.status != AgendaStatus.APPROVED:
        return RuleViolation(_("The Chair must approve the draft agenda before it is distributed (ToR rule 10)."), "10")
    return _consent_refusal(agenda)


def adopt_refusal(user, agenda: Agenda | None, meeting: Meeting) -> RuleViolation | None:
    """Why ``user`` cannot record the adoption now (ToR rule 11), or None."""
    if not (user.is_active and (user.role == Role.SECRETARIAT or is_chair_in_office(user))):
        return RuleViolation(_("The Secretariat or the Chair records the adoption of the agenda (ToR rule 11)."), "11")
    if agenda is not None and agenda.is_adopted:
        return RuleViolation(_("The agenda is already adopted (ToR rule 11)."), "11")
    if agenda is None or not agenda.is_distributed:
        return RuleViolation(_("Only a distributed agenda can be adopted (ToR rules 10, 11)."), "11")
    if not _started(meeting):
        return RuleViolation(
            _("The agenda is adopted at the meeting, from %(date)s, not before (ToR rule 11).")
            % {"date": _start(meeting)},
            "11",
        )
    return _consent_refusal(agenda)


def release_refusal(user, agenda: Agenda | None, meeting: Meeting) -> RuleViolation | None:
    """Why ``user`` cannot record a release now (ToR rule 14), or None."""
    if not (user.is_active and (user.role == Role.SECRETARIAT or is_chair_in_office(user))):
        return RuleViolation(_("The Secretariat or the Chair records the participants' decision (ToR rule 14)."), "14")
    if agenda is None or not agenda.is_distributed or not _started(meeting):
        return RuleViolation(
            _("The participants decide on a release at the meeting, from %(date)s (ToR rule 14).")
            % {"date": _start(meeting)},
            "14",
        )
    return None


def consult_refusal(user, agenda: Agenda | None, meeting: Meeting | None = None) -> RuleViolation | None:
    """Why ``user`` cannot record the Chair's consultation on the draft agenda now, or None
    (``meeting``: the agenda's meeting, when it was read with whether a Chair is in office)."""
    if not (is_chair_in_office(user) or _is_secretariat(user)):
        return RuleViolation(
            _("The Chair, or the Secretariat for a consultation made on paper, records it (ToR rule 10)."), "10"
        )
    if not chair_in_office_today(meeting):
        return RuleViolation(_("No Chair is in office to consult; the CSP President appoints one (ToR rule 4)."), "4")
    if agenda is None or not agenda.items.exists():
        return RuleViolation(_("The draft agenda has no item yet (ToR rule 10)."), "10")
    if agenda.is_distributed:
        return RuleViolation(_("The draft agenda is distributed: the Chair was consulted before (ToR rule 10)."), "10")
    return None


def refusals(user, meeting: Meeting, agenda: Agenda | None) -> dict[str, RuleViolation | None]:
    """For the agenda page: each action's refusal for ``user`` now, None where it is allowed."""
    return {
        "edit": edit_refusal(user, agenda),
        "approve": approve_refusal(user, agenda),
        "distribute": distribute_refusal(user, agenda),
        "adopt": adopt_refusal(user, agenda, meeting),
        "release": release_refusal(user, agenda, meeting),
        "consult": consult_refusal(user, agenda, meeting),
    }


def changes_since(agenda: Agenda, seen: int) -> list[AgendaChange]:
    """The changes of ``agenda``'s items after edition ``seen``, oldest first."""
    return list(agenda.changes.filter(edition__gt=seen).order_by("edition"))


# Writing -------------------------------------------------------------------------------------


@transaction.atomic
def agenda_of(meeting: Meeting) -> Agenda:
    """The meeting's agenda, created (draft) if there is none yet. Writes: for POST only."""
    return _locked(meeting, create=True)


def _raise(refusal: RuleViolation | None) -> None:
    if refusal is not None:
        raise refusal


def _locked(meeting: Meeting, *, create: bool = False) -> Agenda | None:
    """Lock the meeting's row, then its agenda's (created if ``create``); one order everywhere."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if create:
        Agenda.objects.get_or_create(meeting=meeting, defaults={"created_at": clock.now()})
    return Agenda.objects.select_for_update().select_related("meeting__tor_version").filter(meeting=meeting).first()


def _require_seen(agenda: Agenda, seen) -> None:
    """A decision names the edition it was taken on; refuse it if the items changed since."""
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        raise RuleViolation(
            _("The request did not say which version of the agenda it was taken on; open the agenda again."), "10"
        ) from None
    if seen != agenda.edition:
        changes = "; ".join(c.describe() for c in changes_since(agenda, seen)) or _("items changed")
        raise RuleViolation(
            _(
                "The agenda changed since you opened it (%(changes)s). Nothing was done: read it again "
                "before you decide (ToR rule 10)."
            )
            % {"changes": changes},
            "10",
        )


def _snapshot(agenda: Agenda) -> list[dict]:
    return [
        {
            "position": i.position,
            "title": i.title,
            "presentation_id": i.presentation_id,
            "kind": EXPERT_DECISION if i.expert_proposal_id else (i.presentation.kind if i.presentation_id else ""),
        }
        for i in agenda.items.select_related("presentation").order_by("position", "pk")
    ]


def _renumber(agenda: Agenda) -> None:
    for position, item in enumerate(agenda.items.order_by("position", "pk"), start=1):
        if item.position != position:
            AgendaItem.objects.filter(pk=item.pk).update(position=position)


def _record_change(agenda: Agenda, by: User | None, kind: str, item: AgendaItem, changes: str) -> None:
    """One change of the items: a new edition, logged; before distribution the approval lapses,
    after it a new numbered version (ToR rule 10)."""
    _renumber(agenda)
    agenda.edition += 1
    agenda.save(update_fields=["edition"])
    AgendaChange.objects.create(
        agenda=agenda,
        edition=agenda.edition,
        kind=kind,
        title=item.title,
        presentation_kind=EXPERT_DECISION
        if item.expert_proposal_id
        else (item.presentation.kind if item.presentation_id else ""),
        made_at=clock.now(),
        made_by=by,
    )
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
    """Add an item at the end (ToR rule 10); a presentation whose consent is legally required
    needs an involved State named and every involved State's consent first (rule 12). The same
    item added twice (a double click, a retry) is added once. Returns the item. Raises
    RuleViolation."""
    _raise(edit_refusal(by, None))
    agenda = _locked(meeting, create=True)
    _raise(edit_refusal(by, agenda))
    if presentation is not None:
        if presentation.meeting_id != meeting.pk:
            raise RuleViolation(_("That presentation belongs to another meeting."))
        scheduling_verdict(presentation).enforce()
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
    _record_change(agenda, by, AgendaChangeKind.ADDED, item, changes)
    return item


@transaction.atomic
def remove_item(*, by: User, meeting: Meeting, item_pk: int, changes: str = "") -> bool:
    """Remove an item (ToR rule 10). An item already gone (a double click, two tabs) changes
    nothing: no second numbered version, no second notice. Returns True if it was removed."""
    _raise(edit_refusal(by, None))
    agenda = _locked(meeting)
    _raise(edit_refusal(by, agenda))
    item = agenda.items.select_related("presentation").filter(pk=item_pk).first() if agenda else None
    if item is None:
        return False
    if item.released_at is not None:
        raise RuleViolation(_("This item was released by the participants and stays on record (ToR rule 14)."), "14")
    if item.expert_proposal_id and item.expert_proposal.status == "referred":
        raise RuleViolation(
            _("The participating States Parties must take this procedural decision at the meeting (ToR rule 8)."), "8"
        )
    item.delete()
    _record_change(agenda, by, AgendaChangeKind.REMOVED, item, changes)
    return True


@transaction.atomic
def move_item(*, by: User, meeting: Meeting, item_pk: int, direction: str, seen, changes: str = "") -> AgendaItem:
    """Move an item one place up or down (ToR rule 10); after distribution that is a new numbered
    version. ``seen`` is the edition the request was made on: a repeated request (a double
    click) is refused as the agenda changed since, so an item never moves twice. Returns the item."""
    _raise(edit_refusal(by, None))
    agenda = _locked(meeting)
    _raise(edit_refusal(by, agenda))
    if agenda is None:
        raise RuleViolation(_("The draft agenda has no item yet (ToR rule 10)."), "10")
    _require_seen(agenda, seen)
    items = list(agenda.items.select_related("presentation").order_by("position", "pk"))
    index = next((i for i, it in enumerate(items) if it.pk == int(item_pk)), None)
    if index is None:
        raise RuleViolation(_("This item is no longer on the agenda."), "10")
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= other < len(items):
        raise RuleViolation(_("This item cannot move further that way."), "10")
    item, neighbour = items[index], items[other]
    AgendaItem.objects.filter(pk=item.pk).update(position=neighbour.position)
    AgendaItem.objects.filter(pk=neighbour.pk).update(position=item.position)
    kind = AgendaChangeKind.MOVED_UP if direction == UP else AgendaChangeKind.MOVED_DOWN
    if agenda.is_distributed and not changes.strip():
        changes = AgendaChange(kind=kind, title=item.title, presentation_kind=getattr(item.presentation, "kind", ""))
        changes = changes.describe()
    _record_change(agenda, by, kind, item, changes)
    return item


@transaction.atomic
def approve(*, by: User, meeting: Meeting, seen) -> Agenda:
    """ToR rule 10: the Chair in office approves the draft agenda as of edition ``seen`` (what
    they saw). Refused if the items changed since; a second approval (another tab, a double
    click) is refused with "already approved". Returns the agenda."""
    if not is_chair_in_office(by):
        _raise(approve_refusal(by, None))
    agenda = _locked(meeting)
    _raise(approve_refusal(by, agenda))
    _require_seen(agenda, seen)
    agenda.status = AgendaStatus.APPROVED
    agenda.approved_at = clock.now()
    agenda.approved_by = current_chair_appointment()
    agenda.save(update_fields=["status", "approved_at", "approved_by"])
    return agenda


@transaction.atomic
def distribute(*, by: User, meeting: Meeting, seen) -> Agenda:
    """ToR rule 10: distribute the approved draft agenda (edition ``seen``) to all eligible
    States, by T-30. Late distribution is allowed and recorded as late. Distributing twice
    changes nothing. Returns the agenda."""
    if not _is_secretariat(by):
        _raise(distribute_refusal(by, None))
    agenda = _locked(meeting)
    if agenda is not None and agenda.is_distributed:
        return agenda
    _raise(distribute_refusal(by, agenda))
    _require_seen(agenda, seen)
    now = clock.now()
    agenda.status = AgendaStatus.DISTRIBUTED
    agenda.distributed_at = now
    agenda.distributed_late = not meeting_deadline(agenda.meeting, DeadlineKey.DRAFT_AGENDA).is_met_by(now)
    agenda.save(update_fields=["status", "distributed_at", "distributed_late"])
    AgendaVersion.objects.create(agenda=agenda, number=0, created_at=now, created_by=by, items=_snapshot(agenda))
    _notify_states(agenda, f"meeting:{meeting.pk}:agenda:distributed", NotificationKind.AGENDA_DISTRIBUTED)
    return agenda


@transaction.atomic
def adopt(*, by: User, meeting: Meeting, seen) -> Agenda:
    """ToR rule 11: record the adoption at the meeting of the agenda as of edition ``seen``;
    registrations close (``Meeting.agenda_adopted_at``) and the presentations on it are marked
    given at the meeting (their right of reply exists, rule 12). Returns the agenda."""
    agenda = _locked(meeting)
    _raise(adopt_refusal(by, agenda, meeting))
    _require_seen(agenda, seen)
    agenda.status = AgendaStatus.ADOPTED
    agenda.adopted_at = clock.now()
    agenda.adopted_by = by
    agenda.save(update_fields=["status", "adopted_at", "adopted_by"])
    # Read by the apps below agendas (registration closes, ToR rule 11), same transaction.
    Meeting.objects.filter(pk=meeting.pk).update(agenda_adopted_at=agenda.adopted_at)
    mark_on_adopted_agenda(
        meeting=meeting,
        presentation_ids=agenda.items.exclude(presentation=None).values_list("presentation_id", flat=True),
        at=agenda.adopted_at,
    )
    return agenda


@transaction.atomic
def release_item(*, by: User, meeting: Meeting, item_pk: int, decision: str, seen) -> AgendaItem:
    """ToR rule 14: record the participants' decision to release a named agenda item, taken on
    edition ``seen`` of the agenda. Recording it twice keeps the first. Returns the item."""
    if not decision.strip():
        raise RuleViolation(_("Record the participants' decision that releases this item (ToR rule 14)."), "14")
    agenda = _locked(meeting)
    _raise(release_refusal(by, agenda, meeting))
    item = AgendaItem.objects.select_for_update().filter(pk=item_pk, agenda=agenda).first()
    if item is None:
        raise RuleViolation(_("This item is no longer on the agenda."), "14")
    if item.released_at is not None:
        return item
    _require_seen(agenda, seen)
    item.released_at = clock.now()
    item.release_decision = decision.strip()
    item.released_by = by
    item.save(update_fields=["released_at", "release_decision", "released_by"])
    return item


@transaction.atomic
def record_consultation(
    *, by: User, meeting: Meeting, comments: str = "", consulted_on: datetime.date | None = None
) -> AgendaConsultation:
    """ToR rule 10: the Chair in office records their consultation on the draft agenda and their
    comments; the Secretariat may record a consultation made on paper (marked so, with its
    date). Returns the consultation. Raises RuleViolation."""
    agenda = _locked(meeting)
    _raise(consult_refusal(by, agenda))
    today = clock.today_in(meeting.procedural_time_zone)
    chair_self = is_chair_in_office(by)
    if chair_self:
        appointment, consulted_on = current_chair_appointment(), today
    else:
        if consulted_on is None:
            raise RuleViolation(_("Give the date of the consultation made on paper (ToR rule 10)."), "10")
        if consulted_on > today:
            raise RuleViolation(_("A consultation cannot be recorded before it took place (ToR rule 10)."), "10")
        appointment = ChairAppointment.objects.in_office_on(consulted_on).first()
        if appointment is None:
            raise RuleViolation(_("No Chair was in office on that date (ToR rule 4)."), "4")
    same = agenda.consultations.filter(
        chair=appointment, consulted_on=consulted_on, comments=comments.strip(), edition=agenda.edition, recorded_by=by
    ).first()
    if same is not None:  # a double click or a retry: recorded once
        return same
    return AgendaConsultation.objects.create(
        agenda=agenda,
        chair=appointment,
        consulted_on=consulted_on,
        comments=comments.strip(),
        on_paper=not chair_self,
        edition=agenda.edition,
        recorded_at=clock.now(),
        recorded_by=by,
    )


def add_referral_item(proposal, now) -> AgendaItem | None:
    """ToR rule 8: an expert proposal still objected to at T-20 is referred to the States
    Parties participating in the meeting; its procedural decision becomes an agenda item.

    Runs inside the referral's transaction (hook :data:`experts.registry.ON_REFERRED`). A
    distributed agenda gets a new numbered version saying what changed (ToR rule 10); an
    approved draft goes back to the Chair. The item names no expert (its title is the kind of
    item, in each reader's language). Adding it twice changes nothing. Returns the item, or
    None when the agenda is already adopted (the Chair then takes the decision all the same).
    """
    agenda = _locked(proposal.meeting, create=True)
    existing = agenda.items.filter(expert_proposal=proposal).first()
    if existing is not None:
        return existing
    if agenda.is_adopted:
        return None
    position = (agenda.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(agenda=agenda, position=position, title="", expert_proposal=proposal)
    _record_change(
        agenda,
        None,
        AgendaChangeKind.ADDED,
        item,
        _("Item %(n)s added: procedural decision on a non-state expert proposal referred under ToR rule 8.")
        % {"n": position},
    )
    return item
