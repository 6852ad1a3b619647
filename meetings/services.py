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
from enforcement.services import schedule_meeting
from notifications.enums import NotificationKind
from notifications.services import queue
from states.queries import eligible_states

from .deadlines import meeting_deadline, tor_calendar
from .enums import DeadlineKey, InvitationStatus
from .models import ChairAppointment, Invitation, Meeting, MeetingGroupObjectPermission, ToRVersion
from .queries import VIEW_MEETING, current_chair_appointment, procedural_today


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
    convened_by: User,
    convened_on: datetime.date,
    consulted_chair: bool,
    consulted_secretariat: bool = True,
    short_notice_reason: str = "",
) -> Meeting:
    """Record a meeting the CSP President decided to convene, with its draft invitation.

    ToR rule 3: at most ``max_meetings_per_year`` meetings start in one calendar year.
    ToR rule 9: a start date whose invitation deadline has passed needs a written reason.
    The meeting keeps the ToR version in force on the day of the President's decision.
    Returns the new :class:`Meeting`; raises :class:`RuleViolation` and changes nothing.
    """
    _require_secretariat(by)
    if convened_by.role != Role.CSP_PRESIDENT:
        raise RuleViolation(_("A meeting is convened by a decision of the CSP President (ToR rule 3)."), rule="3")
    if end_date < start_date:
        raise RuleViolation(_("The meeting cannot end before it starts."))
    version = ToRVersion.in_force_on(convened_on)
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


@transaction.atomic
def record_chair_consultation(
    *, by: User, meeting: Meeting, note: str = "", consulted_on: datetime.date | None = None
) -> Invitation:
    """ToR rule 9: record that the Chair in office was consulted on the invitation, and on
    which day (default today, never in the future).

    Raises :class:`RuleViolation` if no Chair is in office (rule 4) or the invitation is sent.
    """
    _require_secretariat(by)
    invitation = _locked_invitation(meeting)
    if invitation.is_sent:
        raise RuleViolation(_("The invitation has been sent and can no longer change (ToR rule 9)."), rule="9")
    appointment = current_chair_appointment()
    if appointment is None:
        raise RuleViolation(
            _("No Chair is in office to consult; the CSP President appoints one (ToR rule 4)."), rule="4"
        )
    today = procedural_today()
    consulted_on = consulted_on or today
    if consulted_on > today:
        raise RuleViolation(_("A consultation cannot be recorded before it took place (ToR rule 9)."), rule="9")
    if consulted_on < max(appointment.appointed_on, invitation.meeting.convened_on):
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
    invitation.save()
    return invitation


@transaction.atomic
def send_invitation(*, by: User, meeting: Meeting) -> Invitation:
    """ToR rule 9: send the invitation to the delegates of every State eligible today.

    Requires the Chair's consultation recorded. Sending after the T-50 deadline is allowed
    and recorded as late. A second call (double click, retry) changes nothing and sends
    nothing more. Returns the :class:`Invitation`; raises :class:`RuleViolation`.
    """
    _require_secretariat(by)
    invitation = _locked_invitation(meeting)
    if invitation.is_sent:
        return invitation
    if invitation.chair_consulted_at is None:
        raise RuleViolation(
            _("Record the consultation of the Chair before sending the invitation (ToR rule 9)."), rule="9"
        )
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
    queue(
        f"meeting:{meeting.pk}:invitation",
        recipients,
        NotificationKind.INVITATION,
        meeting=meeting,
        context={"start_date": meeting.start_date.isoformat()},
    )
    return invitation


@transaction.atomic
def appoint_chair(
    *, by: User, chair: User, appointed_on: datetime.date, term_ends_with: str, term_ends_on: datetime.date
) -> ChairAppointment:
    """ToR rule 4: the CSP President appoints the Chair until the conclusion of the following CSP.

    The Chair is a delegate of an eligible State; terms may not overlap. Returns the
    appointment; raises :class:`RuleViolation` and changes nothing.
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
    # Appointments are rare: the first ToR version row serves as the lock that makes them one
    # at a time, so that two at once cannot both pass the overlap check.
    ToRVersion.objects.select_for_update().order_by("pk").first()
    same = ChairAppointment.objects.filter(
        chair=chair, appointed_on=appointed_on, term_ends_on=term_ends_on, appointed_by=by
    ).first()
    if same is not None:  # a double click or a retry
        return same
    if ChairAppointment.objects.filter(appointed_on__lte=term_ends_on, term_ends_on__gte=appointed_on).exists():
        raise RuleViolation(_("Another Chair's term covers part of these dates (ToR rule 4)."), rule="4")
    return ChairAppointment.objects.create(
        chair=chair,
        appointed_by=by,
        appointed_on=appointed_on,
        term_ends_with=term_ends_with.strip(),
        term_ends_on=term_ends_on,
    )
