"""The one way to reach meetings: every view, list, export and task asks here (ToR rules 6, 14)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import granted_to_user, granted_to_user_groups
from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief import clock
from dief.permits import ALLOWED, Verdict, refuse
from states.models import TreatyEvent

from .models import ChairAppointment, Meeting, MeetingGroupObjectPermission, MeetingUserObjectPermission

VIEW_MEETING = "meetings.view_meeting"


def is_verified(user) -> bool:
    """True if ``user`` is active and its session passed a second factor (django-otp)."""
    verified = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and user.is_active and callable(verified) and verified())


def procedural_today():
    return clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)


def current_chair_appointment() -> ChairAppointment | None:
    """The Chair appointment in office today (ToR rule 4), or None."""
    return ChairAppointment.objects.in_office_on(procedural_today()).select_related("chair").first()


def is_chair_in_office(user) -> bool:
    """ToR rule 4: Chair rights last as long as the appointment's term, and only while the
    Chair is a delegate of an eligible State (never for a superuser).

    The answer is kept on the user object for the procedural day, so one request asks once."""
    today = procedural_today()
    cached = getattr(user, "_dief_chair_in_office", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    answer = _is_chair_in_office(user, today)
    if user.is_authenticated:
        user._dief_chair_in_office = (today, answer)
    return answer


def _is_chair_in_office(user, today) -> bool:
    if not (
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.role == Role.DELEGATE
        and user.state_id
    ):
        return False
    state = user.state
    if not state.events_read():
        # a delegate's page asks both: the State's treaty events and the appointment, at once
        events, holds_appointment = _treaty_events_and_appointment(user, today)
        state.use_events(events)
        return state.is_eligible(today) and holds_appointment
    return state.is_eligible(today) and ChairAppointment.objects.in_office_on(today).filter(chair=user).exists()


def _treaty_events_and_appointment(user, today) -> tuple[list, bool]:
    """ToR rules 4, 6: the treaty events of ``user``'s State and whether ``user`` holds a
    confirmed Chair appointment whose term covers ``today`` (``in_office_on``), in one query.

    Written out, because the two ORM queries cost several times more to build than to run, on
    every page of a delegate (meetings/tests/test_standing.py pins it to the ORM's answers)."""
    event_fields = ("id", "kind", "date", "consent_type")
    chair = ChairAppointment._meta
    sql = (
        "SELECT {events}, EXISTS (SELECT 1 FROM {chair} WHERE {chair_id} = %s AND {appointed} <= %s"
        " AND {ends} >= %s AND {confirmed} IS NOT NULL)"
        " FROM (SELECT 1 AS one) AS one LEFT JOIN {event} e ON e.{state_id} = %s"
    ).format(
        events=", ".join(f"e.{TreatyEvent._meta.get_field(f).column}" for f in event_fields),
        chair=chair.db_table,
        chair_id=chair.get_field("chair").column,
        appointed=chair.get_field("appointed_on").column,
        ends=chair.get_field("term_ends_on").column,
        confirmed=chair.get_field("confirmed_at").column,
        event=TreatyEvent._meta.db_table,
        state_id=TreatyEvent._meta.get_field("state").column,
    )
    with connections[TreatyEvent.objects.db].cursor() as cursor:
        cursor.execute(sql, [user.pk, today, today, user.state_id])
        rows = cursor.fetchall()
    names = [f.attname for f in TreatyEvent._meta.concrete_fields]  # from_db takes them in this order
    events = []
    for row in rows:
        if row[0] is not None:  # the one row of a State without events has none
            values = {**dict(zip(event_fields, row[:4], strict=True)), "state_id": user.state_id}
            events.append(TreatyEvent.from_db(TreatyEvent.objects.db, names, [values[n] for n in names]))
    return events, bool(rows[0][4])


def state_eligible_today(user) -> bool:
    """ToR rule 6: True if ``user``'s State is eligible today (procedural time zone). For a
    delegate whose State's treaty events are not read yet, it reads the Chair appointment in
    the same query (:func:`is_chair_in_office`), which most pages of theirs ask next; never
    a query of its own for it."""
    if not user.state_id:
        return False
    if user.role == Role.DELEGATE and not user.state.events_read():
        is_chair_in_office(user)
    return user.state.is_eligible(procedural_today())


def meeting_has_ended(meeting: Meeting) -> bool:
    """True once the meeting's last day is over in its procedural time zone."""
    return clock.today_in(meeting.procedural_time_zone) > meeting.end_date


def agenda_adopted(meeting: Meeting) -> bool:
    """ToR rule 11: True once the meeting's agenda is adopted (``Meeting.agenda_adopted_at``,
    written by agendas.services.adopt; meetings does not import agendas)."""
    return meeting.agenda_adopted_at is not None


def registration_closed_reason(meeting: Meeting) -> Verdict:
    """ToR rule 11: why registrations for ``meeting`` are closed (agenda adopted, or the
    meeting is over), or ALLOWED while they are open."""
    if meeting.agenda_adopted_at is not None:
        return refuse(
            _("The agenda of this meeting was adopted on %(date)s: registrations are closed (ToR rule 11).")
            % {
                "date": date_format(meeting.agenda_adopted_at.astimezone(ZoneInfo(meeting.procedural_time_zone)).date())
            },
            "11",
        )
    if meeting_has_ended(meeting):
        return refuse(_("This meeting has ended: registrations are closed (ToR rule 11)."), "11")
    return ALLOWED


def meetings_for_user(user):
    """Meetings ``user`` may see, as a queryset; empty for anyone not verified by a second factor.

    Secretariat staff and delegates of a State eligible today see the meetings whose view
    permission was granted to their group (django-guardian, direct foreign-key tables; no
    global permission and no superuser shortcut count). The CSP President and the Chair in
    office see every meeting. A non-state expert sees the meetings whose view permission went
    to its own user (granted when it acknowledged the confidentiality obligation, ToR rule
    15) until the meeting's last day ends in its procedural time zone, and nothing after.
    Everybody else sees none, not even that a meeting exists (ToR rules 6, 14).
    """
    scope = _meeting_scope(user)
    if scope == "all":
        return Meeting.objects.all()
    if scope == "expert":
        return expert_meetings(user)
    if scope == "granted":
        return granted_to_user_groups(Meeting.objects.all(), MeetingGroupObjectPermission, "view_meeting", user)
    return Meeting.objects.none()


def _meeting_scope(user) -> str:
    """Which meetings ``user`` sees (see :func:`meetings_for_user`): "none", "all", "expert"
    (its own grants, during the meeting) or "granted" (its groups' grants)."""
    if not is_verified(user) or user.is_superuser or user.role == Role.ADMINISTRATOR:
        return "none"
    if user.role == Role.CSP_PRESIDENT or is_chair_in_office(user):
        return "all"
    if user.role == Role.EXPERT:
        return "expert"
    if user.role in (Role.SECRETARIAT, Role.DELEGATE):
        if user.role == Role.DELEGATE and not (user.state_id and user.state.is_eligible(procedural_today())):
            return "none"
        return "granted"
    return "none"


def sees_forum_offices(user) -> bool:
    """True if ``user`` may see who holds the Forum's offices (the Chair, ToR rule 4): the
    Secretariat, the CSP President, the Chair and delegates of a State eligible today. A State
    that is not eligible, a national authority user, an expert, an administrator and everybody
    without a verified session get nothing of the Forum (ToR rules 6, 14)."""
    return _meeting_scope(user) in ("all", "granted")


def in_meetings_for_user(queryset, user, field: str = "meeting"):
    """``queryset`` (rows with a foreign key ``field`` to a meeting) narrowed to the rows whose
    meeting ``user`` may see: exactly ``queryset.filter(meeting__in=meetings_for_user(user))``,
    written for Secretariat staff and delegates as one EXISTS on the meeting permission table
    beside the row's own (not an IN over a nested subquery), ToR rules 6, 14."""
    scope = _meeting_scope(user)
    if scope == "all":
        return queryset
    if scope == "granted":
        return granted_to_user_groups(queryset, MeetingGroupObjectPermission, "view_meeting", user, f"{field}_id")
    if scope == "expert":
        return queryset.filter(**{f"{field}__in": expert_meetings(user)})
    return queryset.none()


def expert_meetings(user):
    """ToR rules 8, 15: the meetings granted to expert ``user`` itself (direct foreign-key user
    permissions, no group), during the meeting only: from the day after its last day
    (procedural time zone) nothing."""
    granted = granted_to_user(Meeting.objects.all(), MeetingUserObjectPermission, "view_meeting", user)
    current = [m.pk for m in granted if clock.today_in(m.procedural_time_zone) <= m.end_date]
    return Meeting.objects.filter(pk__in=current)


def can_manage_meetings(user) -> bool:
    """Secretariat staff (ToR rules 5, 9, 10) with a verified session."""
    return is_verified(user) and user.role == Role.SECRETARIAT


#: The one order of every list of meetings (and of what belongs to meetings): upcoming and
#: ongoing meetings first, soonest first, because they are the ones to act on; then past
#: meetings, latest first. Each list page states it (:data:`LIST_ORDER_NOTE`).
def in_list_order(queryset, prefix: str = ""):
    """``queryset`` (of meetings, or of rows with a foreign key path ``prefix`` to a meeting,
    e.g. ``"meeting__"``) in the one list order: meetings not yet ended first by start date
    ascending, then ended meetings by start date descending; ties by primary key."""
    from django.db.models import Case, DateField, F, IntegerField, Q, Value, When

    today = procedural_today()
    start = f"{prefix}start_date"
    ended = Q(**{f"{prefix}end_date__lt": today})
    # each condition on the end date itself, not on the _past annotation: the same order,
    # cheaper to build (an annotation referred to is resolved and copied again)
    return queryset.annotate(
        _past=Case(When(ended, then=Value(1)), default=Value(0), output_field=IntegerField()),
        _upcoming_start=Case(When(~ended, then=F(start)), default=Value(None), output_field=DateField()),
        _past_start=Case(When(ended, then=F(start)), default=Value(None), output_field=DateField()),
    ).order_by("_past", F("_upcoming_start").asc(nulls_last=True), F("_past_start").desc(nulls_last=True), "pk")


def meeting_for_user_or_404(user, pk, *, practical_details=False, related=()):
    """The meeting ``pk`` if ``user`` may see it (:func:`meetings_for_user`), else Http404
    (never 403: a meeting's existence is confidential). For the views of every app.

    A non-state expert reaches a meeting's practical details (its page, ``practical_details``)
    and nothing else of it: no agenda, delegations, invitation or calendar page (ToR rules 8, 15).
    ``related`` names more relations the page shows, read in the same query."""
    if user.is_authenticated and user.role == Role.EXPERT and not practical_details:
        raise Http404
    queryset = meetings_for_user(user).select_related("tor_version", "invitation", *related)
    return object_for_user_or_404(queryset, pk=pk)
