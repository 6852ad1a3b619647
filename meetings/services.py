"""State changes of meetings and invitations. Views, tasks and commands all call these."""

import datetime

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm

from accounts.enums import SECRETARIAT_GROUP, Role
from accounts.models import User
from dief import clock
from dief.errors import RuleViolation
from dief.permits import ALLOWED, Verdict, refuse
from enforcement.services import schedule_meeting
from notifications.enums import NotificationKind
from notifications.services import queue, queue_to_addresses
from states import services as states_services
from states.queries import eligible_states

from .deadlines import meeting_deadline, tor_calendar
from .enums import DeadlineKey, InvitationStatus
from .models import ChairAppointment, Invitation, Meeting, MeetingGroupObjectPermission, ToRVersion
from .queries import VIEW_MEETING, current_chair_appointment, is_chair_in_office, procedural_today


def _require_secretariat(user) -> None:
    if not (user.is_active and user.role == Role.SECRETARIAT):
        raise RuleViolation(_("Only Secretariat staff can do this (ToR rule 5)."), rule="5")


def is_short_notice(start_date: datetime.date, time_zone: str, tor_version: ToRVersion, now=None) -> bool:
    """ToR rule 9: True if an invitation sent now would come after the T-50 deadline."""
    invitation = next(d for d in tor_calendar(start_date, time_zone, tor_version) if d.key == DeadlineKey.INVITATION)
    return invitation.has_passed(now or clock.now())


def meetings_in_year(year: int):
    return Meeting.objects.filter(start_date__year=year)


#: First key of the PostgreSQL advisory lock that makes rule 3 checks of one calendar year
#: one at a time (the second key is the year).
YEAR_LOCK_CLASS = 0x44494546  # "DIEF"


def lock_calendar_year(year: int) -> None:
    """Hold, until the transaction ends, the lock on calendar ``year``'s meetings (ToR rule 3).

    The cap counts every meeting starting in the year, whatever ToR version governs it, so
    the lock is on the year, not on a version: on PostgreSQL a transaction-level advisory
    lock ``(YEAR_LOCK_CLASS, year)``; elsewhere every ToR version row is locked, which makes
    all such checks one at a time. Call inside ``transaction.atomic()``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [YEAR_LOCK_CLASS, year])
    else:
        list(ToRVersion.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


#: Advisory lock class of Chair appointments (ToR rule 4): one appointment at a time.
CHAIR_LOCK_CLASS = 0x43484149  # "CHAI"


def _lock_chair_appointments() -> None:
    """Hold, until the transaction ends, the lock that makes Chair appointments one at a time:
    a PostgreSQL transaction-level advisory lock (it exists whatever rows exist); elsewhere
    every ToR version row is locked. Call inside ``transaction.atomic()``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [CHAIR_LOCK_CLASS])
    else:
        list(ToRVersion.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def _check_meetings_per_year(version: ToRVersion, year: int, exclude: Meeting | None = None) -> None:
    """ToR rule 3: refuse a meeting beyond the number a calendar year may have.

    Locks the calendar year first (:func:`lock_calendar_year`), so two officers cannot both
    create, or move a meeting into the year as, the one too many, even when their meetings
    are governed by different ToR versions.
    """
    lock_calendar_year(year)
    others = meetings_in_year(year)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    n = version.max_meetings_per_year
    if others.count() >= n:
        raise RuleViolation(
            ngettext(
                "The Forum meets up to %(n)s time a calendar year; %(year)s already has %(n)s meeting (ToR rule 3).",
                "The Forum meets up to %(n)s times a calendar year; %(year)s already has %(n)s meetings (ToR rule 3).",
                n,
            )
            % {"n": n, "year": year},
            rule="3",
        )


def _refuse_short_notice(version: ToRVersion) -> None:
    raise RuleViolation(
        _(
            "The invitation must go out at least %(days)s days before the meeting; that date has passed. "
            "Give the reason for the short notice (ToR rule 9)."
        )
        % {"days": version.invitation_days},
        rule="9",
    )


@transaction.atomic
def convene_meeting(
    *,
    by: User,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date,
    venue: str,
    host_session: str,
    host_session_name: str,
    procedural_time_zone: str,
    convened_by: User | None = None,
    convened_on: datetime.date | None = None,
    consulted_chair: bool = False,
    consulted_secretariat: bool = True,
    short_notice_reason: str = "",
) -> Meeting:
    """Draft a meeting with its draft invitation; the Secretariat does the administration (rule 5).

    ToR rule 3: the CSP President decides to convene it. Without ``convened_by`` the meeting
    awaits that decision, which the President records in the application
    (:func:`record_convening_decision`); with it, the Secretariat records a decision taken on
    paper, marked as such with who recorded it.
    ToR rule 3: at most ``max_meetings_per_year`` meetings start in one calendar year.
    ToR rule 9: a start date whose invitation deadline has passed needs a written reason.
    The meeting keeps the ToR version in force on the day of the President's decision.
    Returns the new :class:`Meeting`; raises :class:`RuleViolation` and changes nothing.
    """
    _require_secretariat(by)
    if convened_by is not None and convened_by.role != Role.CSP_PRESIDENT:
        raise RuleViolation(_("A meeting is convened by a decision of the CSP President (ToR rule 3)."), rule="3")
    if convened_by is not None and convened_on is None:
        raise RuleViolation(_("Give the date of the President's decision (ToR rule 3)."), rule="3")
    if convened_by is None:
        convened_on = None
    if end_date < start_date:
        raise RuleViolation(_("The meeting cannot end before it starts."))
    version = ToRVersion.in_force_on(convened_on or procedural_today())
    lock_calendar_year(start_date.year)
    same = Meeting.objects.filter(title=title, start_date=start_date, venue=venue).first()
    if same is not None:  # a double click or a retry: the meeting exists already
        return same
    _check_meetings_per_year(version, start_date.year)
    if is_short_notice(start_date, procedural_time_zone, version) and not short_notice_reason.strip():
        _refuse_short_notice(version)
    meeting = Meeting.objects.create(
        title=title,
        start_date=start_date,
        end_date=end_date,
        venue=venue,
        host_session=host_session,
        host_session_name=host_session_name,
        procedural_time_zone=procedural_time_zone,
        tor_version=version,
        convened_by=convened_by,
        convened_on=convened_on,
        convening_recorded_by=by if convened_by is not None else None,
        convening_on_paper=convened_by is not None,
        consulted_chair=consulted_chair,
        consulted_secretariat=consulted_secretariat,
        short_notice_reason=short_notice_reason.strip(),
        created_by=by,
    )
    Invitation.objects.create(meeting=meeting)
    sync_meeting_access(meeting)
    schedule_meeting(meeting)
    return meeting


@transaction.atomic
def change_meeting_dates(
    *, by: User, meeting: Meeting, start_date: datetime.date, end_date: datetime.date, short_notice_reason: str = ""
) -> Meeting:
    """Move a meeting; every deadline, reminder and flag follows, what is done stays done.

    Guards as when convening: ToR rule 3 (two meetings a calendar year, this one excluded)
    and rule 9 (a written reason for this change whenever the new start date leaves less than
    the invitation period, sent invitation or not).
    Delegates already invited are told the new dates. Returns the meeting; raises
    :class:`RuleViolation` and changes nothing.
    """
    _require_secretariat(by)
    meeting = Meeting.objects.select_for_update().select_related("tor_version").get(pk=meeting.pk)
    if end_date < start_date:
        raise RuleViolation(_("The meeting cannot end before it starts."))
    if (start_date, end_date) == (meeting.start_date, meeting.end_date):
        return meeting
    version = meeting.tor_version
    _check_meetings_per_year(version, start_date.year, exclude=meeting)
    invitation = meeting.invitation
    # Rule 9 applies to every change: a meeting moved to a date closer than the invitation
    # period needs the reason for this change, whether or not the invitation went out.
    if is_short_notice(start_date, meeting.procedural_time_zone, version) and not short_notice_reason.strip():
        _refuse_short_notice(version)
    reason = short_notice_reason.strip() or meeting.short_notice_reason
    meeting.start_date, meeting.end_date, meeting.short_notice_reason = start_date, end_date, reason
    meeting.save(update_fields=["start_date", "end_date", "short_notice_reason"])
    schedule_meeting(meeting)
    if invitation.is_sent:
        queue(
            f"meeting:{meeting.pk}:dates:{start_date.isoformat()}:{end_date.isoformat()}",
            User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=eligible_states(procedural_today())),
            NotificationKind.MEETING_CHANGED,
            meeting=meeting,
        )
    return meeting


def sync_meeting_access(meeting: Meeting) -> None:
    """Grant ``view_meeting`` to the Secretariat group and to every State eligible today;
    withdraw it from State groups that are no longer eligible (ToR rules 6, 14)."""
    today = procedural_today()
    wanted = set(eligible_states(today).values_list("group_id", flat=True))
    wanted.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0].pk)
    have = set(
        MeetingGroupObjectPermission.objects.filter(
            content_object=meeting, permission__codename="view_meeting"
        ).values_list("group_id", flat=True)
    )
    missing = wanted - have
    if missing:
        assign_perm(VIEW_MEETING, Group.objects.filter(pk__in=missing), meeting)
    stale = have - wanted
    if stale:
        MeetingGroupObjectPermission.objects.filter(
            content_object=meeting, group_id__in=stale, permission__codename="view_meeting"
        ).delete()


def sync_all_meeting_access() -> None:
    """Run :func:`sync_meeting_access` over every meeting (after a States import)."""
    for meeting in Meeting.objects.all():
        sync_meeting_access(meeting)


def _locked_invitation(meeting: Meeting) -> Invitation:
    return Invitation.objects.select_for_update().get(meeting=meeting)


@transaction.atomic
def update_invitation_text(*, by: User, meeting: Meeting, additional_text: str) -> Invitation:
    """Edit the draft invitation's additional text. Refused once sent (ToR rule 9)."""
    _require_secretariat(by)
    invitation = _locked_invitation(meeting)
    if invitation.is_sent:
        raise RuleViolation(_("The invitation has been sent and can no longer change (ToR rule 9)."), rule="9")
    invitation.additional_text = additional_text.strip()
    invitation.save(update_fields=["additional_text", "updated_at"])
    return invitation


def can_record_convening_decision(user, meeting: Meeting, now=None) -> Verdict:
    """ToR rule 3: the CSP President records their own decision to convene ``meeting``, once."""
    if not (user.is_active and user.role == Role.CSP_PRESIDENT):
        return refuse(_("The CSP President decides to convene a meeting (ToR rule 3)."), "3")
    if meeting.is_convened:
        return refuse(_("The decision to convene this meeting is recorded (ToR rule 3)."), "3")
    return ALLOWED


@transaction.atomic
def record_convening_decision(
    *, by: User, meeting: Meeting, consulted_chair: bool = False, consulted_secretariat: bool = True
) -> Meeting:
    """ToR rule 3: the CSP President records, today, their decision to convene ``meeting``.

    The meeting takes the ToR version in force today and its deadlines follow it. A second
    call by the same President (double click) changes nothing. Returns the meeting; raises
    :class:`RuleViolation`.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_convened and meeting.convened_by_id == by.pk and not meeting.convening_on_paper:
        return meeting
    can_record_convening_decision(by, meeting).enforce()
    today = procedural_today()
    meeting.convened_by = by
    meeting.convened_on = today
    meeting.convening_recorded_by = by
    meeting.convening_on_paper = False
    meeting.consulted_chair = consulted_chair
    meeting.consulted_secretariat = consulted_secretariat
    meeting.tor_version = ToRVersion.in_force_on(today)
    meeting.save(
        update_fields=[
            "convened_by",
            "convened_on",
            "convening_recorded_by",
            "convening_on_paper",
            "consulted_chair",
            "consulted_secretariat",
            "tor_version",
        ]
    )
    schedule_meeting(meeting)
    return meeting


def can_record_chair_consultation(user, meeting: Meeting, now=None) -> Verdict:
    """ToR rule 9: the Chair in office records their own consultation on the draft invitation
    (with comments); the Secretariat may record one held outside the application. Only while
    the invitation is a draft and a Chair is in office (rule 4)."""
    if not (user.is_active and (user.role == Role.SECRETARIAT or is_chair_in_office(user))):
        return refuse(_("The Chair in office, or the Secretariat for it, records the consultation (ToR rule 9)."), "9")
    invitation = meeting.invitation
    if invitation.is_sent:
        return refuse(_("The invitation has been sent and can no longer change (ToR rule 9)."), "9")
    if current_chair_appointment() is None:
        return refuse(_("No Chair is in office to consult; the CSP President appoints one (ToR rule 4)."), "4")
    return ALLOWED


@transaction.atomic
def record_chair_consultation(
    *, by: User, meeting: Meeting, note: str = "", consulted_on: datetime.date | None = None
) -> Invitation:
    """ToR rule 9: record the consultation of the Chair in office on the invitation.

    The Chair records their own consultation and comments (``note``), dated today. The
    Secretariat may record a consultation held outside the application on ``consulted_on``
    (default today, never in the future); it is marked as such, with who recorded it.
    Recording again replaces the earlier record while the invitation is a draft. Raises
    :class:`RuleViolation` if no Chair is in office (rule 4) or the invitation is sent.
    """
    invitation = _locked_invitation(meeting)
    can_record_chair_consultation(by, invitation.meeting).enforce()
    appointment = current_chair_appointment()
    by_chair = appointment.chair_id == by.pk
    today = procedural_today()
    consulted_on = today if by_chair else (consulted_on or today)
    if consulted_on > today:
        raise RuleViolation(_("A consultation cannot be recorded before it took place (ToR rule 9)."), rule="9")
    if consulted_on < max(appointment.appointed_on, invitation.meeting.convened_on or today):
        raise RuleViolation(
            _(
                "The consultation must fall after the meeting was convened and during the Chair's term "
                "(ToR rules 4, 9)."
            ),
            rule="9",
        )
    invitation.chair_consulted = appointment
    invitation.chair_consulted_at = clock.now()
    invitation.chair_consulted_on = consulted_on
    invitation.chair_consultation_note = note.strip()
    invitation.chair_consultation_recorded_by = by
    invitation.chair_consultation_on_paper = not by_chair
    invitation.save()
    return invitation


def can_send_invitation(user, meeting: Meeting, now=None) -> Verdict:
    """ToR rules 3, 5, 9: Secretariat staff send the draft invitation of a meeting the CSP
    President decided to convene, once the Chair's consultation is recorded."""
    if not (user.is_active and user.role == Role.SECRETARIAT):
        return refuse(_("Only Secretariat staff can do this (ToR rule 5)."), "5")
    if meeting.invitation.is_sent:
        return refuse(_("The invitation has been sent (ToR rule 9)."), "9")
    if not meeting.is_convened:
        return refuse(_("The CSP President's decision to convene this meeting is not recorded yet (ToR rule 3)."), "3")
    if meeting.invitation.chair_consulted_at is None:
        return refuse(_("Record the consultation of the Chair before sending the invitation (ToR rule 9)."), "9")
    return ALLOWED


@transaction.atomic
def send_invitation(*, by: User, meeting: Meeting) -> Invitation:
    """ToR rule 9: send the invitation to every State eligible today: to the delegates of each,
    and to the national point of contact of a State that has one recorded.

    Requires the President's decision (rule 3) and the Chair's consultation recorded. Sending
    after the T-50 deadline is allowed and recorded as late. A second call (double click,
    retry) changes nothing and sends nothing more. Returns the :class:`Invitation`; raises
    :class:`RuleViolation`.
    """
    _require_secretariat(by)
    invitation = _locked_invitation(meeting)
    if invitation.is_sent:
        return invitation
    can_send_invitation(by, invitation.meeting).enforce()
    now = clock.now()
    deadline = meeting_deadline(meeting, DeadlineKey.INVITATION)
    states = list(eligible_states(procedural_today()))
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = now
    invitation.sent_by = by
    invitation.sent_late = not deadline.is_met_by(now)
    invitation.save()
    invitation.states_invited.set(states)
    sync_meeting_access(meeting)
    recipients = User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=states).order_by("pk")
    context = {"start_date": meeting.start_date.isoformat()}
    queue(f"meeting:{meeting.pk}:invitation", recipients, NotificationKind.INVITATION, meeting=meeting, context=context)
    queue_to_addresses(
        f"meeting:{meeting.pk}:invitation",
        [(s.point_of_contact_email, s) for s in states if s.point_of_contact_email],
        NotificationKind.INVITATION,
        meeting=meeting,
        context=context,
    )
    return invitation


def invitation_reach(meeting: Meeting) -> dict:
    """ToR rule 9: how the invitation reaches each State: those invited once sent, else those
    eligible today. Returns ``{"delegates": [State], "point_of_contact": [State],
    "none": [State]}`` (States with an active delegate account having an email address; else
    with a national point of contact; else nobody), each sorted by name. Two queries."""
    invitation = meeting.invitation
    states = (invitation.states_invited.all() if invitation.is_sent else eligible_states(procedural_today())).order_by(
        "name"
    )
    reachable = set(
        User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=states)
        .exclude(email="")
        .values_list("state_id", flat=True)
    )
    reach = {"delegates": [], "point_of_contact": [], "none": []}
    for state in states:
        if state.pk in reachable:
            reach["delegates"].append(state)
        elif state.point_of_contact_email:
            reach["point_of_contact"].append(state)
        else:
            reach["none"].append(state)
    return reach


@transaction.atomic
def record_point_of_contact(*, by: User, state, email: str):
    """ToR rule 9: record a State's national point of contact (see
    :func:`states.services.record_point_of_contact`) and send it, through the outbox, the
    invitations already sent to that State for meetings that have not ended. Returns the State."""
    state = states_services.record_point_of_contact(by=by, state=state, email=email)
    if state.point_of_contact_email:
        today = procedural_today()
        for invitation in Invitation.objects.filter(
            status=InvitationStatus.SENT, states_invited=state, meeting__end_date__gte=today
        ).select_related("meeting"):
            queue_to_addresses(
                f"meeting:{invitation.meeting_id}:invitation",
                [(state.point_of_contact_email, state)],
                NotificationKind.INVITATION,
                meeting=invitation.meeting,
                context={"start_date": invitation.meeting.start_date.isoformat()},
            )
    return state


@transaction.atomic
def appoint_chair(
    *,
    by: User,
    chair: User,
    appointed_on: datetime.date,
    term_ends_with: str,
    term_ends_on: datetime.date,
    succeed_current: bool = False,
) -> ChairAppointment:
    """ToR rule 4: the CSP President appoints the Chair until the conclusion of the following CSP.

    The Chair is a delegate of an eligible State; terms never overlap, so one Chair is in
    office on any day. With ``succeed_current`` the President, in the same step, ends the
    term that covers ``appointed_on`` on the day before (the successor takes office on
    ``appointed_on``, today or later): both writes commit together or not at all. Without
    it, a term covering any of these dates is refused. Returns the new appointment; raises
    :class:`RuleViolation` and changes nothing.
    """
    if not (by.is_active and by.role == Role.CSP_PRESIDENT):
        raise RuleViolation(_("The CSP President appoints the Chair (ToR rule 4)."), rule="4")
    if not (
        chair.is_active
        and chair.role == Role.DELEGATE
        and chair.state_id
        and not chair.is_superuser
        and chair.state.is_eligible(procedural_today())
    ):
        raise RuleViolation(
            _("The Chair is a delegate of a State Party or signatory State (ToR rules 4, 6)."), rule="4"
        )
    if term_ends_on < appointed_on:
        raise RuleViolation(_("The term cannot end before the appointment (ToR rule 4)."), rule="4")
    # One appointment at a time, so that two at once (two successors) cannot both pass the
    # overlap check; the check below is a fresh query, taken after the lock.
    _lock_chair_appointments()
    same = ChairAppointment.objects.filter(
        chair=chair, appointed_on=appointed_on, term_ends_on=term_ends_on, appointed_by=by
    ).first()
    if same is not None:  # a double click or a retry
        return same
    overlapping = list(
        ChairAppointment.objects.select_for_update().filter(
            appointed_on__lte=term_ends_on, term_ends_on__gte=appointed_on
        )
    )
    if overlapping and succeed_current:
        current = overlapping[0]
        if (
            len(overlapping) > 1
            or not (current.appointed_on < appointed_on <= current.term_ends_on)
            or appointed_on < procedural_today()
        ):
            raise RuleViolation(
                _(
                    "A successor takes office today or later, during the current Chair's term and after its "
                    "first day, and no other term may follow it yet (ToR rule 4)."
                ),
                rule="4",
            )
        current.term_ends_on = appointed_on - datetime.timedelta(days=1)
        current.ended_early_at = clock.now()
        current.ended_early_by = by
        current.save(update_fields=["term_ends_on", "ended_early_at", "ended_early_by"])
    elif overlapping:
        raise RuleViolation(
            _(
                "Another Chair's term covers part of these dates. To replace the Chair in office, appoint a "
                "successor: the current term then ends the day before (ToR rule 4)."
            ),
            rule="4",
        )
    return ChairAppointment.objects.create(
        chair=chair,
        appointed_by=by,
        appointed_on=appointed_on,
        term_ends_with=term_ends_with.strip(),
        term_ends_on=term_ends_on,
    )
