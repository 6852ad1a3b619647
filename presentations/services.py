"""State changes of presentations: registration (rule 11), involved States and replies
(rule 12), consent, right of reply. Views, tasks and commands all call these."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.confidentiality import Classification, normalise_types
from dief.errors import RuleViolation
from dief.permits import ALLOWED, Verdict, refuse
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.models import DelegationRegistration, Meeting
from meetings.queries import (  # noqa: F401 - agenda_adopted, meeting_has_ended: used by callers of this module
    agenda_adopted,
    is_chair_in_office,
    meeting_has_ended,
    procedural_today,
    registration_closed_reason,
)
from notifications.enums import NotificationKind
from notifications.services import queue
from states.models import State

from .enums import Consent, ConsentStanding, PresentationKind, PresentationStatus, RightOfReply
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


def _delegate_verdict(user) -> Verdict:
    try:
        _require_delegate_of_eligible_state(user)
    except RuleViolation as exc:
        return refuse(exc.message, exc.rule)
    return ALLOWED


def can_register(user, meeting: Meeting, now=None) -> Verdict:
    """ToR rules 6, 11: a delegate of an eligible State may register an intention to present
    at ``meeting`` until its agenda is adopted. Returns a :class:`Verdict`."""
    verdict = _delegate_verdict(user)
    return registration_closed_reason(meeting) if verdict else verdict


def can_register_somewhere(user) -> bool:
    """True for a delegate of an eligible State (ToR rules 6, 11)."""
    return bool(_delegate_verdict(user))


def can_notify_involved_states(user, presentation: Presentation, now=None) -> Verdict:
    """ToR rule 12: the presenting State's delegates notify involved States until the end of
    T-30 (procedural time zone) of a registered presentation. Returns a :class:`Verdict`."""
    now = now or clock.now()
    verdict = _delegate_verdict(user)
    if not verdict:
        return verdict
    if user.state_id != presentation.presenting_state_id:
        return refuse(_("Only delegates of the presenting State can do this (ToR rule 12)."), "12")
    if presentation.status != PresentationStatus.REGISTERED:
        return refuse(_("This presentation is withdrawn."))
    notice = meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_NOTICE)
    if notice.has_passed(now):
        return refuse(
            _(
                "Involved States must be notified at least %(days)s days before the meeting; that date "
                "(%(date)s) has passed (ToR rule 12)."
            )
            % {"days": notice.days_before, "date": date_format(notice.due_date)},
            "12",
        )
    return ALLOWED


def can_reply(user, presentation: Presentation, now=None) -> Verdict:
    """ToR rule 12: each involved State replies once; a reply after T-15 is still attached
    (marked late). Returns a :class:`Verdict`."""
    verdict = _delegate_verdict(user)
    if not verdict:
        return verdict
    if not presentation.involved_states.filter(state_id=user.state_id).exists():
        return refuse(_("Only the States this presentation involves can reply (ToR rule 12)."), "12")
    if presentation.replies.filter(state_id=user.state_id).exists():
        return refuse(_("Your State has replied; each involved State replies once (ToR rule 12)."), "12")
    return ALLOWED


def can_set_consent(user, presentation: Presentation, now=None) -> Verdict:
    """ToR rule 12: when the presenting State marked consent as legally required, an involved
    State gives or withholds it at any time, separately from its reply, and may change it
    until the meeting's agenda is adopted. Returns a :class:`Verdict`."""
    verdict = _delegate_verdict(user)
    if not verdict:
        return verdict
    if not presentation.involved_states.filter(state_id=user.state_id).exists():
        return refuse(_("Only the States this presentation involves give consent (ToR rule 12)."), "12")
    if not presentation.consent_legally_required:
        return refuse(_("The presenting State does not need your consent for this presentation (ToR rule 12)."), "12")
    if presentation.status != PresentationStatus.REGISTERED:
        return refuse(_("This presentation is withdrawn."))
    if agenda_adopted(presentation.meeting):
        return refuse(_("The agenda is adopted: consent can no longer be given or changed (ToR rules 11, 12)."), "12")
    return ALLOWED


def can_record_right_of_reply(user, presentation: Presentation, now=None) -> Verdict:
    """ToR rule 12: the Chair in office accords the right of reply after the presentation: for
    a presentation on the adopted agenda, from the meeting's first day (procedural time zone).
    Returns a :class:`Verdict`."""
    if not is_chair_in_office(user):
        return refuse(_("Only the Chair in office accords the right of reply (ToR rule 12)."), "12")
    meeting = presentation.meeting
    if clock.today_in(meeting.procedural_time_zone) < meeting.start_date:
        return refuse(
            _("The right of reply is accorded after the presentation, at the meeting: from %(date)s (ToR rule 12).")
            % {"date": date_format(meeting.start_date)},
            "12",
            opens_at=meeting.start_date,
        )
    refusal = right_of_reply_refusal(presentation)
    if refusal:
        return refuse(refusal.message, refusal.rule)
    return ALLOWED


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
    registration_closed_reason(meeting).enforce()
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
    can_notify_involved_states(by, presentation, now).enforce()
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
            if consent is not None:  # same lock order as set_consent: meeting, then involved State
                Meeting.objects.select_for_update().filter(pk=presentation.meeting_id).first()
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
            if consent is not None and can_set_consent(by, involved.presentation, now):
                _record_consent(involved, by, consent, now)
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


def _record_consent(involved: InvolvedState, by: User, consent: bool, now) -> None:
    involved.consent = Consent.GIVEN if consent else Consent.REFUSED
    involved.consent_recorded_at = now
    involved.consent_recorded_by = by
    involved.save(update_fields=["consent", "consent_recorded_at", "consent_recorded_by"])


@transaction.atomic
def set_consent(*, by: User, presentation: Presentation, consent: bool) -> InvolvedState:
    """ToR rule 12: an involved State gives (``consent=True``) or withholds (``False``) its
    consent when the presenting State marked it legally required.

    Allowed at any time until the agenda is adopted, whether or not the State replied, and
    changeable until then; the time and the person are recorded. Setting the same answer
    again changes nothing. Returns the :class:`InvolvedState`; raises :class:`RuleViolation`.
    """
    # The meeting row first, as agendas.services.adopt locks it: a consent and the adoption
    # that closes it cannot cross (ToR rules 11, 12).
    Meeting.objects.select_for_update().filter(pk=presentation.meeting_id).first()
    presentation = Presentation.objects.select_for_update().select_related("meeting").get(pk=presentation.pk)
    now = clock.now()
    can_set_consent(by, presentation, now).enforce()
    involved = InvolvedState.objects.select_for_update().get(presentation=presentation, state_id=by.state_id)
    wanted = Consent.GIVEN if consent else Consent.REFUSED
    if involved.consent == wanted:  # a double click or a retry
        return involved
    _record_consent(involved, by, consent, now)
    return involved


def consent_standing(presentation: Presentation, involved=None) -> str:
    """ToR rule 12: a :class:`ConsentStanding` value for ``presentation`` (one query, none when
    the page already read its involved States: ``involved``)."""
    if not presentation.consent_legally_required:
        return ConsentStanding.NOT_NEEDED
    if involved is not None:
        consents = {i.consent for i in involved}
    else:
        consents = set(presentation.involved_states.values_list("consent", flat=True))
    if not consents:
        return ConsentStanding.NO_INVOLVED_STATE
    if Consent.REFUSED in consents:
        return ConsentStanding.WITHHELD
    if consents != {Consent.GIVEN}:
        return ConsentStanding.AWAITED
    return ConsentStanding.ALL_GIVEN


def can_be_scheduled(presentation: Presentation, standing: str | None = None) -> bool:
    """ToR rule 12: without a legal requirement, yes; with one, only once at least one involved
    State is named and every involved State has given its consent (``standing``: the
    :func:`consent_standing` already worked out)."""
    if presentation.status != PresentationStatus.REGISTERED:
        return False
    return (standing if standing is not None else consent_standing(presentation)) in (
        ConsentStanding.NOT_NEEDED,
        ConsentStanding.ALL_GIVEN,
    )


def scheduling_verdict(presentation: Presentation) -> Verdict:
    """ToR rule 12: :func:`can_be_scheduled` with its reason when refused (withdrawn, or
    where the legally required consent stands: no involved State named, awaited, withheld)."""
    if presentation.status != PresentationStatus.REGISTERED:
        return refuse(_("This presentation is withdrawn."))
    standing = consent_standing(presentation)
    if standing in (ConsentStanding.NOT_NEEDED, ConsentStanding.ALL_GIVEN):
        return ALLOWED
    return refuse(
        _("Consent of the involved States: %(standing)s.") % {"standing": ConsentStanding(standing).label}, "12"
    )


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
    if decision not in (RightOfReply.GIVEN, RightOfReply.WAIVED):
        raise RuleViolation(_("The right of reply is either given or waived (ToR rule 12)."), "12")
    involved = InvolvedState.objects.select_for_update().select_related("presentation__meeting").get(pk=involved.pk)
    can_record_right_of_reply(by, involved.presentation).enforce()
    if involved.right_of_reply:
        raise RuleViolation(_("The right of reply of this State is already recorded (ToR rule 12)."), "12")
    involved.right_of_reply = decision
    involved.right_of_reply_recorded_at = clock.now()
    involved.right_of_reply_recorded_by = by
    involved.save(update_fields=["right_of_reply", "right_of_reply_recorded_at", "right_of_reply_recorded_by"])
    return involved


def can_register_delegation(user, meeting: Meeting, now=None) -> Verdict:
    """ToR rules 6-7: a delegate of an eligible State registers its delegation until the
    meeting has ended; no eligible State is ever refused. Returns a :class:`Verdict`."""
    verdict = _delegate_verdict(user)
    if not verdict:
        return verdict
    if meeting_has_ended(meeting):
        return refuse(_("This meeting has ended: delegations can no longer register (ToR rule 7)."), "7")
    return ALLOWED


@transaction.atomic
def register_delegation(*, by: User, meeting: Meeting, members) -> DelegationRegistration:
    """ToR rules 6-7: register ``by``'s State's delegation (delegates of that State) to ``meeting``.

    No eligible State can be refused; registering again updates the members. The States
    registered see the meeting's presentations.
    """
    can_register_delegation(by, meeting).enforce()
    members = [m for m in members if m.role == Role.DELEGATE and m.state_id == by.state_id and m.is_active]
    if not members:
        raise RuleViolation(_("Name at least one delegate of your State (ToR rule 7)."), "7")
    registration, _created = DelegationRegistration.objects.get_or_create(
        meeting=meeting, state_id=by.state_id, defaults={"registered_at": clock.now(), "registered_by": by}
    )
    registration.members.set(members)
    sync_meeting_presentations_access(meeting)
    return registration
