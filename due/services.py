"""Each user's open actions before ToR deadlines, soonest first."""

import datetime
from dataclasses import dataclass
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet, ObjectDoesNotExist
from django.db import connection, connections
from django.db.models import BooleanField, Count, Exists, OuterRef, Window
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from dief import clock
from dief.links import path_to
from dief.prepared import generic_plan
from dief.sql import column, table
from meetings.deadlines import Deadline, deadline_status, meeting_calendar, meeting_deadline
from meetings.enums import DeadlineKey, DeadlineStatus
from meetings.queries import is_chair_in_office, meetings_for_user

SECRETARIAT_ACTIONS = {
    DeadlineKey.INVITATION: _("Send the invitation to all eligible States"),
    DeadlineKey.DRAFT_AGENDA: _("Distribute the draft agenda to all eligible States"),
}
CHAIR_APPROVAL = _("Approve the draft agenda")
REPLY_ACTION = _("Respond to a presentation that involves your State")
NOTICE_WINDOW = _("Notify the States your presentation involves")
CONVENING_ACTION = _("Record your decision to convene the meeting (ToR rule 3)")
CONSULTATION_ACTION = _("Record your consultation on the draft invitation (ToR rule 9)")
CONSENT_ACTION = _("Give or withhold your State's consent to a presentation (ToR rule 12)")
PROPOSE_WINDOW = _("Propose non-state experts for your presentations")
OBJECT_WINDOW = _("Object to a non-state expert proposal during its silence procedure")
DECIDE_REFERRAL = _("Record the procedural decision on a referred non-state expert proposal, at the meeting")
RESOLVE_OBJECTION = _("Resolve the objection to a non-state expert proposal, or it is referred to the meeting")


#: Open actions on one page of "What is due".
DUE_PAGE_SIZE = 25
#: Timelines shown on "What is due": the upcoming meetings' soonest ones (each meeting's page
#: shows its own).
DUE_TIMELINES = 3


@dataclass(frozen=True)
class DueItem:
    meeting: object
    deadline: Deadline
    action: str
    overdue: bool
    obligation: bool
    #: Where the action is taken: (URL name, its arguments, text appended), reversed only when
    #: :attr:`url` is read, so a page reverses the URLs of the items it shows and no others.
    link: tuple = ()
    #: What, besides the meeting and the deadline, the action is about ("presentation-12"):
    #: two actions before the same deadline of one meeting differ by it (calendar UIDs).
    subject: str = ""

    @cached_property
    def url(self) -> str:
        if not self.link:
            return ""
        name, args, suffix = self.link
        return path_to(name, *args) + suffix


def upcoming_meetings_for_user(user, *, waiting_at: datetime.datetime | None = None) -> list:
    """The meetings of :func:`meetings_for_user` that have not ended (their last day is today or
    later in the default procedural time zone), soonest first, with their ToR version,
    invitation and agenda and the flags of :func:`with_due_flags` (with ``waiting_at``, for a
    delegate, also what :func:`waiting_for_state` answers at that instant, as
    ``due_waiting_<kind>`` on each meeting: :func:`carried_waiting`): one query, evaluated once
    per request and handed to the functions below. Returns a list of
    :class:`meetings.models.Meeting`.

    Written out around the ORM's own condition of ``meetings_for_user`` (who may see which
    meeting stays there): the ORM query of the same objects (:func:`orm_upcoming_meetings`)
    cost more to build than to run, on every What is due and calendar download.
    due/tests/test_due_queries.py pins it to the ORM's answers."""
    today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
    return _meetings_read(user, today, waiting_at=waiting_at, with_past=False)[0]


def calendar_meetings_for_user(user, today: datetime.date) -> tuple[list, list[tuple]]:
    """:func:`upcoming_meetings_for_user` (the meetings whose last day is ``today`` or later)
    and :func:`past_meetings_for_user` (the others), as they answer, in one query: the calendar
    download shows both. The ORM's condition of :func:`meetings_for_user` is the same in both
    halves of the query (who may see which meeting stays there); due/tests/test_due_queries.py
    pins the answer to theirs."""
    return _meetings_read(user, today, waiting_at=None, with_past=True)


def _meetings_read(user, today, *, waiting_at, with_past: bool) -> tuple[list, list[tuple]]:
    """The upcoming meetings of :func:`upcoming_meetings_for_user` and, ``with_past``, the rows of
    :func:`past_meetings_for_user` (else an empty list)."""
    visible = meetings_for_user(user)
    upcoming_visible = visible.filter(end_date__gte=today)
    condition = _own_condition(visible if with_past else upcoming_visible)
    if condition is None:
        # a condition on another table: as the ORM reads it
        past = list(orm_past_meetings(visible.filter(end_date__lt=today))) if with_past else []
        return orm_upcoming_meetings(upcoming_visible, user), past
    if condition is _NOTHING:
        return [], []
    where, where_params = condition
    from agendas.models import Agenda
    from experts.enums import ProposalStatus
    from meetings.models import Invitation, Meeting, ToRVersion

    db = visible.db
    conn = connections[db]
    sql = _flag_sql()
    flags = [("due_open_proposals", [ProposalStatus.IN_SILENCE.value, ProposalStatus.IN_CONSULTATION.value])]
    if user.role == Role.DELEGATE and user.state_id:
        flags += [("due_state_presents", [user.state_id, "registered"])]
        flags += [("due_state_involved", ["registered", user.state_id])]
    if is_chair_in_office(user):
        flags += [("due_draft_agenda_items", ["draft"])]
    if waiting_at is not None and user.role == Role.DELEGATE and user.state_id:
        # what waits for the State, whatever the meeting (see carried_waiting): no query of its own
        by_kind = _waiting_params(user.state_id, waiting_at, conn)
        flags += [(f"due_waiting_{kind}", by_kind[kind]) for kind in WAITING_KINDS]
    sql = {**sql, **{f"due_waiting_{kind}": part for kind, part in _waiting_parts().items()}}
    flags_sql = "".join(f", {sql[name]}" for name, _p in flags)
    params = [p for _n, ps in flags for p in ps] + list(where_params)
    if with_past:
        # the upcoming meetings' rows, then the past ones' five values (the other columns empty)
        upcoming_sql, past_sql, order = _calendar_sql(len(flags))
        query_sql = (
            upcoming_sql.replace("{flags}", flags_sql).replace("{where}", where)
            + " UNION ALL "
            + past_sql.replace("{where}", where)
            + order
        )
        params += [today, *where_params, today]
    else:
        query_sql = _upcoming_sql().replace("{flags}", flags_sql).replace("{where}", where)
    # planned anew on every run on a custom plan (1-3 ms), the same rows in 1 ms on the generic one
    with conn.cursor() as cursor, generic_plan():
        cursor.execute(query_sql, params)
        rows = cursor.fetchall()
    converters = _meeting_converters(len(flags), conn)
    if converters:
        rows = [_converted(row, converters, conn) for row in rows]
    n_meeting, n_tor = len(Meeting._meta.concrete_fields), len(ToRVersion._meta.concrete_fields)
    n_inv = len(Invitation._meta.concrete_fields)
    names = {
        model: [f.attname for f in model._meta.concrete_fields] for model in (Meeting, ToRVersion, Invitation, Agenda)
    }
    tor_field = Meeting._meta.get_field("tor_version")
    invitation_rel, agenda_rel = Meeting._meta.get_field("invitation"), Meeting._meta.get_field("agenda")
    invitation_meeting, agenda_meeting = Invitation._meta.get_field("meeting"), Agenda._meta.get_field("meeting")
    meetings, tors, past = [], {}, []
    end = names[Meeting].index("end_date")
    shown = [names[Meeting].index(name) for name in PAST_MEETING_FIELDS]
    for row in rows:
        if with_past and row[end] < today:
            past.append(tuple(row[i] for i in shown))
            continue
        meeting = Meeting.from_db(db, names[Meeting], row[:n_meeting])
        at = n_meeting
        for name, _p in flags:
            setattr(meeting, name, bool(row[at]))
            at += 1
        tor_row = row[at : at + n_tor]
        tor = tors.get(tor_row[0])
        if tor is None:
            tor = tors[tor_row[0]] = ToRVersion.from_db(db, names[ToRVersion], tor_row)
        tor_field.set_cached_value(meeting, tor)
        at += n_tor
        inv_row = row[at : at + n_inv]
        at += n_inv
        invitation = None if inv_row[0] is None else Invitation.from_db(db, names[Invitation], inv_row)
        invitation_rel.set_cached_value(meeting, invitation)
        if invitation is not None:
            invitation_meeting.set_cached_value(invitation, meeting)
        agenda_row = row[at:]
        agenda = None if agenda_row[0] is None else Agenda.from_db(db, names[Agenda], agenda_row)
        agenda_rel.set_cached_value(meeting, agenda)
        if agenda is not None:
            agenda_meeting.set_cached_value(agenda, meeting)
        meetings.append(meeting)
    return meetings, past


@lru_cache(maxsize=32)
def _meeting_converters(n_flags: int, conn) -> tuple:
    """:func:`_converters` of the columns of :func:`_meetings_select` with ``n_flags`` flags, on
    the connection ``conn``: the same on every request of a connection (none on PostgreSQL),
    found once."""
    from agendas.models import Agenda
    from meetings.models import Invitation, Meeting, ToRVersion

    columns = [*Meeting._meta.concrete_fields, *[None] * n_flags]
    columns += [f for model in (ToRVersion, Invitation, Agenda) for f in model._meta.concrete_fields]
    return tuple(_converters(columns, conn))


_NOTHING = object()

#: What the calendar shows of a past meeting (:func:`past_meetings_for_user`).
PAST_MEETING_FIELDS = ("id", "title", "start_date", "end_date", "venue")


def _own_condition(visible):
    """The ORM's condition of the meetings queryset ``visible`` as ``(sql, params)`` on the
    meeting's own (unaliased) table; ``_NOTHING`` if it matches no meeting; None if it needs
    another table or more than a condition (the caller then reads through the ORM)."""
    query = visible.query
    if query.is_empty():
        return _NOTHING
    joined = [alias for alias, n in query.alias_refcount.items() if n and alias != query.base_table]
    if joined or query.distinct or query.combinator or query.annotations:
        return None
    try:
        return query.get_compiler(using=visible.db).compile(query.where)
    except EmptyResultSet:
        return _NOTHING
    except FullResultSet:
        return "1 = 1", []


def past_meetings_for_user(user, today: datetime.date) -> list[tuple]:
    """The meetings of :func:`meetings_for_user` whose last day is before ``today``, in order of
    start (then id), as the five values their calendar event shows: (id, title, start date, end
    date, venue); one query. Written out around the ORM's condition as
    :func:`upcoming_meetings_for_user` is (due/tests/test_due_queries.py pins it to the ORM)."""
    from meetings.models import Meeting

    visible = meetings_for_user(user).filter(end_date__lt=today)
    condition = _own_condition(visible)
    if condition is None:
        return list(orm_past_meetings(visible))
    if condition is _NOTHING:
        return []
    where, params = condition
    conn = connections[visible.db]
    fields = [Meeting._meta.get_field(name) for name in PAST_MEETING_FIELDS]
    q = conn.ops.quote_name
    table = q(Meeting._meta.db_table)
    columns = ", ".join(f"{table}.{q(f.column)}" for f in fields)
    start, pk = q(Meeting._meta.get_field("start_date").column), q(Meeting._meta.get_field("id").column)
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE ({where}) ORDER BY {table}.{start}, {table}.{pk}", list(params)
        )
        rows = cursor.fetchall()
    converters = _converters(fields, conn)
    return [_converted(row, converters, conn) for row in rows] if converters else rows


def orm_past_meetings(visible):
    """The rows of :func:`past_meetings_for_user` read through the ORM, from ``visible``."""
    return visible.order_by("start_date", "pk").values_list("pk", "title", "start_date", "end_date", "venue")


def _converters(fields, conn) -> list:
    """(index, column, functions) for each of ``fields`` (None for a column that is not a
    field's) whose database value the ORM converts."""
    converters = []
    for i, field in enumerate(fields):
        if field is not None:
            col = field.get_col(field.model._meta.db_table)
            found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
            if found:
                converters.append((i, col, found))
    return converters


def _converted(row, converters, conn) -> tuple:
    """``row`` with each value of ``converters`` (index, column, functions) made a Python value
    as the ORM makes it."""
    row = list(row)
    for i, col, functions in converters:
        value = row[i]
        for convert in functions:
            value = convert(value, col, conn)
        row[i] = value
    return tuple(row)


def orm_upcoming_meetings(visible, user) -> list:
    """The meetings of :func:`upcoming_meetings_for_user` read through the ORM, from ``visible``
    (the meetings of :func:`meetings_for_user` not ended)."""
    return list(
        with_due_flags(visible, user).select_related("tor_version", "invitation", "agenda").order_by("start_date", "pk")
    )


@lru_cache(maxsize=1)
def _meetings_select() -> str:
    """The query of :func:`upcoming_meetings_for_user` without its order, from the models' table
    and column names, with ``{flags}`` for the flags' columns and ``{where}`` for the ORM's
    condition on the meeting's own (unaliased) table: the meeting's columns, the flags', the ToR
    version's, the invitation's and the agenda's, each in its model's field order."""
    from agendas.models import Agenda
    from meetings.models import Invitation, Meeting, ToRVersion

    q = connection.ops.quote_name

    def columns(model):
        return ", ".join(f"{q(model._meta.db_table)}.{q(f.column)}" for f in model._meta.concrete_fields)

    m, tv, inv, ag = (table(model) for model in (Meeting, ToRVersion, Invitation, Agenda))
    c = column

    return (
        f"SELECT {columns(Meeting)}{{flags}}, {columns(ToRVersion)}, {columns(Invitation)}, {columns(Agenda)}"
        f" FROM {m} INNER JOIN {tv} ON {m}.{c(Meeting, 'tor_version')} = {tv}.{c(ToRVersion, 'id')}"
        f" LEFT OUTER JOIN {inv} ON {m}.{c(Meeting, 'id')} = {inv}.{c(Invitation, 'meeting')}"
        f" LEFT OUTER JOIN {ag} ON {m}.{c(Meeting, 'id')} = {ag}.{c(Agenda, 'meeting')}"
        f" WHERE ({{where}})"
    )


@lru_cache(maxsize=1)
def _upcoming_sql() -> str:
    """The query of :func:`upcoming_meetings_for_user` (see :func:`_meetings_select`)."""
    from meetings.models import Meeting

    m = table(Meeting)
    return f"{_meetings_select()} ORDER BY {m}.{column(Meeting, 'start_date')}, {m}.{column(Meeting, 'id')}"


@lru_cache(maxsize=8)
def _calendar_sql(n_flags: int) -> tuple[str, str, str]:
    """The halves of the query of :func:`calendar_meetings_for_user` and its order: the upcoming
    meetings (:func:`_meetings_select`, with ``{flags}`` and ``{where}``, then the last day on
    or after a date), the past ones (the same columns, only :data:`PAST_MEETING_FIELDS` of the
    meeting's not empty, with ``{where}``, then the last day before a date), and the order of
    both together (start, then id: by position, as a compound query is ordered)."""
    from agendas.models import Agenda
    from meetings.models import Invitation, Meeting, ToRVersion

    m, end = table(Meeting), column(Meeting, "end_date")
    fields = Meeting._meta.concrete_fields
    shown = [
        f"{m}.{connection.ops.quote_name(f.column)}" if f.attname in PAST_MEETING_FIELDS else "NULL" for f in fields
    ]
    others = n_flags + sum(len(model._meta.concrete_fields) for model in (ToRVersion, Invitation, Agenda))
    past = f"SELECT {', '.join(shown + ['NULL'] * others)} FROM {m} WHERE ({{where}}) AND {m}.{end} < %s"
    attnames = [f.attname for f in fields]
    order = f" ORDER BY {attnames.index('start_date') + 1}, {attnames.index('id') + 1}"
    return f"{_meetings_select()} AND {m}.{end} >= %s", past, order


def with_due_flags(meetings, user):
    """``meetings`` (a queryset, evaluated as it is: not inside another query) annotated with
    what the open actions need to know of each meeting before reading further, so that
    nothing is read for meetings that have none: ``due_open_proposals`` (an expert proposal
    in its silence procedure or in consultation, whoever may see it:
    :func:`open_proposals_for_user` then reads those ``user`` sees); for a delegate of a
    State, ``due_state_presents`` (its State presents a registered presentation) and
    ``due_state_involved`` (a registered presentation involves its State); for the Chair in
    office, ``due_draft_agenda_items`` (its draft agenda has items). Each an EXISTS on the
    meeting's row.

    Written out, because the ORM's EXISTS cost several times more to build than to run, on
    every What is due and calendar download (due/tests/test_due_queries.py pins them to the
    ORM's answers)."""
    from experts.enums import ProposalStatus

    sql = _flag_sql()
    flags = {
        "due_open_proposals": RawSQL(
            sql["due_open_proposals"], (ProposalStatus.IN_SILENCE.value, ProposalStatus.IN_CONSULTATION.value), BOOL
        )
    }
    if user.role == Role.DELEGATE and user.state_id:
        flags["due_state_presents"] = RawSQL(sql["due_state_presents"], (user.state_id, "registered"), BOOL)
        flags["due_state_involved"] = RawSQL(sql["due_state_involved"], ("registered", user.state_id), BOOL)
    if is_chair_in_office(user):
        flags["due_draft_agenda_items"] = RawSQL(sql["due_draft_agenda_items"], ("draft",), BOOL)
    return meetings.annotate(**flags)


BOOL = BooleanField()


@lru_cache(maxsize=1)
def _flag_sql() -> dict[str, str]:
    """The SQL of each flag of :func:`with_due_flags`, from the models' table and column names;
    the meeting is the row of the query's own meeting table."""
    from agendas.models import Agenda, AgendaItem
    from experts.models import ExpertProposal
    from meetings.models import Meeting
    from presentations.models import InvolvedState, Presentation

    t, c = table, column

    here = f"{t(Meeting)}.{c(Meeting, 'id')}"
    return {
        "due_open_proposals": (
            f"EXISTS (SELECT 1 FROM {t(ExpertProposal)} e WHERE e.{c(ExpertProposal, 'meeting')} = {here}"
            f" AND e.{c(ExpertProposal, 'status')} IN (%s, %s))"
        ),
        "due_state_presents": (
            f"EXISTS (SELECT 1 FROM {t(Presentation)} p WHERE p.{c(Presentation, 'meeting')} = {here}"
            f" AND p.{c(Presentation, 'presenting_state')} = %s AND p.{c(Presentation, 'status')} = %s)"
        ),
        "due_state_involved": (
            f"EXISTS (SELECT 1 FROM {t(InvolvedState)} i INNER JOIN {t(Presentation)} p"
            f" ON i.{c(InvolvedState, 'presentation')} = p.{c(Presentation, 'id')}"
            f" WHERE p.{c(Presentation, 'meeting')} = {here} AND p.{c(Presentation, 'status')} = %s"
            f" AND i.{c(InvolvedState, 'state')} = %s)"
        ),
        "due_draft_agenda_items": (
            f"EXISTS (SELECT 1 FROM {t(AgendaItem)} a INNER JOIN {t(Agenda)} g"
            f" ON a.{c(AgendaItem, 'agenda')} = g.{c(Agenda, 'id')}"
            f" WHERE g.{c(Agenda, 'meeting')} = {here} AND g.{c(Agenda, 'status')} = %s)"
        ),
    }


def _replied(user):
    """The replies of ``user``'s State to the presentation of the row outside (its
    ``presentation_id``), for an EXISTS."""
    from presentations.models import Reply

    return Reply.objects.filter(state_id=user.state_id, presentation_id=OuterRef("presentation_id"))


def _flagged(meetings, flag: str) -> list | None:
    """The ids of ``meetings`` whose :func:`with_due_flags` ``flag`` is set, or None if they
    were read without it (the caller then asks the database)."""
    if not all(hasattr(m, flag) for m in meetings):
        return None
    return [m.pk for m in meetings if getattr(m, flag)]


def open_proposals_for_user(user, meetings) -> list:
    """The expert proposals (ToR rule 8) of ``meetings`` that ``user`` sees and that are in their
    silence procedure or in consultation, with their objections; one query (two with the
    objections), none if ``meetings`` carry :func:`with_due_flags` and none has such a
    proposal; shared by the open actions and the timelines. Returns a list of
    :class:`experts.models.ExpertProposal` whose ``meeting`` is the one given."""
    from experts.enums import ProposalStatus
    from experts.queries import proposals_for_user

    by_id = {m.pk: m for m in meetings}
    flagged = _flagged(meetings, "due_open_proposals")
    if flagged is not None:
        by_id = {pk: by_id[pk] for pk in flagged}
    if not by_id:
        return []
    proposals = list(
        proposals_for_user(user)
        .filter(meeting_id__in=by_id, status__in=(ProposalStatus.IN_SILENCE, ProposalStatus.IN_CONSULTATION))
        .prefetch_related("objections")
        .order_by("pk")
    )
    for proposal in proposals:
        proposal.meeting = by_id[proposal.meeting_id]
    return proposals


def _agenda(meeting):
    try:
        return meeting.agenda
    except ObjectDoesNotExist:
        return None


def due_items_for_user(user, now: datetime.datetime | None = None, *, meetings=None, proposals=None) -> list[DueItem]:
    """The open actions of ``user``, soonest deadline first, for meetings that have not ended.

    Secretariat: send the invitation (rule 9), distribute the draft agenda (rule 10). Chair in
    office: approve a draft agenda that waits for it (rule 10). Delegates: respond to each
    presentation that involves their State and has no reply yet (rule 12, an obligation), and,
    if their State presents, notify involved States until T-30 (rule 12, if they wish).
    Takes a user with a verified session and the current aware instant; ``meetings`` (from
    :func:`upcoming_meetings_for_user`) and ``proposals`` (from :func:`open_proposals_for_user`)
    when the caller has them already, else they are read here. Returns :class:`DueItem` objects
    (their URLs are reversed when read). Only meetings from :func:`meetings_for_user` are
    considered. The number of queries does not depend on the number of meetings or items;
    meetings with :func:`with_due_flags` spare the queries their flags answer.
    """
    return [item for run in _due_runs(user, now, meetings, proposals, read_all=True) for item in run.items]


def due_page_items(
    user, now: datetime.datetime | None = None, *, meetings=None, proposals=None, first: int = 0
) -> "DueItems":
    """The open actions of :func:`due_items_for_user`, in the same order, as a sequence to cut
    into pages (:class:`DueItems`): with ``meetings`` from :func:`upcoming_meetings_for_user`,
    the presentations involving the user's State are counted (one query, grouped by meeting)
    and only those a page shows are read (one query). With ``first`` (the size of the first
    page, when that is the page shown), the count also reads the first ``first`` presentations
    of each meeting that wait for a reply, and for consent (:func:`_first_involved`): the first
    page then needs no other query, as it may show that many of one meeting."""
    return DueItems(_due_runs(user, now, meetings, proposals, read_all=False, first=first), user)


@dataclass
class _Run:
    """Open actions that share one place in the order (one deadline of one meeting): ``count``
    of them, either ``items`` or, for ``kind`` "reply" or "consent", the presentations involving
    the user's State, read when shown (:class:`DueItems`)."""

    meeting: object
    deadline: Deadline
    count: int
    items: list
    kind: str = ""
    passed: bool = False
    #: For ``kind`` "reply" or "consent", the ids of the first presentations when already read.
    first: tuple = ()

    def item(self, presentation_id: int) -> DueItem:
        if self.kind == "consent":
            link = ("presentations:detail", (presentation_id,), "#consent")
            return DueItem(self.meeting, self.deadline, CONSENT_ACTION, False, False, link)
        link = ("presentations:detail", (presentation_id,), "")
        subject = f"presentation-{presentation_id}"
        return DueItem(self.meeting, self.deadline, REPLY_ACTION, self.passed, True, link, subject)


class DueItems:
    """Open actions in order, cut into pages by :class:`django.core.paginator.Paginator`: its
    length is known without reading the presentations involving the user's State; a slice
    reads those it shows and no others, in one query (none if it shows none)."""

    def __init__(self, runs: list, user):
        self.runs, self.user = runs, user
        self.total = sum(run.count for run in runs)

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = range(self.total)[index]  # an IndexError as a list's
            return self[position : position + 1][0]
        start, stop, step = index.indices(self.total)
        if step != 1:
            raise ValueError("DueItems are cut into runs of items, without a step")
        shown, to_read, first = [], [], 0
        for run in self.runs:
            last = first + run.count
            if last > start and first < stop:
                a, b = max(start, first) - first, min(stop, last) - first
                if run.kind and b <= len(run.first):
                    shown.append((run, [run.item(p) for p in run.first[a:b]]))
                elif run.kind:
                    shown.append((run, len(to_read)))
                    to_read.append((run, a, b))
                else:
                    shown.append((run, run.items[a:b]))
            first = last
            if first >= stop:
                break
        read = _read_involved(self.user, to_read) if to_read else []
        out = []
        for run, part in shown:
            out.extend(part if isinstance(part, list) else [run.item(p) for p in read[part]])
        return out


def _read_involved(user, wanted) -> list[list[int]]:
    """The presentation ids of each ``(run, a, b)`` of ``wanted``: the ``a``-th to ``b``-th
    (excluded) of the presentations of its meeting that involve ``user``'s State and wait for
    its reply or consent (its kind), in the order :func:`due_items_for_user` gives; one query
    (on SQLite, one per run). Written out as :func:`_count_involved` is."""
    sql = _involved_sql()
    parts = []
    for n, (run, a, b) in enumerate(wanted):
        if run.kind == "reply":
            waits, param = sql["not_replied"], user.state_id
        else:
            waits, param = sql["consent"], "pending"
        parts.append(
            (
                f"SELECT {int(n)}, i.{sql['pk']}, i.{sql['presentation']} {sql['base']}"
                f" AND p.{sql['meeting']} = %s AND {waits} ORDER BY i.{sql['pk']} LIMIT {int(b - a)} OFFSET {int(a)}",
                [user.state_id, "registered", run.meeting.pk, param],
            )
        )
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        queries = [(" UNION ALL ".join(f"({q})" for q, _p in parts), [p for _q, ps in parts for p in ps])]
    else:
        queries = parts  # SQLite cannot slice the parts of a UNION: one query per run there
    found = [[] for _ in wanted]
    with connection.cursor() as cursor:
        for query, params in queries:
            cursor.execute(query, params)
            for n, pk, presentation_id in cursor.fetchall():
                found[n].append((pk, presentation_id))
    return [[presentation_id for _pk, presentation_id in sorted(run)] for run in found]


def _count_involved(user, meeting_ids) -> dict[int, tuple[int, int]]:
    """How many registered presentations of each of ``meeting_ids`` involve ``user``'s State
    and wait for its reply, and how many for its consent: {meeting id: (reply, consent)}, one
    query grouped by meeting.

    Written out, because the ORM query cost several times more to build than to run, on every
    What is due of a delegate (due/tests/test_due_queries.py checks the pages against the
    whole list, which the ORM reads)."""
    sql = _involved_sql()
    query = (
        f"SELECT p.{sql['meeting']}, COUNT(CASE WHEN {sql['not_replied']} THEN 1 END),"
        f" COUNT(CASE WHEN {sql['consent']} THEN 1 END) {sql['base']}"
        f" AND p.{sql['meeting']} IN ({', '.join(['%s'] * len(meeting_ids))}) GROUP BY p.{sql['meeting']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [user.state_id, "pending", user.state_id, "registered", *meeting_ids])
        return {meeting_id: (reply, consent) for meeting_id, reply, consent in cursor.fetchall()}


def _first_involved(user, meeting_ids, first: int) -> dict[int, tuple]:
    """:func:`_count_involved` and the ids of the first ``first`` presentations of each meeting
    that wait for the State's reply, and for its consent, in the order :func:`_read_involved`
    gives: {meeting id: (reply, consent, reply ids, consent ids)}, one query (a count and a row
    number over each meeting's presentations). Written out as :func:`_count_involved` is;
    due/tests/test_due_queries.py checks the first page against the whole list."""
    sql = _involved_sql()
    ids = ", ".join(["%s"] * len(meeting_ids))

    def part(kind: int, waits: str) -> str:
        return (
            f"SELECT p.{sql['meeting']} AS m, {kind} AS k, i.{sql['presentation']} AS pr, i.{sql['pk']} AS pk,"
            f" ROW_NUMBER() OVER (PARTITION BY p.{sql['meeting']} ORDER BY i.{sql['pk']}) AS n,"
            f" COUNT(*) OVER (PARTITION BY p.{sql['meeting']}) AS t"
            f" {sql['base']} AND p.{sql['meeting']} IN ({ids}) AND {waits}"
        )

    query = (
        f"SELECT m, k, pr, t FROM ({part(0, sql['not_replied'])} UNION ALL {part(1, sql['consent'])}) w"
        f" WHERE n <= %s ORDER BY m, k, pk"
    )
    params = [user.state_id, "registered", *meeting_ids, user.state_id]
    params += [user.state_id, "registered", *meeting_ids, "pending", int(first)]
    found = {}
    # its custom plan costs twice the generic one's run in planning alone (fresh or stale statistics)
    with connection.cursor() as cursor, generic_plan():
        cursor.execute(query, params)
        for meeting_id, kind, presentation_id, total in cursor.fetchall():
            counts = found.setdefault(meeting_id, [0, 0, [], []])
            counts[kind] = total
            counts[2 + kind].append(presentation_id)
    return {meeting_id: tuple(counts) for meeting_id, counts in found.items()}


def _all_involved(user, meeting_ids) -> list[tuple]:
    """The registered presentations of ``meeting_ids`` involving ``user``'s State, in the order of
    their involvement: (presentation id, meeting id, consent, replied by the State), one query.
    Written out as :func:`_count_involved` is (meetings without :func:`with_due_flags` are read
    through the ORM; due/tests/test_due_queries.py pins one to the other)."""
    sql = _involved_sql()
    query = (
        f"SELECT i.{sql['presentation']}, p.{sql['meeting']}, i.{sql['consent_column']},"
        f" CASE WHEN {sql['not_replied']} THEN 0 ELSE 1 END {sql['base']}"
        f" AND p.{sql['meeting']} IN ({', '.join(['%s'] * len(meeting_ids))}) ORDER BY i.{sql['pk']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [user.state_id, user.state_id, "registered", *meeting_ids])
        return [(pk, meeting_id, consent, bool(replied)) for pk, meeting_id, consent, replied in cursor.fetchall()]


@lru_cache(maxsize=1)
def _involved_sql() -> dict[str, str]:
    """The pieces of :func:`_count_involved` and :func:`_read_involved`, from the models' table
    and column names: ``base`` (the State's rows of registered presentations: two parameters,
    the State and the status), ``not_replied`` (the State has not replied: one, the State) and
    ``consent`` (consent is still asked: one, "pending")."""
    from presentations.models import InvolvedState, Presentation, Reply

    t, c = table, column

    return {
        "pk": c(InvolvedState, "id"),
        "presentation": c(InvolvedState, "presentation"),
        "meeting": c(Presentation, "meeting"),
        "base": (
            f"FROM {t(InvolvedState)} i INNER JOIN {t(Presentation)} p"
            f" ON i.{c(InvolvedState, 'presentation')} = p.{c(Presentation, 'id')}"
            f" WHERE i.{c(InvolvedState, 'state')} = %s AND p.{c(Presentation, 'status')} = %s"
        ),
        "not_replied": (
            f"NOT EXISTS (SELECT 1 FROM {t(Reply)} r WHERE r.{c(Reply, 'presentation')}"
            f" = i.{c(InvolvedState, 'presentation')} AND r.{c(Reply, 'state')} = %s)"
        ),
        "consent": f"i.{c(InvolvedState, 'consent')} = %s",
        "consent_column": c(InvolvedState, "consent"),
    }


def _due_runs(user, now, meetings, proposals, *, read_all: bool, first: int = 0) -> list[_Run]:
    """The open actions of :func:`due_items_for_user` as :class:`_Run` objects in order; with
    ``read_all`` (or meetings without :func:`with_due_flags`), each run's items are read; else,
    with ``first``, the first ``first`` of each run that waits for the State (:func:`_first_involved`)."""
    from agendas.models import AgendaItem
    from presentations.models import InvolvedState, Presentation

    now = now or clock.now()
    meetings = upcoming_meetings_for_user(user) if meetings is None else meetings
    ids = [m.pk for m in meetings]
    if not ids:
        return []
    is_chair = is_chair_in_office(user)
    waiting_for_chair = set()
    if is_chair:
        flagged = _flagged(meetings, "due_draft_agenda_items")
        waiting_for_chair = (
            set(flagged)
            if flagged is not None
            else set(
                AgendaItem.objects.filter(agenda__meeting_id__in=ids, agenda__status="draft")
                .values_list("agenda__meeting_id", flat=True)
                .distinct()
            )
        )
    to_reply, presenting, to_consent, counted, first_ids = {}, set(), {}, False, {}
    if user.role == Role.DELEGATE and user.state_id:
        involved_in = _flagged(meetings, "due_state_involved")
        if not read_all and involved_in is not None:
            # How many wait in each meeting, not which: a page reads those it shows.
            counted = True
            if involved_in and first:
                for meeting_id, (reply, consent, replies, consents) in _first_involved(
                    user, involved_in, first
                ).items():
                    to_reply[meeting_id], to_consent[meeting_id] = reply, consent
                    first_ids[meeting_id, "reply"], first_ids[meeting_id, "consent"] = tuple(replies), tuple(consents)
            else:
                for meeting_id, (reply, consent) in (_count_involved(user, involved_in) if involved_in else {}).items():
                    to_reply[meeting_id], to_consent[meeting_id] = reply, consent
        else:
            rows = (
                (_all_involved(user, involved_in) if involved_in else [])
                if involved_in is not None
                else InvolvedState.objects.filter(
                    state_id=user.state_id, presentation__meeting_id__in=ids, presentation__status="registered"
                )
                .annotate(replied=Exists(_replied(user)))
                .values_list("presentation_id", "presentation__meeting_id", "consent", "replied")
                .order_by("pk")
            )
            for presentation_id, meeting_id, consent, replied in rows:
                if not replied:
                    to_reply.setdefault(meeting_id, []).append(presentation_id)
                if consent == "pending":
                    to_consent.setdefault(meeting_id, []).append(presentation_id)
        presenting = _flagged(meetings, "due_state_presents")
        presenting = set(
            Presentation.objects.filter(
                presenting_state_id=user.state_id, meeting_id__in=ids, status="registered"
            ).values_list("meeting_id", flat=True)
            if presenting is None
            else presenting
        )
    runs = []

    def add(meeting, deadline, *item):
        runs.append(_Run(meeting, deadline, 1, [DueItem(meeting, deadline, *item)]))

    role = user.role
    is_secretariat, is_president = role == Role.SECRETARIAT, role == Role.CSP_PRESIDENT
    for meeting in meetings:
        agenda = _agenda(meeting)
        invitation = meeting.invitation
        pk = meeting.pk
        for deadline in meeting_calendar(meeting):
            key, passed = deadline.key, now > deadline.due_at
            if is_secretariat and key in SECRETARIAT_ACTIONS:
                done = invitation.is_sent if key == DeadlineKey.INVITATION else bool(agenda and agenda.is_distributed)
                if not done:
                    page = "meetings:invitation" if key == DeadlineKey.INVITATION else "meetings:agenda"
                    add(meeting, deadline, SECRETARIAT_ACTIONS[key], passed, True, (page, (pk,), ""))
            if is_chair and key == DeadlineKey.DRAFT_AGENDA and pk in waiting_for_chair:
                link = ("meetings:agenda", (pk,), "")
                add(meeting, deadline, CHAIR_APPROVAL, passed, True, link, "chair-approval")
            if key == DeadlineKey.INVITATION and (is_president or is_chair) and not invitation.is_sent:
                if is_president and not meeting.is_convened:
                    add(meeting, deadline, CONVENING_ACTION, passed, True, ("meetings:detail", (pk,), ""))
                if is_chair and invitation.chair_consulted_at is None:
                    link = ("meetings:invitation", (pk,), "")
                    add(meeting, deadline, CONSULTATION_ACTION, passed, True, link)
            if key == DeadlineKey.INVOLVED_STATE_RESPONSE:
                for kind, waiting in (("consent", to_consent), ("reply", to_reply)):
                    found = waiting.get(pk)
                    if not found:
                        continue
                    run = _Run(meeting, deadline, 0, [], kind, passed, first_ids.get((pk, kind), ()))
                    if counted:
                        run.count = found
                    else:
                        run.items = [run.item(presentation_id) for presentation_id in found]
                        run.count, run.kind = len(run.items), ""
                    runs.append(run)
            if key == DeadlineKey.INVOLVED_STATE_NOTICE and pk in presenting and not passed:
                add(meeting, deadline, NOTICE_WINDOW, False, False, ("presentations:list", (), f"?meeting={pk}"))
    if user.role == Role.DELEGATE and user.state_id:
        if proposals is None:
            proposals = open_proposals_for_user(user, meetings)
        for item in _expert_items(user, meetings, proposals, presenting, is_chair, now):
            runs.append(_Run(item.meeting, item.deadline, 1, [item]))
    return sorted(runs, key=lambda r: (r.deadline.due_at, r.meeting.pk))


def _expert_items(user, meetings, proposals, presenting, is_chair, now) -> list[DueItem]:
    """ToR rule 8 for a delegate: propose experts until T-30 (if its State presents, i.e. its
    meeting id is in ``presenting``); object to a proposal during its silence procedure (States
    Parties, if they wish); resolve an objection by T-20 (the proposing and the objecting
    State); for the Chair in office, record the procedural decision on a referred proposal at
    the meeting. ``proposals`` come from :func:`open_proposals_for_user`."""
    from experts.enums import ProposalStatus
    from experts.queries import proposals_for_user
    from experts.services import silence_deadline

    by_id = {m.pk: m for m in meetings}
    items = []
    if is_chair:
        for proposal in proposals_for_user(user).filter(meeting_id__in=by_id, status=ProposalStatus.REFERRED):
            meeting = by_id[proposal.meeting_id]
            resolution = meeting_deadline(meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION)
            link = ("experts:detail", (proposal.pk,), "")
            items.append(
                DueItem(
                    meeting, resolution, DECIDE_REFERRAL, False, True, link, subject=f"expert-proposal-{proposal.pk}"
                )
            )
    for meeting_id in sorted(presenting):
        meeting = by_id[meeting_id]
        cutoff = meeting_deadline(meeting, DeadlineKey.EXPERT_PROPOSAL)
        if not cutoff.has_passed(now):
            link = ("presentations:list", (), f"?meeting={meeting_id}")
            items.append(DueItem(meeting, cutoff, PROPOSE_WINDOW, False, False, link))
    is_party = user.state.is_party(clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE))
    for proposal in proposals:
        link = ("experts:detail", (proposal.pk,), "")
        objecting = {o.state_id for o in proposal.objections.all() if o.withdrawn_at is None}
        objected_ever = {o.state_id for o in proposal.objections.all()}
        if (
            is_party
            and proposal.proposing_state_id != user.state_id
            and user.state_id not in objected_ever
            and now <= proposal.silence_ends_at
        ):
            items.append(
                DueItem(
                    proposal.meeting,
                    silence_deadline(proposal),
                    OBJECT_WINDOW,
                    False,
                    False,
                    link,
                    subject=f"expert-proposal-{proposal.pk}",
                )
            )
        if objecting and (user.state_id in objecting or user.state_id == proposal.proposing_state_id):
            resolution = meeting_deadline(proposal.meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION)
            items.append(
                DueItem(
                    proposal.meeting,
                    resolution,
                    RESOLVE_OBJECTION,
                    resolution.has_passed(now),
                    True,
                    link,
                    subject=f"expert-proposal-{proposal.pk}",
                )
            )
    return items


def silence_deadlines_for_user(user, meetings, proposals=None) -> dict:
    """The silence procedures (ToR rule 8) still running in ``meetings`` that ``user`` sees, as
    {meeting id: [Deadline, ...]}, for the timelines; ``proposals`` from
    :func:`open_proposals_for_user` when the caller has them (of these meetings or more)."""
    from meetings.deadlines import silence_procedure_deadline

    by_id = {m.pk: m for m in meetings}
    if proposals is None:
        proposals = open_proposals_for_user(user, meetings)
    found = {}
    for proposal in proposals:
        meeting = by_id.get(proposal.meeting_id)
        if meeting is not None:
            found.setdefault(meeting.pk, []).append(silence_procedure_deadline(meeting, proposal.distributed_at))
    return found


#: How each deadline status is drawn: a shape (so the picture needs no colour) and a CSS class.
STATUS_SHAPES = {
    DeadlineStatus.MET: "done",
    DeadlineStatus.DONE_LATE: "done",
    DeadlineStatus.MISSED: "missed",
    DeadlineStatus.UPCOMING: "upcoming",
    DeadlineStatus.CLOSED: "closed",
}
SHAPE_LABELS = {
    "done": _("● done"),
    "missed": _("◆ missed"),
    "upcoming": _("○ upcoming"),
    "closed": _("□ closed (not an obligation)"),
}
#: The picture, in SVG user units: marks stack upwards from the axis so none hides another.
WIDTH, HEIGHT, MARGIN, AXIS_Y = 640, 156, 24, 110
LEVELS = (90, 66, 42)
MARK_GAP = 22
#: Days shown before the first deadline and after the meeting starts.
LEAD_DAYS, TAIL_DAYS = 5, 3
#: Today is drawn to scale if at most this many days before the first deadline, else at the left edge.
MAX_EXTENSION_DAYS = 120


@dataclass(frozen=True)
class TimelineMark:
    x: float
    y: int
    deadline: Deadline
    label: str
    number: int
    status: str
    status_label: str
    shape: str

    @property
    def path(self) -> str:
        """SVG path of the mark's shape around (x, y): circle (done, upcoming), diamond (missed),
        square (closed)."""
        x, y = self.x, self.y
        if self.shape == "missed":
            return f"M{x} {y - 13}L{x + 13} {y}L{x} {y + 13}L{x - 13} {y}Z"
        if self.shape == "closed":
            return f"M{x - 9} {y - 9}h18v18h-18Z"
        return f"M{x - 10} {y}a10 10 0 1 0 20 0a10 10 0 1 0 -20 0Z"


@dataclass(frozen=True)
class TimelineTick:
    x: float
    date: datetime.date
    labelled: bool


@dataclass(frozen=True)
class Timeline:
    """A meeting's ToR deadlines drawn to scale (SVG user units; ``x`` grows with the date)."""

    meeting: object
    width: int
    height: int
    axis_y: int
    axis_from: float
    axis_to: float
    first_day: datetime.date
    last_day: datetime.date
    today: datetime.date
    today_x: float | None
    today_before_axis: bool
    start_x: float
    marks: list
    ticks: list
    shapes: list


def deadline_statuses(meeting, deadlines, now: datetime.datetime) -> dict[str, str]:
    """The :class:`DeadlineStatus` of each of ``meeting``'s ``deadlines`` at the aware instant ``now``,
    by deadline key: done (on time or late), missed or upcoming for the duties the enforcement
    engine tracks (ToR rules 9, 10); upcoming or closed for the others."""
    from enforcement.registry import DUTIES

    done = {key: duty.done_at(meeting) for key, duty in DUTIES.items() if duty.escalate}
    return {d.key: deadline_status(d, done.get(d.key), now) for d in deadlines}


def _tick_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The days from ``first`` to ``last`` (both included) that get a tick: every Monday and
    every first of a month, in order, each once; stepping a week and a month at a time."""
    mondays = first + datetime.timedelta(days=-first.weekday() % 7)
    month = first if first.day == 1 else (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    days = set()
    while mondays <= last:
        days.add(mondays)
        mondays += datetime.timedelta(days=7)
    while month <= last:
        days.add(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return sorted(days)


def timeline(meeting, now: datetime.datetime | None = None, extra=()) -> Timeline:
    """The picture of ``meeting``'s ToR deadlines (rules 8, 9, 10, 12) at the aware instant ``now``.

    The axis runs from a few days before the first deadline to just after the meeting's start,
    widened to take in today when today is at most ``MAX_EXTENSION_DAYS`` earlier (or later);
    dates are days in the procedural time zone. Each deadline is drawn with the shape of its
    status; marks closer than ``MARK_GAP`` stack upwards. ``extra`` adds deadlines that are not
    counted back from the meeting (the end of a silence procedure, ToR rule 8). Returns a
    :class:`Timeline`.
    """
    now = now or clock.now()
    calendar = meeting_calendar(meeting)
    by_key = deadline_statuses(meeting, calendar, now)
    deadlines = (*calendar, *extra)
    statuses = tuple(
        by_key[d.key] if number < len(calendar) else deadline_status(d, None, now) for number, d in enumerate(deadlines)
    )
    today = now.astimezone(ZoneInfo(meeting.procedural_time_zone)).date()
    layout = _layout(deadlines, statuses, today, meeting.start_date, meeting.end_date, get_language())
    first, last, today_x, start_x, marks, ticks, shapes = layout
    return Timeline(
        meeting=meeting,
        width=WIDTH,
        height=HEIGHT,
        axis_y=AXIS_Y,
        axis_from=MARGIN,
        axis_to=WIDTH - MARGIN,
        first_day=first,
        last_day=last,
        today=today,
        today_x=today_x,
        today_before_axis=today < first,
        start_x=start_x,
        marks=list(marks),
        ticks=list(ticks),
        shapes=list(shapes),
    )


@lru_cache(maxsize=1024)
def _layout(deadlines: tuple, statuses: tuple, today, start_date, end_date, language) -> tuple:
    """Where :func:`timeline` draws ``deadlines`` (each with its status in ``statuses``) for a
    meeting from ``start_date`` to ``end_date`` on ``today``: ``(first day, last day, x of
    today or None, x of the start, marks, ticks, shapes)``. A pure function of its arguments
    (``language`` is the active one, in which the labels are written, passed so that it is in
    the key), so its answers are kept per process: the same timelines are drawn for many users,
    and change when a deadline passes or the day does."""
    first = min(d.due_date for d in deadlines) - datetime.timedelta(days=LEAD_DAYS)
    last = max(start_date, end_date) + datetime.timedelta(days=TAIL_DAYS)
    if first - datetime.timedelta(days=MAX_EXTENSION_DAYS) <= today < first:
        first = today - datetime.timedelta(days=2)
    if last < today:
        last = today + datetime.timedelta(days=2)
    span = (last - first).days
    axis_from, axis_to = MARGIN, WIDTH - MARGIN

    def x(day: datetime.date) -> float:
        return round(axis_from + (axis_to - axis_from) * (day - first).days / span, 1)

    marks, placed = [], []
    for number, d in sorted(enumerate(deadlines, start=1), key=lambda nd: (nd[1].due_date, nd[0])):
        mx = x(d.due_date)
        level = next(
            (k for k in range(len(LEVELS)) if all(abs(mx - px) >= MARK_GAP for px, pk in placed if pk == k)),
            len(LEVELS) - 1,
        )
        placed.append((mx, level))
        status = statuses[number - 1]
        marks.append(
            TimelineMark(
                mx,
                LEVELS[level],
                d,
                str(d.label),
                number,
                status,
                str(DeadlineStatus(status).label),
                STATUS_SHAPES[status],
            )
        )
    marks.sort(key=lambda m: m.number)
    ticks = tuple(TimelineTick(x(day), day, day.day == 1) for day in _tick_days(first, last))
    used = {m.shape for m in marks}
    shapes = tuple((shape, SHAPE_LABELS[shape]) for shape in SHAPE_LABELS if shape in used)
    return first, last, x(today) if first <= today <= last else None, x(start_date), tuple(marks), ticks, shapes


# --- Bilateral matters: no meeting, but someone must answer (ToR rules 15, 16, 22) ------------

USE_ANSWER_ACTION = _("Answer a request for operational use of information your State provided")
CONCERN_ANSWER_ACTION = _("Answer a disclosure concern raised with your State")
LIFT_OBJECTION_WINDOW = _("Object, if your State wishes, to lifting a classification")
BRIEFING_DECISION_ACTION = _("Decide on a briefing outline: agree or object")


@dataclass(frozen=True)
class BilateralItem:
    """An open bilateral action: what, the rule, since when, and the deadline (an aware instant,
    or None where the ToR set none). ``link`` is reversed when :attr:`url` is read."""

    action: str
    rule: str
    since: datetime.datetime
    ends_at: datetime.datetime | None
    obligation: bool
    link: tuple
    procedural_time_zone: str = ""

    @cached_property
    def url(self) -> str:
        name, args, suffix = self.link
        return path_to(name, *args) + suffix


def bilateral_items_for_user(user, now: datetime.datetime | None = None, *, limit: int = DUE_PAGE_SIZE, waiting=None):
    """The bilateral matters waiting for ``user``'s own answer, oldest first: an operational-use
    request to its State as provider (ToR rule 16), a disclosure concern raised with its State
    (rule 15), a proposal to lift a classification its State may object to (rule 15, if it
    wishes), a briefing outline its State has not decided on (rule 22). Only for delegates of
    an eligible State, through each app's ``*_for_user()`` query; nobody else has any.

    Returns ``(items, total)``: at most ``limit`` :class:`BilateralItem` of each kind, and the
    number of all of them. One query asks which kinds have anything waiting for the State at
    all; each kind that has is then read through its ``*_for_user()`` query, its first
    ``limit`` rows and its total in one query: one to five queries whatever the number of
    matters. ``waiting``: the answer of :func:`waiting_for_state` at ``now`` when the caller
    has it already (:func:`carried_waiting`), sparing the first query.
    """
    from briefings.enums import BriefingStatus
    from briefings.models import BriefingDecision
    from briefings.queries import briefings_for_user
    from exchange.enums import LiftStatus
    from exchange.models import LiftObjection
    from exchange.queries import (
        concerns_for_user,
        is_delegate_of_eligible_state,
        lift_proposals_for_user,
        use_requests_for_user,
    )
    from meetings.models import DelegationRegistration

    now = now or clock.now()
    if not is_delegate_of_eligible_state(user):
        return [], 0
    state_id = user.state_id
    zone = settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE
    waiting = waiting_for_state(state_id, now) if waiting is None else waiting
    if not any(waiting.values()):
        return [], 0

    def first_rows(queryset, order, *fields):
        """The first ``limit`` rows of ``queryset`` in ``order`` and the number of all its rows,
        in one query."""
        rows = list(queryset.annotate(_total=Window(Count("pk"))).order_by(*order).values("_total", *fields)[:limit])
        return rows, rows[0]["_total"] if rows else 0

    items, total = [], 0
    if waiting.get("uses"):
        use_open = {"record__provider_state_id": state_id, "answered_at__isnull": True}
        rows, n = first_rows(
            use_requests_for_user(user).filter(**use_open), ("requested_at", "pk"), "record_id", "requested_at"
        )
        total += n
        items += [
            BilateralItem(
                USE_ANSWER_ACTION, "16", u["requested_at"], None, True, ("exchange:detail", (u["record_id"],), "#use")
            )
            for u in rows
        ]
    if waiting.get("concerns"):
        concern_open = {"concerned_state_id": state_id, "answered_at__isnull": True}
        rows, n = first_rows(concerns_for_user(user).filter(**concern_open), ("raised_at", "pk"), "pk", "raised_at")
        total += n
        items += [
            BilateralItem(CONCERN_ANSWER_ACTION, "15", c["raised_at"], None, True, ("exchange:concern", (c["pk"],), ""))
            for c in rows
        ]
    if waiting.get("lifts"):
        lift_open = {"status": LiftStatus.OPEN, "objections_close_at__gte": now}
        not_objected = ~Exists(LiftObjection.objects.filter(proposal=OuterRef("pk"), state_id=state_id))
        rows, n = first_rows(
            lift_proposals_for_user(user).filter(not_objected, **lift_open).exclude(provider_state_id=state_id),
            ("objections_close_at", "pk"),
            "proposed_at",
            "objections_close_at",
            "record_id",
            "presentation_id",
            "document_id",
        )
        total += n
        for p in rows:
            kind = "record" if p["record_id"] else "presentation" if p["presentation_id"] else "document"
            link = ("exchange:classification", (kind, p[f"{kind}_id"]), "")
            ends = p["objections_close_at"]
            items.append(BilateralItem(LIFT_OBJECTION_WINDOW, "15", p["proposed_at"], ends, False, link, zone))
    if waiting.get("briefings"):
        took_part = DelegationRegistration.objects.filter(state_id=state_id).values("meeting_id")
        briefing_open = {"status": BriefingStatus.DRAFT, "meeting_id__in": took_part}
        not_decided = ~Exists(
            BriefingDecision.objects.filter(briefing=OuterRef("pk"), state_id=state_id, version=OuterRef("version"))
        )
        rows, n = first_rows(
            briefings_for_user(user).filter(not_decided, **briefing_open),
            ("edited_at", "pk"),
            "pk",
            "edited_at",
            "version",
            "decision_period_version",
            "decision_period_ends_at",
            "meeting__procedural_time_zone",
        )
        total += n
        for b in rows:
            ends = b["decision_period_ends_at"] if b["decision_period_version"] == b["version"] else None
            link = ("briefings:detail", (b["pk"],), "")
            items.append(
                BilateralItem(
                    BRIEFING_DECISION_ACTION, "22", b["edited_at"], ends, True, link, b["meeting__procedural_time_zone"]
                )
            )
    return sorted(
        items, key=lambda i: (i.ends_at or datetime.datetime.max.replace(tzinfo=datetime.UTC), i.since)
    ), total


def waiting_for_state(state_id: int, now: datetime.datetime) -> dict:
    """Which kinds of bilateral matter wait for the State ``state_id`` at all at the aware
    instant ``now``, whoever may see them: ``{"uses", "concerns", "lifts", "briefings"}``, each
    True or False, in one query. Each kind's conditions as :func:`bilateral_items_for_user`
    reads it, without the access filter (a superset of what a user sees), so a kind with
    nothing waiting costs no access query.

    Written out, because the ORM query cost several times more to build than to run, on every
    What is due of a delegate (due/tests/test_bilateral.py pins it to the ORM's answers)."""
    by_kind = _waiting_params(state_id, now)
    with connection.cursor() as cursor:
        cursor.execute(_waiting_sql(), [p for kind in WAITING_KINDS for p in by_kind[kind]])
        row = cursor.fetchone()
    return dict(zip(WAITING_KINDS, map(bool, row), strict=True))


def carried_waiting(meetings) -> dict | None:
    """What :func:`waiting_for_state` answers, as the rows of ``meetings`` carry it (read by
    :func:`upcoming_meetings_for_user` with ``waiting_at``), or None if they do not (none
    was read, or they were read without it)."""
    if not meetings or not all(hasattr(meetings[0], f"due_waiting_{kind}") for kind in WAITING_KINDS):
        return None
    return {kind: getattr(meetings[0], f"due_waiting_{kind}") for kind in WAITING_KINDS}


WAITING_KINDS = ("uses", "concerns", "lifts", "briefings")


def _waiting_params(state_id: int, now: datetime.datetime, conn=connection) -> dict[str, list]:
    """The parameters of each kind's condition in :func:`_waiting_parts`."""
    from briefings.enums import BriefingStatus
    from exchange.enums import LiftStatus

    moment = conn.ops.adapt_datetimefield_value(now)
    return {
        "uses": [state_id],
        "concerns": [state_id],
        "lifts": [LiftStatus.OPEN.value, moment, state_id, state_id],
        "briefings": [BriefingStatus.DRAFT.value, state_id, state_id],
    }


@lru_cache(maxsize=1)
def _waiting_sql() -> str:
    """The SQL of :func:`waiting_for_state`, from the models' own table and column names."""
    return "SELECT " + ", ".join(_waiting_parts()[kind] for kind in WAITING_KINDS)


@lru_cache(maxsize=1)
def _waiting_parts() -> dict[str, str]:
    """Each kind's EXISTS of :func:`waiting_for_state` (it refers to no outer row)."""
    from briefings.models import Briefing, BriefingDecision
    from exchange.models import DisclosureConcern, LiftObjection, LiftProposal, OperationalUseRequest, Record
    from meetings.models import DelegationRegistration

    t, c = table, column

    use, record, concern = OperationalUseRequest, Record, DisclosureConcern
    lift, objection, briefing, decision, took_part = (
        LiftProposal,
        LiftObjection,
        Briefing,
        BriefingDecision,
        DelegationRegistration,
    )
    return {
        "uses": (
            f"EXISTS (SELECT 1 FROM {t(use)} u"
            f" INNER JOIN {t(record)} r ON u.{c(use, 'record')} = r.{c(record, 'id')}"
            f" WHERE u.{c(use, 'answered_at')} IS NULL AND r.{c(record, 'provider_state')} = %s)"
        ),
        "concerns": (
            f"EXISTS (SELECT 1 FROM {t(concern)} c WHERE c.{c(concern, 'answered_at')} IS NULL"
            f" AND c.{c(concern, 'concerned_state')} = %s)"
        ),
        "lifts": (
            f"EXISTS (SELECT 1 FROM {t(lift)} p WHERE p.{c(lift, 'status')} = %s"
            f" AND p.{c(lift, 'objections_close_at')} >= %s"
            f" AND NOT (p.{c(lift, 'provider_state')} = %s) AND NOT EXISTS (SELECT 1 FROM {t(objection)} o"
            f" WHERE o.{c(objection, 'proposal')} = p.{c(lift, 'id')} AND o.{c(objection, 'state')} = %s))"
        ),
        "briefings": (
            f"EXISTS (SELECT 1 FROM {t(briefing)} b WHERE b.{c(briefing, 'status')} = %s"
            f" AND b.{c(briefing, 'meeting')} IN (SELECT d.{c(took_part, 'meeting')} FROM {t(took_part)} d"
            f" WHERE d.{c(took_part, 'state')} = %s) AND NOT EXISTS (SELECT 1 FROM {t(decision)} x"
            f" WHERE x.{c(decision, 'briefing')} = b.{c(briefing, 'id')} AND x.{c(decision, 'state')} = %s"
            f" AND x.{c(decision, 'version')} = b.{c(briefing, 'version')}))"
        ),
    }
