"""The three lists of the briefings page (outlines, follow-up arrangements, meetings that have
ended) read in one written-out statement for Secretariat staff and delegates of an eligible
State: the ORM spent more on building the three queries than the database on running them.

Each list is exactly what :func:`briefings.queries.briefings_for_user`,
:func:`~briefings.queries.arrangements_for_user` and
:func:`~briefings.queries.meetings_with_briefing_access` give the user, in the order and a page at
a time as the page reads them; briefings/tests/test_list_read.py pins them to the ORM's answers.
Anyone else (the Chair in office, who sees every meeting, and whoever sees none) is read by the
ORM."""

from django.db import connections
from django.db.models import prefetch_related_objects

from accounts.enums import Role
from dief.sql import column, table
from meetings.models import DelegationRegistration, Meeting
from meetings.queries import granted_meeting_sql, is_chair_in_office, sees_forum_offices

from .models import Briefing, FollowUpArrangement
from .queries import _state_delegate

#: What each list reads of its rows: (model, fields), the meeting's title joined to the first two.
_BRIEFING = ("id", "meeting", "status", "version")
_ARRANGEMENT = ("id", "meeting", "status")
_MEETING = ("id", "title", "end_date", "procedural_time_zone")


def reads_lists(user) -> bool:
    """Whether :func:`read_lists` reads ``user``'s lists: Secretariat staff and delegates of a
    State eligible today, who see the meetings granted to their groups."""
    if not sees_forum_offices(user) or is_chair_in_office(user):
        return False  # none, or every meeting (the Chair in office)
    return user.role == Role.SECRETARIAT or (user.role == Role.DELEGATE and _state_delegate(user))


def _converted(connection, fields, values):
    out = []
    for field, value in zip(fields, values, strict=True):
        for converter in connection.ops.get_db_converters(field.get_col(field.model._meta.db_table)) + (
            field.get_db_converters(connection)
        ):
            value = converter(value, field, connection)
        out.append(value)
    return out


def _sql(connection, delegate: bool):
    m, b, a, d = Meeting, Briefing, FollowUpArrangement, DelegationRegistration
    links, party = Briefing.presentations.through, FollowUpArrangement.states.through
    presentation = Briefing.presentations.field.related_model
    params = []

    def granted(meeting_id_sql):
        sql, grant_params = granted_meeting_sql(connection, meeting_id_sql, _USER)
        params.extend(grant_params)
        return sql

    briefing_where = granted(f"b.{column(b, 'meeting')}")
    if delegate:
        briefing_where += (
            f" AND (b.{column(b, 'meeting')} IN (SELECT {column(d, 'meeting')} FROM {table(d)}"
            f" WHERE {column(d, 'state')} = %s) OR b.{column(b, 'id')} IN (SELECT l.{column(links, 'briefing')}"
            f" FROM {table(links)} l INNER JOIN {table(presentation)} p ON p.{column(presentation, 'id')}"
            f" = l.{column(links, 'presentation')} WHERE p.{column(presentation, 'presenting_state')} = %s))"
        )
        params.extend([_STATE, _STATE])
    params.extend([_LIMIT, _OFFSET])
    arrangement_where = granted(f"a.{column(a, 'meeting')}")
    if delegate:
        arrangement_where += (
            f" AND EXISTS (SELECT 1 FROM {table(party)} ps WHERE ps.{column(party, 'followuparrangement')}"
            f" = a.{column(a, 'id')} AND ps.{column(party, 'state')} = %s)"
        )
        params.append(_STATE)
    else:
        arrangement_where += f" AND a.{column(a, 'secretariat_added_at')} IS NOT NULL"
    params.extend([_LIMIT, _OFFSET])
    meeting_where = granted(f"m.{column(m, 'id')}")
    if delegate:
        meeting_where += (
            f" AND EXISTS (SELECT 1 FROM {table(d)} dr WHERE dr.{column(d, 'meeting')} = m.{column(m, 'id')}"
            f" AND dr.{column(d, 'state')} = %s)"
        )
        params.append(_STATE)
    meeting_where += f" AND m.{column(m, 'end_date')} <= %s"
    params.extend([_TODAY, _LIMIT, _OFFSET])
    n = "CAST(NULL AS BIGINT)"
    t = "CAST(NULL AS VARCHAR(255))"
    sql = (
        # kind, id, meeting id, status, version, title, end date, time zone
        f"SELECT * FROM (SELECT 0 AS k, b.{column(b, 'id')}, b.{column(b, 'meeting')}, b.{column(b, 'status')},"
        f" b.{column(b, 'version')}, bm.{column(m, 'title')}, CAST(NULL AS DATE), {t},"
        f" ROW_NUMBER() OVER (ORDER BY bm.{column(m, 'start_date')} DESC, b.{column(b, 'id')} DESC) AS o"
        f" FROM {table(b)} b INNER JOIN {table(m)} bm ON bm.{column(m, 'id')} = b.{column(b, 'meeting')}"
        f" WHERE {briefing_where}"
        f" ORDER BY bm.{column(m, 'start_date')} DESC, b.{column(b, 'id')} DESC LIMIT %s OFFSET %s) b1"
        " UNION ALL"
        f" SELECT * FROM (SELECT 1, a.{column(a, 'id')}, a.{column(a, 'meeting')}, a.{column(a, 'status')}, {n},"
        f" am.{column(m, 'title')}, CAST(NULL AS DATE), {t},"
        f" ROW_NUMBER() OVER (ORDER BY a.{column(a, 'created_at')} DESC, a.{column(a, 'id')} DESC)"
        f" FROM {table(a)} a INNER JOIN {table(m)} am ON am.{column(m, 'id')} = a.{column(a, 'meeting')}"
        f" WHERE {arrangement_where}"
        f" ORDER BY a.{column(a, 'created_at')} DESC, a.{column(a, 'id')} DESC LIMIT %s OFFSET %s) a1"
        " UNION ALL"
        f" SELECT * FROM (SELECT 2, m.{column(m, 'id')}, {n}, {t}, {n}, m.{column(m, 'title')},"
        f" m.{column(m, 'end_date')}, m.{column(m, 'procedural_time_zone')},"
        f" ROW_NUMBER() OVER (ORDER BY m.{column(m, 'start_date')} DESC, m.{column(m, 'id')} DESC)"
        f" FROM {table(m)} m"
        f" WHERE {meeting_where}"
        f" ORDER BY m.{column(m, 'start_date')} DESC, m.{column(m, 'id')} DESC LIMIT %s OFFSET %s) m1"
        " ORDER BY 1, 9"
    )
    return sql, params


# placeholders in the cached parameter lists, filled in on each read
_USER, _STATE, _LIMIT, _OFFSET, _TODAY = (object() for _ in range(5))
_sql_cache: dict = {}


def read_lists(user, windows: tuple[int, int, int], per_page: int, today) -> tuple[list, list, list]:
    """For ``user`` (see :func:`reads_lists`): up to ``per_page + 1`` briefings, arrangements and
    meetings that have ended by ``today`` (UTC: the view drops those that have not ended in their
    own time zone), each list from its own offset of ``windows``."""
    connection = connections[Briefing.objects.db]
    delegate = user.role == Role.DELEGATE
    key = (connection.alias, delegate)
    if key not in _sql_cache:
        _sql_cache[key] = _sql(connection, delegate)
    sql, template = _sql_cache[key]
    offsets = iter(windows)
    params = []
    for p in template:
        if p is _USER:
            p = user.pk
        elif p is _STATE:
            p = user.state_id
        elif p is _LIMIT:
            p = per_page + 1
        elif p is _OFFSET:
            p = next(offsets)
        elif p is _TODAY:
            p = today
        params.append(p)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    briefing_fields = [Briefing._meta.get_field(f) for f in _BRIEFING]
    arrangement_fields = [FollowUpArrangement._meta.get_field(f) for f in _ARRANGEMENT]
    meeting_fields = [Meeting._meta.get_field(f) for f in _MEETING]
    briefings, arrangements, meetings = [], [], []
    for kind, pk, meeting_id, status, version, title, end_date, zone, _order in rows:
        if kind == 2:
            values = _converted(connection, meeting_fields, [pk, title, end_date, zone])
            meetings.append(Meeting.from_db(connection.alias, [f.attname for f in meeting_fields], values))
            continue
        meeting = Meeting.from_db(connection.alias, ["id", "title"], [meeting_id, title])
        if kind == 0:
            model, fields, values = Briefing, briefing_fields, [pk, meeting_id, status, version]
        else:
            model, fields, values = FollowUpArrangement, arrangement_fields, [pk, meeting_id, status]
        row = model.from_db(connection.alias, [f.attname for f in fields], _converted(connection, fields, values))
        model.meeting.field.set_cached_value(row, meeting)
        (briefings if kind == 0 else arrangements).append(row)
    if arrangements:
        prefetch_related_objects(arrangements, "states")
    return briefings, arrangements, meetings
