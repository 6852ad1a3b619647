"""The one way to reach presentations, their replies and documents (ToR rules 12, 14)."""

from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections

from accounts.access import granted_sql, granted_to_user, granted_to_user_groups
from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief.sql import column, reads, split_row, table
from meetings.models import MeetingGroupObjectPermission
from meetings.queries import in_list_order, in_meetings_for_user, is_chair_in_office, meeting_scope
from states.names import StateRef

from .models import Presentation, PresentationGroupObjectPermission, PresentationUserObjectPermission

VIEW_PRESENTATION = "presentations.view_presentation"


def presentations_for_user(user):
    """Presentations ``user`` may see, as a queryset (empty without a verified session).

    Secretariat staff and the Chair in office see every presentation of the meetings they
    see. A delegate sees those whose view permission went to its State's group: the
    presenting State, the involved States and the States registered to take part in that
    meeting (django-guardian, direct foreign keys, no superuser or global shortcut). A
    non-state expert sees the one presentation granted to its own user, while it sees that
    meeting (ToR rules 8, 15). The CSP President, national authority users and everybody
    else see none.
    """
    if user.is_authenticated and user.is_superuser:
        return Presentation.objects.none()
    if user.is_authenticated and (user.role == Role.SECRETARIAT or is_chair_in_office(user)):
        return in_meetings_for_user(Presentation.objects.all(), user)
    if user.is_authenticated and user.role == Role.DELEGATE:
        granted = granted_to_user_groups(
            Presentation.objects.all(), PresentationGroupObjectPermission, "view_presentation", user
        )
        return in_meetings_for_user(granted, user)
    if user.is_authenticated and user.role == Role.EXPERT:
        granted = granted_to_user(
            Presentation.objects.all(), PresentationUserObjectPermission, "view_presentation", user
        )
        return in_meetings_for_user(granted, user)
    return Presentation.objects.none()


def written_scope(user) -> str | None:
    """How :func:`presentations_for_user` narrows for ``user``, for the written-out reads:
    "all" (every presentation), "meeting" (those of the meetings granted to the user's groups),
    "both" (those granted to the user's groups, of a meeting granted to them), or None: the ORM
    reads it (experts, and everyone who sees no presentation). The same branches, in the same
    order; presentations/tests/test_page_read.py pins the reads to the ORM's answers."""
    if not user.is_authenticated or user.is_superuser:
        return None
    if user.role == Role.SECRETARIAT or is_chair_in_office(user):
        return {"all": "all", "granted": "meeting"}.get(meeting_scope(user))
    if user.role == Role.DELEGATE and meeting_scope(user) == "granted":
        return "both"
    return None


def access_sql(connection, user, scope: str, alias: str) -> tuple[str, tuple]:
    """The condition of :func:`presentations_for_user` for ``user`` with ``scope`` (of
    :func:`written_scope`) on the presentation row ``alias`` of a written-out query, as SQL text
    beginning with `` AND `` (nothing for "all"), and its parameters.

    Each EXISTS is tested ``IS TRUE`` (the same answer: an EXISTS is never null), so that
    PostgreSQL checks it on the one row read instead of joining its table into the query:
    with the page's joins, planning the semi-joins cost twice what the query took to run."""
    if scope == "all":
        return "", ()
    q = connection.ops.quote_name
    own, meeting = (f"{alias}.{q(Presentation._meta.get_field(n).column)}" for n in ("id", "meeting"))
    sql, params = granted_sql(connection, MeetingGroupObjectPermission, "view_meeting", user.pk, "group", meeting)
    if scope == "both":
        mine, mine_params = granted_sql(
            connection, PresentationGroupObjectPermission, "view_presentation", user.pk, "group", own
        )
        return f" AND ({mine}) IS TRUE AND ({sql}) IS TRUE", (*mine_params, *params)
    return f" AND ({sql}) IS TRUE", params


def presentation_page_or_404(user, pk):
    """The presentation ``pk`` for its page, if ``user`` may see it, with its meeting (and the
    meeting's ToR version) and presenting State, and its involved States with their States, in
    the model's order: ``(presentation, involved)``. Else Http404
    (:class:`accounts.security.DeniedAccess` when it exists).

    For the Secretariat, delegates and the Chair one written-out query around the condition of
    :func:`presentations_for_user` (:func:`access_sql`): built by the ORM, the two reads cost
    several times more than they take to run. Anyone else, and any miss, goes through the ORM."""
    scope = written_scope(user)
    if scope is not None and isinstance(pk, int):
        read = _read_page(user, pk, scope)
        if read is not None:
            return read
    presentation = object_for_user_or_404(
        presentations_for_user(user).select_related("meeting__tor_version", "presenting_state"), pk=pk
    )
    return presentation, list(presentation.involved_states.select_related("state"))


_page_sql_cache: dict = {}


def _page_sql(connection):
    key = (connection.alias, connection.vendor)
    if key not in _page_sql_cache:
        from meetings.models import Meeting
        from states.models import State

        from .models import InvolvedState

        q = connection.ops.quote_name
        tor = Meeting._meta.get_field("tor_version").related_model
        parts = [
            ("p", Presentation, None),
            ("m", Meeting, None),
            ("t", tor, None),
            ("s", State, None),
            ("i", InvolvedState, None),
            ("si", State, None),
        ]
        parts_read, columns = reads(connection, parts)

        def c(model, name):
            return q(model._meta.get_field(name).column)

        sql = (
            f"SELECT {', '.join(columns)} FROM {q(Presentation._meta.db_table)} p"
            f" INNER JOIN {q(Meeting._meta.db_table)} m ON m.{c(Meeting, 'id')} = p.{c(Presentation, 'meeting')}"
            f" INNER JOIN {q(tor._meta.db_table)} t ON t.{c(tor, 'id')} = m.{c(Meeting, 'tor_version')}"
            f" INNER JOIN {q(State._meta.db_table)} s ON s.{c(State, 'id')} = p.{c(Presentation, 'presenting_state')}"
            f" LEFT JOIN {q(InvolvedState._meta.db_table)} i"
            f" ON i.{c(InvolvedState, 'presentation')} = p.{c(Presentation, 'id')}"
            f" LEFT JOIN {q(State._meta.db_table)} si ON si.{c(State, 'id')} = i.{c(InvolvedState, 'state')}"
            f" WHERE p.{c(Presentation, 'id')} = %s{{access}}"
            # the involved States in the model's order (by State name), ties by id
            f" ORDER BY si.{c(State, 'name')}, i.{c(InvolvedState, 'id')}"
        )
        _page_sql_cache[key] = (sql, parts_read)
    return _page_sql_cache[key]


def _read_page(user, pk: int, scope: str):
    from meetings.models import Meeting

    from .models import InvolvedState

    connection = connections[Presentation.objects.db]
    sql, parts_read = _page_sql(connection)
    access, access_params = access_sql(connection, user, scope, "p")
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{access}", access), [pk, *access_params])
        rows = cursor.fetchall()
    if not rows:
        return None
    presentation = None
    involved = []
    for row in rows:
        (p, meeting, tor, state, inv, inv_state), _rest = split_row(connection, parts_read, row)
        if presentation is None:
            presentation = p
            Meeting.tor_version.field.set_cached_value(meeting, tor)
            Presentation.meeting.field.set_cached_value(presentation, meeting)
            Presentation.presenting_state.field.set_cached_value(presentation, state)
        if inv is not None:
            InvolvedState.state.field.set_cached_value(inv, inv_state)
            InvolvedState.presentation.field.set_cached_value(inv, presentation)
            involved.append(inv)
    return presentation, involved


class ListRow(NamedTuple):
    """What a row of the list of presentations shows: its title, kind and marking, its
    meeting's title, its presenting State and how many involved States and replies it has."""

    pk: int
    title: str
    kind: str
    classification: int
    meeting_title: str
    state: StateRef
    n_involved: int
    n_replies: int


class ListRows:
    """The presentations of ``visible`` (a queryset of :func:`presentations_for_user`, perhaps
    narrowed by a search or a meeting) as rows of the list, in the one list order of their
    meetings (:func:`meetings.queries.in_list_order`), then by registration. A slice reads the
    rows it shows and no others, in one query; :meth:`count` counts them all.

    Written out around the ORM's own condition of ``visible`` (who may see what stays in
    :func:`presentations_for_user`): the ORM query of the same rows (:meth:`orm_rows`) cost more
    to build than to run, and on PostgreSQL it sorted every visible presentation to show 25;
    here each meeting, in list order, gives its presentations until the page is full.
    presentations/tests/test_list_rows.py pins it to the ORM's answers."""

    def __init__(self, visible, today):
        self.visible, self.today = visible, today

    def count(self) -> int:
        return self.visible.count()

    def __getitem__(self, index: slice) -> list[ListRow]:
        start, stop = index.start or 0, index.stop
        query = self.visible.query
        if query.is_empty():
            return []
        joined = [alias for alias, n in query.alias_refcount.items() if n and alias != query.base_table]
        if joined or query.distinct or query.combinator:
            return self.orm_rows()[start:stop]  # a condition on another table: as the ORM reads it
        connection = connections[self.visible.db]
        try:
            where, params = query.get_compiler(connection=connection).compile(query.where)
        except EmptyResultSet:
            return []
        except FullResultSet:
            where, params = "1 = 1", []
        today = connection.ops.adapt_datefield_value(self.today)
        sql = _list_sql(connection.vendor == "postgresql").replace("{where}", where)
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, today, today, *params, stop - start, start])
            rows = cursor.fetchall()
        return [
            ListRow(pk, title, kind, classification, meeting, StateRef(iso3, name), involved, replies)
            for pk, title, kind, classification, meeting, name, iso3, involved, replies in rows
        ]

    def orm_rows(self):
        """The same rows read through the ORM (a queryset of :class:`ListRow`)."""
        from django.db.models import Count, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from .models import InvolvedState, Reply

        def count_of(model):
            counted = (
                model.objects.filter(presentation=OuterRef("pk"))
                .order_by()
                .values("presentation")
                .annotate(n=Count("pk"))
            )
            return Coalesce(Subquery(counted.values("n")[:1]), 0)

        ordered = in_list_order(
            self.visible.annotate(n_involved=count_of(InvolvedState), n_replies=count_of(Reply)), prefix="meeting__"
        ).order_by("_past", "_upcoming_start", "-_past_start", "meeting_id", "registered_at", "pk")
        return _RowsOf(
            ordered.values_list(
                "pk",
                "title",
                "kind",
                "classification",
                "meeting__title",
                "presenting_state__iso3",
                "presenting_state__name",
                "n_involved",
                "n_replies",
            )
        )


class _RowsOf:
    """A queryset of value tuples, sliced into :class:`ListRow`."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[ListRow]:
        return [
            ListRow(pk, title, kind, classification, meeting, StateRef(iso3, name), involved, replies)
            for pk, title, kind, classification, meeting, iso3, name, involved, replies in self.queryset[index]
        ]


@lru_cache(maxsize=2)
def _list_sql(lateral: bool) -> str:
    """The query of :class:`ListRows`, from the models' table and column names, with
    ``{where}`` for the ORM's condition on the presentation's own table (unaliased). Its
    parameters: the procedural day three times, those of ``{where}``, the limit and the offset.

    On PostgreSQL each meeting in list order joins its visible presentations (LATERAL), so a
    page stops at the meetings it shows; elsewhere one join sorted in the same order."""
    from meetings.models import Meeting
    from states.models import State

    from .models import InvolvedState, Presentation, Reply

    t, c = table, column

    p = t(Presentation)
    own = ", ".join(
        f"{p}.{c(Presentation, f)}"
        for f in ("id", "title", "kind", "classification", "meeting", "presenting_state", "registered_at")
    )
    end, begin = c(Meeting, "end_date"), c(Meeting, "start_date")
    meeting_keys = (
        f"CASE WHEN {end} < %s THEN 1 ELSE 0 END AS k1, CASE WHEN {end} < %s THEN NULL ELSE {begin} END AS k2,"
        f" CASE WHEN {end} < %s THEN {begin} ELSE NULL END AS k3"
    )
    meetings = f"SELECT {c(Meeting, 'id')} AS id, {c(Meeting, 'title')} AS title, {meeting_keys} FROM {t(Meeting)}"
    if lateral:
        # the meetings sorted first and each one's presentations in order: the planner walks
        # them in that order (an incremental sort) and stops when the page is full
        rows = (
            f"({meetings} ORDER BY k1, k2, k3 DESC, id) m CROSS JOIN LATERAL (SELECT {own} FROM {p}"
            f" WHERE {p}.{c(Presentation, 'meeting')} = m.id AND ({{where}})"
            f" ORDER BY {p}.{c(Presentation, 'registered_at')}, {p}.{c(Presentation, 'id')}) p"
        )
    else:
        rows = (
            f"({meetings}) m INNER JOIN (SELECT {own} FROM {p} WHERE ({{where}})) p"
            f" ON p.{c(Presentation, 'meeting')} = m.id"
        )
    pk = c(Presentation, "id")

    def counted(model):
        return f"(SELECT COUNT(x.{c(model, 'id')}) FROM {t(model)} x WHERE x.{c(model, 'presentation')} = p.{pk})"

    return (
        f"SELECT p.{pk}, p.{c(Presentation, 'title')}, p.{c(Presentation, 'kind')},"
        f" p.{c(Presentation, 'classification')}, m.title, s.{c(State, 'name')}, s.{c(State, 'iso3')},"
        f" {counted(InvolvedState)}, {counted(Reply)}"
        f" FROM {rows} INNER JOIN {t(State)} s ON s.{c(State, 'id')} = p.{c(Presentation, 'presenting_state')}"
        f" ORDER BY m.k1, m.k2, m.k3 DESC, m.id, p.{c(Presentation, 'registered_at')}, p.{pk} LIMIT %s OFFSET %s"
    )
