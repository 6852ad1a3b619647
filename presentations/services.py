"""State changes of presentations: registration (rule 11), involved States and replies
(rule 12), consent, right of reply. Views, tasks and commands all call these."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.confidentiality import Classification, normalise_types
from dief.errors import RuleViolation
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.models import DelegationRegistration, Meeting
from meetings.queries import is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from states.models import State

from .enums import Consent, PresentationKind, PresentationStatus, RightOfReply
from .models import InvolvedState, Presentation, PresentationGroupObjectPermission, Reply
from .queries import VIEW_PRESENTATION

#: The rule 18 fields a presentation shares with the platform's records.
TYPED_FIELDS = (
    "diversion_details",
    "discovery_details",
    "discovery_timeliness",
    "ways_and_methods",
    "actors_involved",
    "investigation_status",
    "routes",
)


def _require_delegate_of_eligible_state(user) -> None:
    if not (user.is_active and user.role == Role.DELEGATE and user.state_id):
        raise RuleViolation(_("Only delegates of States Parties and signatory States can do this (ToR rule 6)."), "6")
    if not user.state.is_eligible(procedural_today()):
        raise RuleViolation(_("Only States Parties and signatory States take part in the Forum (ToR rule 6)."), "6")


def meeting_has_ended(meeting: Meeting) -> bool:
    """True once the meeting's last day is over in its procedural time zone."""
    return clock.today_in(meeting.procedural_time_zone) > meeting.end_date


def agenda_adopted(meeting: Meeting) -> bool:
    """ToR rule 11: True once the meeting's agenda is adopted (``Meeting.agenda_adopted_at``,
    written by agendas.services.adopt; presentations does not import agendas)."""
    return meeting.agenda_adopted_at is not None


def can_register(user, meeting: Meeting) -> bool:
    """ToR rule 11: registration is open to eligible States until the agenda is adopted."""
    try:
        _require_delegate_of_eligible_state(user)
    except RuleViolation:
        return False
    return not agenda_adopted(meeting)


def can_register_somewhere(user) -> bool:
    """True for a delegate of an eligible State (ToR rules 6, 11)."""
    try:
        _require_delegate_of_eligible_state(user)
    except RuleViolation:
        return False
    return True


def sync_presentation_access(presentation: Presentation) -> None:
    """Grant ``view_presentation`` to the groups of the presenting State, the involved States
    and the States registered to take part in the meeting; withdraw it from any other group."""
    state_ids = {presentation.presenting_state_id}
    state_ids.update(presentation.involved_states.values_list("state_id", flat=True))
    state_ids.update(
        DelegationRegistration.objects.filter(meeting_id=presentation.meeting_id).values_list("state_id", flat=True)
    )
    wanted = set(State.objects.filter(pk__in=state_ids).values_list("group_id", flat=True))
    have = set(
        PresentationGroupObjectPermission.objects.filter(content_object=presentation).values_list("group_id", flat=True)
    )
    if wanted - have:
        assign_perm(VIEW_PRESENTATION, Group.objects.filter(pk__in=wanted - have), presentation)
    if have - wanted:
        PresentationGroupObjectPermission.objects.filter(
            content_object=presentation, group_id__in=have - wanted
        ).delete()


def sync_meeting_presentations_access(meeting: Meeting) -> None:
    for presentation in meeting.presentations.all():
        sync_presentation_access(presentation)


@transaction.atomic
def register_presentation(
    *,
    by: User,
    meeting: Meeting,
    kind: str,
    title: str,
    summary: str,
    consent_legally_required: bool = False,
    classification: int = Classification.CONFIDENTIAL,
    information_types=(),
    countries=(),
    **typed_fields,
) -> Presentation:
    """ToR rule 11: register the intention of ``by``'s State to present at ``meeting``.

    The presenting State gives its classification (rule 15) and, if it wishes, the rule 18
    fields (``typed_fields``: diversion_details, discovery_details, discovery_timeliness,
    ways_and_methods, actors_involved, investigation_status, routes) and rule 19 types.

    Open at any time, even before the invitation, until the agenda is adopted. Returns the
    :class:`Presentation`; raises :class:`RuleViolation` and changes nothing.
    """
    _require_delegate_of_eligible_state(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if agenda_adopted(meeting):
        raise RuleViolation(_("The agenda of this meeting is adopted: registrations are closed (ToR rule 11)."), "11")
    if meeting_has_ended(meeting):
        raise RuleViolation(_("This meeting has ended: registrations are closed (ToR rule 11)."), "11")
    same = Presentation.objects.filter(
        meeting=meeting, presenting_state_id=by.state_id, title=title.strip(), status=PresentationStatus.REGISTERED
    ).first()
    if same is not None:  # a double click or a retry: the registration exists already
        return same
    if classification not in Classification.values or classification == Classification.LIFTED:
        raise RuleViolation(_("Choose your classification (ToR rule 15)."), "15")
    if set(typed_fields) - set(TYPED_FIELDS):
        raise TypeError(f"unknown presentation fields: {sorted(set(typed_fields) - set(TYPED_FIELDS))}")
    if kind not in PresentationKind.values:
        raise RuleViolation(_("Choose a case of diversion or other diversion-related information (ToR rule 11)."), "11")
    presentation = Presentation.objects.create(
        meeting=meeting,
        presenting_state=by.state,
        registered_by=by,
        registered_at=clock.now(),
        kind=kind,
        title=title.strip(),
        summary=summary.strip(),
        consent_legally_required=consent_legally_required,
        classification=classification,
        information_types=normalise_types(information_types or ()),
        **{k: (v or "").strip() for k, v in typed_fields.items() if k in TYPED_FIELDS},
    )
    if countries:
        presentation.countries.set(countries)
    sync_presentation_access(presentation)
    return presentation


@transaction.atomic
def describe_presentation(
    *, by: User, presentation: Presentation, information_types=(), countries=(), **typed_fields
) -> Presentation:
    """The presenting State gives its presentation the rule 18 fields (``typed_fields``, see
    :data:`TYPED_FIELDS`), the rule 19 types (letters a-g) and the countries concerned, the
    same fields as a platform record (ToR rules 13, 18, 19). Returns the presentation; raises
    :class:`RuleViolation` for anyone but a delegate of the presenting State."""
    _require_presenting_delegate(by, presentation)
    if set(typed_fields) - set(TYPED_FIELDS):
        raise TypeError(f"unknown presentation fields: {sorted(set(typed_fields) - set(TYPED_FIELDS))}")
    presentation = Presentation.objects.select_for_update().get(pk=presentation.pk)
    presentation.information_types = normalise_types(information_types or ())
    for field, value in typed_fields.items():
        setattr(presentation, field, (value or "").strip())
    presentation.save(update_fields=["information_types", *typed_fields])
    presentation.countries.set(countries)
    return presentation


def _require_presenting_delegate(user, presentation: Presentation) -> None:
    _require_delegate_of_eligible_state(user)
    if user.state_id != presentation.presenting_state_id:
        raise RuleViolation(_("Only delegates of the presenting State can do this (ToR rule 12)."), "12")


@transaction.atomic
def notify_involved_states(*, by: User, presentation: Presentation, states) -> list[InvolvedState]:
    """ToR rule 12: name the eligible States the presentation involves and notify them now.

    Allowed until the end of T-30 (procedural time zone), refused after. Each notice asks
    for a response by T-15. Naming a State twice changes nothing. Returns the new rows.
    """
    _require_presenting_delegate(by, presentation)
    presentation = (
        Presentation.objects.select_for_update().select_related("meeting__tor_version").get(pk=presentation.pk)
    )
    now = clock.now()
    notice = meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_NOTICE)
    if notice.has_passed(now):
        raise RuleViolation(
            _(
                "Involved States must be notified at least %(days)s days before the meeting; that date has passed "
                "(ToR rule 12)."
            )
            % {"days": notice.days_before},
            "12",
        )
    if presentation.status != PresentationStatus.REGISTERED:
        raise RuleViolation(_("This presentation is withdrawn."))
    states = list(states)
    today = procedural_today()
    for state in states:
        if state.pk == presentation.presenting_state_id:
            raise RuleViolation(_("The presenting State is not an involved State (ToR rule 12)."), "12")
        if not state.is_eligible(today):
            raise RuleViolation(
                _(
                    "%(state)s is not a State Party or signatory State; only they can be involved States "
                    "(ToR rules 6, 12)."
                )
                % {"state": state.local_name},
                "12",
            )
    already = set(presentation.involved_states.values_list("state_id", flat=True))
    consent = Consent.PENDING if presentation.consent_legally_required else Consent.NOT_ASKED
    created = [
        InvolvedState.objects.create(presentation=presentation, state=s, notified_at=now, consent=consent)
        for s in states
        if s.pk not in already
    ]
    if created:
        presentation.involved_states_notified_at = presentation.involved_states_notified_at or now
        presentation.save(update_fields=["involved_states_notified_at"])
        sync_presentation_access(presentation)
        response = meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE)
        queue(
            f"presentation:{presentation.pk}:notice",
            User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=[i.state for i in created]),
            NotificationKind.INVOLVED_STATE_NOTICE,
            meeting=presentation.meeting,
            subject_id=presentation.pk,
            context={
                "due_at": response.due_at.isoformat(),
                "procedural_time_zone": response.time_zone,
                "deadline_key": str(response.key),
                "rule": response.rule,
                "presentation_id": presentation.pk,
            },
        )
    return created


def submit_reply(*, by: User, presentation: Presentation, text: str, consent: bool | None = None) -> Reply:
    """ToR rule 12: the response of an involved State, attached to the presentation.

    One reply per involved State: a second submission (double click, retry) returns the
    first and notifies nobody again. A reply after T-15 is attached and marked late. When
    consent is legally required, ``consent`` (True/False) records the State's consent.
    """
    _require_delegate_of_eligible_state(by)
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Write the response of your State (ToR rule 12)."), "12")
    try:
        with transaction.atomic():
            involved = (
                InvolvedState.objects.select_for_update()
                .select_related("presentation__meeting__tor_version")
                .filter(presentation=presentation, state_id=by.state_id)
                .first()
            )
            if involved is None:
                raise RuleViolation(_("Only the States this presentation involves can reply (ToR rule 12)."), "12")
            existing = Reply.objects.filter(presentation=presentation, state_id=by.state_id).first()
            if existing is not None:
                return existing
            now = clock.now()
            response = meeting_deadline(involved.presentation.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE)
            reply = Reply.objects.create(
                presentation=presentation,
                state_id=by.state_id,
                text=text,
                submitted_by=by,
                submitted_at=now,
                late=not response.is_met_by(now),
            )
            if involved.presentation.consent_legally_required and consent is not None:
                involved.consent = Consent.GIVEN if consent else Consent.REFUSED
                involved.save(update_fields=["consent"])
            queue(
                f"presentation:{presentation.pk}:reply:{by.state_id}",
                User.objects.filter(is_active=True, role=Role.DELEGATE, state_id=presentation.presenting_state_id),
                NotificationKind.REPLY_RECEIVED,
                meeting=involved.presentation.meeting,
                subject_id=presentation.pk,
                context={"presentation_id": presentation.pk},
            )
            return reply
    except IntegrityError:  # another request created it at the same instant
        return Reply.objects.get(presentation=presentation, state_id=by.state_id)


@transaction.atomic
def set_consent(*, by: User, presentation: Presentation, consent: bool) -> InvolvedState:
    """ToR rule 12: an involved State gives or refuses its consent when it is legally required."""
    _require_delegate_of_eligible_state(by)
    involved = InvolvedState.objects.select_for_update().filter(presentation=presentation, state_id=by.state_id).first()
    if involved is None:
        raise RuleViolation(_("Only the States this presentation involves can reply (ToR rule 12)."), "12")
    if not presentation.consent_legally_required:
        raise RuleViolation(
            _("The presenting State does not need your consent for this presentation (ToR rule 12)."), "12"
        )
    involved.consent = Consent.GIVEN if consent else Consent.REFUSED
    involved.save(update_fields=["consent"])
    return involved


def can_be_scheduled(presentation: Presentation) -> bool:
    """ToR rule 12: without a legal requirement, yes; with one, only once every involved State consented."""
    if presentation.status != PresentationStatus.REGISTERED:
        return False
    if not presentation.consent_legally_required:
        return True
    return not presentation.involved_states.exclude(consent=Consent.GIVEN).exists()


def right_of_reply_refusal(presentation: Presentation) -> RuleViolation | None:
    """ToR rule 12: why the right of reply cannot be recorded now for ``presentation``, or None.

    It exists only for a presentation given at the meeting: one on the adopted agenda
    (``Presentation.on_adopted_agenda_at``, set by :func:`mark_on_adopted_agenda`), once the
    meeting has started.
    """
    meeting = presentation.meeting
    if presentation.on_adopted_agenda_at is None:
        return RuleViolation(
            _(
                "The right of reply follows the presentation at the meeting: this presentation is not on "
                "the adopted agenda (ToR rule 12)."
            ),
            "12",
        )
    if clock.today_in(meeting.procedural_time_zone) < meeting.start_date:
        return RuleViolation(
            _("The right of reply is accorded after the presentation, at the meeting (ToR rule 12)."), "12"
        )
    return None


def mark_on_adopted_agenda(*, meeting: Meeting, presentation_ids, at) -> int:
    """ToR rules 11, 12: record that the presentations ``presentation_ids`` of ``meeting`` are on
    its adopted agenda since ``at`` (an aware instant). Called by agendas.services.adopt inside
    its transaction; presentations already marked keep their time. Returns how many were marked.
    """
    return Presentation.objects.filter(
        meeting=meeting, pk__in=list(presentation_ids), on_adopted_agenda_at=None
    ).update(on_adopted_agenda_at=at)


@transaction.atomic
def record_right_of_reply(*, by: User, involved: InvolvedState, decision: str) -> InvolvedState:
    """ToR rule 12: after the presentation the Chair records the right of reply as given or waived.

    Only the Chair in office, and only once the meeting has started. Nothing of what was said
    is stored (ToR rule 17).
    """
    if not is_chair_in_office(by):
        raise RuleViolation(_("Only the Chair in office accords the right of reply (ToR rule 12)."), "12")
    if decision not in (RightOfReply.GIVEN, RightOfReply.WAIVED):
        raise RuleViolation(_("The right of reply is either given or waived (ToR rule 12)."), "12")
    involved = InvolvedState.objects.select_for_update().select_related("presentation__meeting").get(pk=involved.pk)
    if involved.right_of_reply:
        raise RuleViolation(_("The right of reply of this State is already recorded (ToR rule 12)."), "12")
    refusal = right_of_reply_refusal(involved.presentation)
    if refusal:
        raise refusal
    involved.right_of_reply = decision
    involved.right_of_reply_recorded_at = clock.now()
    involved.right_of_reply_recorded_by = by
    involved.save(update_fields=["right_of_reply", "right_of_reply_recorded_at", "right_of_reply_recorded_by"])
    return involved


@transaction.atomic
def register_delegation(*, by: User, meeting: Meeting, members) -> DelegationRegistration:
    """ToR rules 6-7: register ``by``'s State's delegation (delegates of that State) to ``meeting``.

    No eligible State can be refused; registering again updates the members. The States
    registered see the meeting's presentations.
    """
    _require_delegate_of_eligible_state(by)
    if meeting_has_ended(meeting):
        raise RuleViolation(_("This meeting has ended: delegations can no longer register (ToR rule 7)."), "7")
    members = [m for m in members if m.role == Role.DELEGATE and m.state_id == by.state_id and m.is_active]
    if not members:
        raise RuleViolation(_("Name at least one delegate of your State (ToR rule 7)."), "7")
    registration, _created = DelegationRegistration.objects.get_or_create(
        meeting=meeting, state_id=by.state_id, defaults={"registered_at": clock.now(), "registered_by": by}
    )
    registration.members.set(members)
    sync_meeting_presentations_access(meeting)
    return registration
