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
from dief.sql import from_row
from dief.sql import reads as read_parts
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


def meeting_scope(user) -> str:
    """Which meetings ``user`` sees, as :func:`meetings_for_user` narrows them: "none", "all",
    "expert" (its own grants, during the meeting) or "granted" (its groups' grants). For the
    written-out reads of other apps, which write the same condition."""
    return _meeting_scope(user)


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


def meeting_page_or_404(user, pk):
    """The meeting ``pk`` for its own page and its calendar page, if ``user`` may see it (the
    answer of :func:`meeting_for_user_or_404` with ``related=("agenda", "convened_by",
    "convening_recorded_by")``), else Http404 (:class:`accounts.security.DeniedAccess` when it
    exists).

    For the Secretariat, delegates, the CSP President and the Chair it is one written-out
    query: the meeting, its ToR version, invitation and agenda, the names of who convened it
    and who recorded the decision, whether a Chair is in office on its first day (ToR rule 4,
    :func:`chair_in_office_on_start`) and its deadline flags not cleared (:func:`open_flags`).
    Built by the ORM, these cost several times more than they take to run, on every visit
    (meetings/tests/test_page_read.py pins the read to the ORM's answers). Anyone else (an
    expert, no scope at all) goes through :func:`meeting_for_user_or_404`."""
    scope = _meeting_scope(user)
    if scope not in ("all", "granted"):
        return meeting_for_user_or_404(
            user, pk, practical_details=True, related=("agenda", "convened_by", "convening_recorded_by")
        )
    meeting = _read_meeting_page(user, pk, granted=scope == "granted")
    if meeting is None:  # not there, or not granted: the ORM's answer, with the security log's record
        return meeting_for_user_or_404(user, pk, practical_details=True)
    return meeting


def chair_in_office_on_start(meeting) -> bool:
    """ToR rule 4: True if a confirmed Chair appointment covers ``meeting``'s first day (read
    with the meeting by :func:`meeting_page_or_404`, else asked now)."""
    known = getattr(meeting, "_dief_chair_on_start", None)
    if known is not None:
        return known
    return ChairAppointment.objects.in_office_on(meeting.start_date).exists()


def open_flags(meeting) -> list:
    """The deadline flags of ``meeting`` not cleared, earliest deadline first (read with the
    meeting by :func:`meeting_page_or_404`, else asked now)."""
    known = getattr(meeting, "_dief_open_flags", None)
    if known is not None:
        return known
    return list(meeting.deadline_flags.filter(cleared_at__isnull=True))


#: The user fields the meeting page shows of who convened it and who recorded the decision.
_PAGE_USER_FIELDS = ("id", "username", "first_name", "last_name")
_page_sql_cache: dict = {}


def _page_sql(connection, granted: bool):
    """The meeting page's query for ``connection`` (with the group permission EXISTS when
    ``granted``) and, for each model it reads, its fields and their database converters."""
    key = (connection.alias, connection.vendor, granted)
    if key in _page_sql_cache:
        return _page_sql_cache[key]
    from django.contrib.auth import get_user_model

    q = connection.ops.quote_name
    user_model = get_user_model()
    invitation_model = Meeting._meta.get_field("invitation").related_model
    agenda_model = Meeting._meta.get_field("agenda").related_model
    flag_model = Meeting._meta.get_field("deadline_flags").related_model
    user_fields = [f for f in user_model._meta.concrete_fields if f.name in _PAGE_USER_FIELDS]
    parts = [
        ("m", Meeting, list(Meeting._meta.concrete_fields)),
        ("t", Meeting._meta.get_field("tor_version").related_model, None),
        ("i", invitation_model, None),
        ("a", agenda_model, None),
        ("cb", user_model, user_fields),
        ("rb", user_model, user_fields),
        ("f", flag_model, None),
    ]
    reads, columns = read_parts(connection, parts)
    chair = ChairAppointment._meta
    col = {name: q(Meeting._meta.get_field(name).column) for name in ("id", "start_date", "tor_version", "convened_by")}
    chair_in_office = (
        f"EXISTS (SELECT 1 FROM {q(chair.db_table)} ca WHERE ca.{q(chair.get_field('appointed_on').column)}"
        f" <= m.{col['start_date']} AND ca.{q(chair.get_field('term_ends_on').column)} >= m.{col['start_date']}"
        f" AND ca.{q(chair.get_field('confirmed_at').column)} IS NOT NULL)"
    )
    flag = flag_model._meta
    sql = (
        f"SELECT {', '.join(columns)}, {chair_in_office} FROM {q(Meeting._meta.db_table)} m"
        f" INNER JOIN {q(parts[1][1]._meta.db_table)} t ON t.{q('id')} = m.{col['tor_version']}"
        f" LEFT JOIN {q(invitation_model._meta.db_table)} i"
        f" ON i.{q(invitation_model._meta.get_field('meeting').column)} = m.{col['id']}"
        f" LEFT JOIN {q(agenda_model._meta.db_table)} a ON a.{q(agenda_model._meta.get_field('meeting').column)}"
        f" = m.{col['id']}"
        f" LEFT JOIN {q(user_model._meta.db_table)} cb ON cb.{q('id')} = m.{col['convened_by']}"
        f" LEFT JOIN {q(user_model._meta.db_table)} rb"
        f" ON rb.{q('id')} = m.{q(Meeting._meta.get_field('convening_recorded_by').column)}"
        f" LEFT JOIN {q(flag.db_table)} f ON f.{q(flag.get_field('meeting').column)} = m.{col['id']}"
        f" AND f.{q(flag.get_field('cleared_at').column)} IS NULL"
        f" WHERE m.{col['id']} = %s"
    )
    grant_params = ()
    if granted:
        grant_sql, grant_params = _granted_sql(connection, f"m.{col['id']}")
        sql += f" AND {grant_sql}"
    sql += f" ORDER BY f.{q(flag.get_field('due_at').column)}, f.{q(flag.get_field('id').column)}"
    _page_sql_cache[key] = (sql, reads, grant_params)
    return _page_sql_cache[key]


def _granted_sql(connection, meeting_id_sql: str):
    """The condition that the meeting whose id is ``meeting_id_sql`` was granted to one of the
    user's groups (:class:`accounts.access.Granted`, as :func:`meetings_for_user` filters on it)
    and its parameters, the user's id first (a placeholder: each call sets its own)."""
    from accounts.access import Granted

    class _Outer:  # the EXISTS' one outer column: the meeting's id
        def compile(self, node):
            return meeting_id_sql, []

    expression = Granted("pk", MeetingGroupObjectPermission, "view_meeting", 0, "group")
    as_sql = expression.as_postgresql if connection.vendor == "postgresql" else expression.as_sql
    sql, params = as_sql(_Outer(), connection)
    return sql, tuple(params)


def granted_meeting_sql(connection, meeting_id_sql: str, user_id) -> tuple[str, list]:
    """The condition that the meeting whose id is ``meeting_id_sql`` was granted to one of the
    groups of the user ``user_id``, as :func:`meetings_for_user` filters on it for Secretariat staff and
    delegates (:class:`accounts.access.Granted`), and its parameters: for written-out queries
    that read what belongs to the meetings the user sees."""
    sql, params = _granted_sql(connection, meeting_id_sql)
    return sql, [user_id, *params[1:]]


def _read_meeting_page(user, pk, *, granted: bool):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    connection = connections[Meeting.objects.db]
    sql, reads, grant_params = _page_sql(connection, granted)
    params = [pk]
    if granted:
        params += [user.pk, *grant_params[1:]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    meeting = tor_version = invitation = agenda = convened_by = recorded_by = None
    flags = []
    for row in rows:
        start = 0
        objects = []
        for _alias, model, fields, converters, plan in reads:
            end = start + len(fields)
            objects.append(from_row(connection, model, fields, converters, row[start:end], plan))
            start = end
        if meeting is None:
            meeting, tor_version, invitation, agenda, convened_by, recorded_by = objects[:6]
            chair_on_start = bool(row[start])
        if objects[6] is not None:
            flags.append(objects[6])
    Meeting.tor_version.field.set_cached_value(meeting, tor_version)
    Meeting.convened_by.field.set_cached_value(meeting, convened_by)
    Meeting.convening_recorded_by.field.set_cached_value(meeting, recorded_by)
    for name, related in (("invitation", invitation), ("agenda", agenda)):
        rel = Meeting._meta.get_field(name)
        rel.set_cached_value(meeting, related)
        if related is not None:
            rel.remote_field.set_cached_value(related, meeting)
    for flag in flags:
        Meeting.deadline_flags.field.set_cached_value(flag, meeting)
    meeting._dief_chair_on_start = chair_on_start
    meeting._dief_open_flags = flags
    return meeting


def agenda_page_meeting_or_404(user, pk):
    """The meeting ``pk`` for its agenda page, if ``user`` may see it: the answer of
    :func:`meeting_for_user_or_404` (never for an expert, ToR rules 8, 15), else Http404
    (:class:`accounts.security.DeniedAccess` when it exists).

    For the Secretariat, delegates, the CSP President and the Chair it is one written-out
    query: the meeting, its agenda (the reverse relation ``agenda``, cached, None before it is
    drafted) and whether a Chair is in office today (ToR rule 4, :func:`chair_in_office_today`),
    three ORM queries that cost more to build than to run (meetings/tests/test_page_read.py
    pins the read to their answers). Anyone else goes through :func:`meeting_for_user_or_404`."""
    scope = _meeting_scope(user)
    if scope not in ("all", "granted") or user.role == Role.EXPERT:
        return meeting_for_user_or_404(user, pk)
    meeting = _read_agenda_page(user, pk, granted=scope == "granted")
    if meeting is None:  # not there, or not granted: the ORM's answer, with the security log's record
        return meeting_for_user_or_404(user, pk)
    return meeting


def meeting_fields_or_404(user, pk, fields):
    """The meeting ``pk`` with only ``fields`` read, if ``user`` may see it: the answer of
    ``object_for_user_or_404(meetings_for_user(user).only(*fields), pk=pk)`` (the same 404s,
    and :class:`accounts.security.DeniedAccess` when it exists); callers refuse experts first
    where the page is not theirs. For the Secretariat, delegates, the CSP President and the
    Chair it is written out around the same access condition (the ORM's query cost more to build
    than to run; meetings/tests/test_page_read.py pins it to the ORM's answers)."""
    scope = _meeting_scope(user)
    if scope in ("all", "granted"):
        meeting = _read_meeting_fields(user, pk, tuple(fields), granted=scope == "granted")
        if meeting is not None:
            return meeting
    return object_for_user_or_404(meetings_for_user(user).only(*fields), pk=pk)


_fields_sql_cache: dict = {}


def _read_meeting_fields(user, pk, fields: tuple, *, granted: bool):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    connection = connections[Meeting.objects.db]
    key = (connection.alias, connection.vendor, granted, fields)
    if key not in _fields_sql_cache:
        q = connection.ops.quote_name
        names = {"pk" if n == "pk" else Meeting._meta.get_field(n).name for n in fields}
        chosen = [f for f in Meeting._meta.concrete_fields if f.primary_key or f.name in names]
        reads, columns = read_parts(connection, [("m", Meeting, chosen)])
        mid = f"m.{q(Meeting._meta.pk.column)}"
        sql = f"SELECT {', '.join(columns)} FROM {q(Meeting._meta.db_table)} m WHERE {mid} = %s"
        grant_params = ()
        if granted:
            grant_sql, grant_params = _granted_sql(connection, mid)
            sql += f" AND {grant_sql}"
        _fields_sql_cache[key] = (sql, reads[0], grant_params)
    sql, (_alias, model, chosen, converters, plan), grant_params = _fields_sql_cache[key]
    params = [pk, user.pk, *grant_params[1:]] if granted else [pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else from_row(connection, model, chosen, converters, row, plan)


def chair_in_office_today(meeting=None) -> bool:
    """ToR rule 4: True if a Chair is in office today (:func:`current_chair_appointment` is
    not None), as read with ``meeting`` by :func:`agenda_page_meeting_or_404`, else asked now."""
    known = getattr(meeting, "_dief_chair_today", None)
    if known is not None and known[0] == procedural_today():
        return known[1]
    return ChairAppointment.objects.in_office_on(procedural_today()).exists()


_agenda_sql_cache: dict = {}


def _agenda_sql(connection, granted: bool):
    key = (connection.alias, connection.vendor, granted)
    if key in _agenda_sql_cache:
        return _agenda_sql_cache[key]
    q = connection.ops.quote_name
    agenda_model = Meeting._meta.get_field("agenda").related_model
    reads, columns = read_parts(connection, [("m", Meeting, None), ("a", agenda_model, None)])
    chair = ChairAppointment._meta
    mid = f"m.{q(Meeting._meta.get_field('id').column)}"
    chair_in_office = (
        f"EXISTS (SELECT 1 FROM {q(chair.db_table)} ca WHERE ca.{q(chair.get_field('appointed_on').column)} <= %s"
        f" AND ca.{q(chair.get_field('term_ends_on').column)} >= %s"
        f" AND ca.{q(chair.get_field('confirmed_at').column)} IS NOT NULL)"
    )
    sql = (
        f"SELECT {', '.join(columns)}, {chair_in_office} FROM {q(Meeting._meta.db_table)} m"
        f" LEFT JOIN {q(agenda_model._meta.db_table)} a ON a.{q(agenda_model._meta.get_field('meeting').column)}"
        f" = {mid} WHERE {mid} = %s"
    )
    grant_params = ()
    if granted:
        grant_sql, grant_params = _granted_sql(connection, mid)
        sql += f" AND {grant_sql}"
    _agenda_sql_cache[key] = (sql, reads, grant_params)
    return _agenda_sql_cache[key]


def _read_agenda_page(user, pk, *, granted: bool):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    connection = connections[Meeting.objects.db]
    sql, reads, grant_params = _agenda_sql(connection, granted)
    today = procedural_today()
    params = [today, today, pk]
    if granted:
        params += [user.pk, *grant_params[1:]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    (_m, meeting_model, meeting_fields, meeting_conv, meeting_plan), read_agenda = reads
    _a, agenda_model, agenda_fields, agenda_conv, agenda_plan = read_agenda
    split = len(meeting_fields)
    meeting = from_row(connection, meeting_model, meeting_fields, meeting_conv, row[:split], meeting_plan)
    agenda_values = row[split : split + len(agenda_fields)]
    agenda = from_row(connection, agenda_model, agenda_fields, agenda_conv, agenda_values, agenda_plan)
    rel = Meeting._meta.get_field("agenda")
    rel.set_cached_value(meeting, agenda)
    if agenda is not None:
        rel.remote_field.set_cached_value(agenda, meeting)
    meeting._dief_chair_today = (today, bool(row[-1]))
    return meeting


class MeetingList:
    """The meetings ``user`` sees (:func:`meetings_for_user`) in the one list order
    (:func:`in_list_order`), with the title, dates, venue and invitation status the list shows,
    as written-out SQL a slice at a time (``rows[start:stop]``, ``count()``: what
    :func:`dief.pagination.paginate_lean` asks). The ORM's query cost more to build than to run
    on every visit; meetings/tests/test_page_read.py pins the rows and their order to its answers.
    For the Secretariat, delegates, the CSP President and the Chair; :func:`meeting_list_rows`
    gives the ORM's queryset to anyone else."""

    _sql_cache: dict = {}

    def __init__(self, user, granted: bool):
        self.user, self.granted = user, granted
        self.connection = connections[Meeting.objects.db]

    def _sql(self):
        connection = self.connection
        key = (connection.alias, connection.vendor, self.granted)
        if key not in self._sql_cache:
            q = connection.ops.quote_name
            invitation_model = Meeting._meta.get_field("invitation").related_model
            meeting_fields = [Meeting._meta.get_field(n) for n in ("id", "title", "start_date", "end_date", "venue")]
            invitation_fields = [invitation_model._meta.get_field(n) for n in ("id", "status", "sent_late")]
            reads, columns = read_parts(
                connection, [("m", Meeting, meeting_fields), ("i", invitation_model, invitation_fields)]
            )
            mid, start, end = (f"m.{q(Meeting._meta.get_field(n).column)}" for n in ("id", "start_date", "end_date"))
            where, grant_params = "", ()
            if self.granted:
                grant_sql, grant_params = _granted_sql(connection, mid)
                where = f" WHERE {grant_sql}"
            table = f"{q(Meeting._meta.db_table)} m"
            rows = (
                f"SELECT {', '.join(columns)} FROM {table} LEFT JOIN {q(invitation_model._meta.db_table)} i"
                f" ON i.{q(invitation_model._meta.get_field('meeting').column)} = {mid}{where}"
                # not ended first, soonest first; then ended, latest first; ties by id
                f" ORDER BY CASE WHEN {end} < %s THEN 1 ELSE 0 END,"
                f" CASE WHEN {end} < %s THEN NULL ELSE {start} END,"
                f" CASE WHEN {end} < %s THEN {start} ELSE NULL END DESC, {mid}"
                " LIMIT %s OFFSET %s"
            )
            count = f"SELECT COUNT(*) FROM {table}{where}"
            self._sql_cache[key] = (rows, count, reads, grant_params)
        return self._sql_cache[key]

    def _grant(self, grant_params):
        return [self.user.pk, *grant_params[1:]] if self.granted else []

    def count(self) -> int:
        _rows, count, _reads, grant_params = self._sql()
        with self.connection.cursor() as cursor:
            cursor.execute(count, self._grant(grant_params))
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list:
        rows_sql, _count, reads, grant_params = self._sql()
        start, stop = window.start or 0, window.stop
        today = procedural_today()
        with self.connection.cursor() as cursor:
            cursor.execute(rows_sql, [*self._grant(grant_params), today, today, today, stop - start, start])
            rows = cursor.fetchall()
        (_m, meeting_model, meeting_fields, meeting_conv, meeting_plan), read_invitation = reads
        _i, inv_model, inv_fields, inv_conv, inv_plan = read_invitation
        rel = Meeting._meta.get_field("invitation")
        meetings = []
        split = len(meeting_fields)
        for row in rows:
            meeting = from_row(self.connection, meeting_model, meeting_fields, meeting_conv, row[:split], meeting_plan)
            invitation = from_row(self.connection, inv_model, inv_fields, inv_conv, row[split:], inv_plan)
            rel.set_cached_value(meeting, invitation)
            if invitation is not None:
                rel.remote_field.set_cached_value(invitation, meeting)
            meetings.append(meeting)
        return meetings


def meeting_list_rows(user):
    """What the list of meetings pages through for ``user``: a :class:`MeetingList` for the
    Secretariat, delegates, the CSP President and the Chair, else the ORM's queryset (the same
    meetings, columns and order)."""
    scope = _meeting_scope(user)
    if scope in ("all", "granted"):
        return MeetingList(user, granted=scope == "granted")
    meetings = (
        meetings_for_user(user)
        .select_related("invitation")
        .only("title", "start_date", "end_date", "venue", "invitation__status", "invitation__sent_late")
    )
    return in_list_order(meetings)
