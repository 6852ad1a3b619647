"""What is due and the .ics download: each query asked once a request, and nothing read for
what the meetings' own row already says is absent."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dief.testing import login_verified

NOW = datetime.datetime(2099, 1, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("who", ["secretariat", "chair", "delegate_party", "delegate_other_party"])
@pytest.mark.parametrize("page", ["due:list", "due:ics"])
def test_what_is_due_and_the_calendar_ask_each_query_once_a_request(client, meeting, who, page, request):
    from presentations import services

    presentation = services.register_presentation(
        by=request.getfixturevalue("delegate_party"), meeting=meeting, kind="case", title="T", summary="S"
    )
    services.notify_involved_states(
        by=request.getfixturevalue("delegate_party"),
        presentation=presentation,
        states=[request.getfixturevalue("other_party")],
    )
    login_verified(client, request.getfixturevalue(who))
    client.get(reverse(page))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(page)).status_code == 200
    repeated = [sql for sql, n in Counter(q["sql"] for q in queries.captured_queries).items() if n > 1]
    assert repeated == []


def test_what_is_due_reads_no_expert_proposal_nor_presentation_where_the_meetings_have_none(
    client, meeting, delegate_party
):
    login_verified(client, delegate_party)
    client.get(reverse("due:list"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("due:list")).context["items"] == []
    own = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().startswith('SELECT "meetings_meeting"')]
    assert not [sql for sql in own if "experts_expertproposal" in sql or "presentations_" in sql]


@pytest.mark.parametrize("first", [0, 3, 25])
def test_every_page_of_what_is_due_shows_the_same_actions_in_the_same_order_as_the_whole_list(
    meeting, secretariat, president, delegate_party, other_party, delegate_other_party, first
):
    """Pages read only the presentations they show (or, with ``first``, the first ones of each
    meeting with the counts); cut anywhere, they give the whole list."""
    from dief.testing import meeting_factory
    from due.services import due_items_for_user, due_page_items, upcoming_meetings_for_user
    from presentations.models import InvolvedState, Presentation, Reply

    later = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    for m, n in ((meeting, 7), (later, 4)):
        presentations = Presentation.objects.bulk_create(
            Presentation(
                meeting=m,
                presenting_state=delegate_party.state,
                registered_by=delegate_party,
                registered_at=NOW,
                kind="case",
                title=f"Case {i}",
                summary="s",
            )
            for i in range(n)
        )
        InvolvedState.objects.bulk_create(
            InvolvedState(presentation=p, state=other_party, notified_at=NOW, consent="pending" if i % 3 else "")
            for i, p in enumerate(presentations)
        )
        Reply.objects.create(
            presentation=presentations[1],
            state=other_party,
            text="r",
            submitted_by=delegate_other_party,
            submitted_at=NOW,
        )
    delegate_other_party.is_verified = lambda: True
    whole = [(i.url, i.action, i.deadline.key) for i in due_items_for_user(delegate_other_party, NOW)]
    assert len(whole) > 12
    meetings = upcoming_meetings_for_user(delegate_other_party)
    pages = due_page_items(delegate_other_party, NOW, meetings=meetings, first=first)
    assert len(pages) == len(whole)
    for start in range(len(whole)):
        for stop in range(start, len(whole) + 2):
            assert [(i.url, i.action, i.deadline.key) for i in pages[start:stop]] == whole[start:stop]
    assert (pages[-1].url, pages[-1].action, pages[-1].deadline.key) == whole[-1]


def test_a_page_of_what_is_due_reads_at_most_the_presentations_it_shows(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    from due.services import DUE_PAGE_SIZE
    from presentations.models import InvolvedState, Presentation

    presentations = Presentation.objects.bulk_create(
        Presentation(
            meeting=meeting,
            presenting_state=delegate_party.state,
            registered_by=delegate_party,
            registered_at=NOW,
            kind="case",
            title=f"Case {i}",
            summary="s",
        )
        for i in range(3 * DUE_PAGE_SIZE)
    )
    InvolvedState.objects.bulk_create(
        InvolvedState(presentation=p, state=other_party, notified_at=NOW) for p in presentations
    )
    login_verified(client, delegate_other_party)
    client.get(reverse("due:list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("due:list") + "?page=2")
    assert response.context["page_obj"].paginator.count == 3 * DUE_PAGE_SIZE
    involved = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "presentations_involvedstate"' in q["sql"] and not q["sql"].startswith('SELECT "meetings_meeting"')
    ]
    counts = [sql for sql in involved if "COUNT(" in sql.split(" FROM ")[0]]
    rows = [sql for sql in involved if sql not in counts]
    assert len(counts) == 1 and "GROUP BY" in counts[0]
    assert len(rows) == 1 and f"LIMIT {DUE_PAGE_SIZE} OFFSET {DUE_PAGE_SIZE}" in rows[0]


def test_the_first_page_of_what_is_due_reads_its_presentations_with_the_counts(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    from due.services import DUE_PAGE_SIZE
    from presentations.models import InvolvedState, Presentation

    presentations = Presentation.objects.bulk_create(
        Presentation(
            meeting=meeting,
            presenting_state=delegate_party.state,
            registered_by=delegate_party,
            registered_at=NOW,
            kind="case",
            title=f"Case {i}",
            summary="s",
        )
        for i in range(2 * DUE_PAGE_SIZE)
    )
    InvolvedState.objects.bulk_create(
        InvolvedState(presentation=p, state=other_party, notified_at=NOW, consent="pending") for p in presentations
    )
    login_verified(client, delegate_other_party)
    client.get(reverse("due:list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("due:list"))
    assert response.context["page_obj"].paginator.count == 4 * DUE_PAGE_SIZE
    involved = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "presentations_involvedstate"' in q["sql"] and not q["sql"].startswith('SELECT "meetings_meeting"')
    ]
    assert len(involved) == 1 and "ROW_NUMBER()" in involved[0]
    shown = [i.url for i in response.context["items"]]
    assert shown == [f"/presentations/{p.pk}/#consent" for p in presentations[:DUE_PAGE_SIZE]]
    with CaptureQueriesContext(connection) as again:
        assert [i.url for i in client.get(reverse("due:list") + "?page=1").context["items"]] == shown
    assert len(again.captured_queries) == len(queries.captured_queries)


@pytest.mark.parametrize("who", ["secretariat", "delegate_party"])
def test_the_meeting_page_asks_for_no_silence_procedure_where_the_meeting_has_no_open_proposal(
    client, meeting, who, request
):
    login_verified(client, request.getfixturevalue(who))
    url = reverse("meetings:detail", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    proposals = [q["sql"] for q in queries.captured_queries if 'FROM "experts_expertproposal"' in q["sql"]]
    assert len(proposals) == 1 and "GROUP BY" in proposals[0]  # the counts of the calendar's summaries


def test_the_written_out_flags_of_the_meetings_answer_as_the_orm_does(
    meeting, secretariat, chair, delegate_party, other_party, delegate_other_party
):
    from django.db.models import Exists, OuterRef

    from agendas.models import AgendaItem
    from due.services import with_due_flags
    from experts.models import ExpertProposal
    from meetings.models import Meeting
    from presentations import services
    from presentations.models import InvolvedState, Presentation

    presentation = services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    here = OuterRef("pk")

    def by_orm(user):
        flags = {
            "due_open_proposals": Exists(
                ExpertProposal.objects.filter(meeting_id=here, status__in=("in_silence", "in_consultation"))
            ),
            "due_state_presents": Exists(
                Presentation.objects.filter(meeting_id=here, presenting_state_id=user.state_id, status="registered")
            ),
            "due_state_involved": Exists(
                InvolvedState.objects.filter(
                    presentation__meeting_id=here, presentation__status="registered", state_id=user.state_id
                )
            ),
            "due_draft_agenda_items": Exists(
                AgendaItem.objects.filter(agenda__meeting_id=here, agenda__status="draft")
            ),
        }
        return Meeting.objects.annotate(**flags).values("pk", *flags).order_by("pk")

    seen = set()
    for user in (secretariat, chair, delegate_party, delegate_other_party):
        user.is_verified = lambda: True
        written = list(with_due_flags(Meeting.objects.all(), user).values().order_by("pk"))
        orm = {row["pk"]: row for row in by_orm(user)}
        for row in written:
            flags = {k: v for k, v in row.items() if k.startswith("due_")}
            assert flags == {k: orm[row["id"]][k] for k in flags}
            seen.update(k for k, v in flags.items() if v)
    assert {"due_state_presents", "due_state_involved"} <= seen


def test_the_written_out_upcoming_meetings_are_the_orm_s_objects_with_their_relations_and_flags(
    meeting, secretariat, president, chair, delegate_party, other_party, delegate_other_party, outsider
):
    from agendas.models import Agenda
    from dief.testing import meeting_factory
    from due.services import orm_upcoming_meetings, upcoming_meetings_for_user
    from meetings.models import Meeting
    from meetings.queries import meetings_for_user
    from presentations import services

    later = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    meeting_factory(start_date=datetime.date(2098, 6, 1), created_by=secretariat, convened_by=president)  # ended
    Agenda.objects.get_or_create(meeting=later)
    presentation = services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])

    def values(obj):
        return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    def described(meetings):
        out = []
        for m in meetings:
            flags = {k: v for k, v in vars(m).items() if k.startswith("due_")}
            relations = {}
            for name in ("tor_version", "invitation", "agenda"):
                field = Meeting._meta.get_field(name)
                assert field.is_cached(m)
                relations[name] = values(field.get_cached_value(m))
            out.append((values(m), flags, relations))
        return out

    today = datetime.date(2099, 1, 1)
    users = (secretariat, president, chair, delegate_party, delegate_other_party, outsider)
    for user in users:
        user.is_verified = lambda: True
        with CaptureQueriesContext(connection) as queries:
            written = upcoming_meetings_for_user(user)
        orm = orm_upcoming_meetings(meetings_for_user(user).filter(end_date__gte=today), user)
        assert described(written) == described(orm)
        sqls = [q["sql"] for q in queries.captured_queries]
        # one read of the meetings by their last day (an expert's grants are read by meetings_for_user)
        assert len([sql for sql in sqls if '"end_date" <' in sql or '"end_date" >' in sql]) <= 1
        assert all("UNION ALL" in sql for sql in sqls if '"end_date" <' in sql)
        for m in written:
            with CaptureQueriesContext(connection) as queries:
                m.invitation.is_sent  # noqa: B018
                if m.pk == later.pk:
                    assert m.agenda.meeting is m
                else:
                    with pytest.raises(Meeting.agenda.RelatedObjectDoesNotExist):
                        m.agenda  # noqa: B018
                m.tor_version.invitation_days  # noqa: B018
            assert queries.captured_queries == []
    assert {m.pk for m in upcoming_meetings_for_user(secretariat)} == {meeting.pk, later.pk}



def test_the_written_out_upcoming_meetings_of_a_non_state_expert_are_its_own_grants_only(
    meeting, secretariat, president, party
):
    from guardian.shortcuts import assign_perm

    from accounts.enums import Role
    from dief.testing import UserFactory, meeting_factory
    from due.services import orm_upcoming_meetings, upcoming_meetings_for_user
    from meetings.queries import meetings_for_user

    other = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    expert = UserFactory(username="invited_expert", role=Role.EXPERT, state=party)
    expert.is_verified = lambda: True
    assert upcoming_meetings_for_user(expert) == []
    assign_perm("meetings.view_meeting", expert, meeting)  # ToR rules 8, 15: its own user only
    written = upcoming_meetings_for_user(expert)
    orm = orm_upcoming_meetings(meetings_for_user(expert).filter(end_date__gte=datetime.date(2099, 1, 1)), expert)
    assert [m.pk for m in written] == [m.pk for m in orm] == [meeting.pk]
    assert other.pk not in {m.pk for m in written}

def test_the_written_out_presentations_involving_a_state_give_the_actions_the_orm_gives(
    meeting, secretariat, president, delegate_party, other_party, delegate_other_party
):
    from dief.testing import meeting_factory
    from due.services import due_items_for_user, upcoming_meetings_for_user
    from meetings.queries import meetings_for_user
    from presentations.models import InvolvedState, Presentation, Reply

    later = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    for m, n in ((meeting, 5), (later, 3)):
        presentations = Presentation.objects.bulk_create(
            Presentation(
                meeting=m,
                presenting_state=delegate_party.state,
                registered_by=delegate_party,
                registered_at=NOW,
                kind="case",
                title=f"Case {i}",
                summary="s",
            )
            for i in range(n)
        )
        InvolvedState.objects.bulk_create(
            InvolvedState(presentation=p, state=other_party, notified_at=NOW, consent="pending" if i % 2 else "")
            for i, p in enumerate(presentations)
        )
        Reply.objects.create(
            presentation=presentations[1],
            state=other_party,
            text="r",
            submitted_by=delegate_other_party,
            submitted_at=NOW,
        )
    user = delegate_other_party
    user.is_verified = lambda: True
    flagged = upcoming_meetings_for_user(user)
    plain = list(
        meetings_for_user(user)
        .filter(end_date__gte=datetime.date(2099, 1, 1))
        .select_related("tor_version", "invitation", "agenda")
        .order_by("start_date", "pk")
    )
    assert not hasattr(plain[0], "due_state_involved")

    def seen(items):
        return [(i.meeting.pk, i.deadline.key, i.action, i.url, i.overdue, i.subject) for i in items]

    written = seen(due_items_for_user(user, NOW, meetings=flagged))
    assert written == seen(due_items_for_user(user, NOW, meetings=plain))
    assert len(written) >= 8


def test_the_written_out_past_meetings_are_the_orm_s_rows(
    meeting, secretariat, president, chair, delegate_party, delegate_other_party, outsider
):
    from dief.testing import meeting_factory
    from due.services import orm_past_meetings, past_meetings_for_user
    from meetings.queries import meetings_for_user

    for day in (datetime.date(2098, 6, 1), datetime.date(2098, 3, 1), datetime.date(2098, 3, 1)):
        meeting_factory(start_date=day, created_by=secretariat, convened_by=president)
    today = datetime.date(2099, 1, 1)
    for user in (secretariat, president, chair, delegate_party, delegate_other_party, outsider):
        user.is_verified = lambda: True
        written = past_meetings_for_user(user, today)
        assert written == list(orm_past_meetings(meetings_for_user(user).filter(end_date__lt=today)))
        assert all(isinstance(row, tuple) for row in written)
    assert len(past_meetings_for_user(secretariat, today)) == 3


def test_the_calendar_reads_the_upcoming_and_past_meetings_as_their_own_reads_in_one_query(
    meeting, secretariat, president, chair, delegate_party, other_party, delegate_other_party, outsider
):
    from guardian.shortcuts import assign_perm

    from accounts.enums import Role
    from agendas.models import Agenda
    from dief.testing import UserFactory, meeting_factory
    from due.services import calendar_meetings_for_user, past_meetings_for_user, upcoming_meetings_for_user
    from meetings.models import Meeting
    from presentations import services

    later = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    for day in (datetime.date(2098, 6, 1), datetime.date(2098, 3, 1), datetime.date(2098, 3, 1)):
        meeting_factory(start_date=day, created_by=secretariat, convened_by=president)
    Agenda.objects.get_or_create(meeting=later)
    presentation = services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    expert = UserFactory(username="invited_expert", role=Role.EXPERT, state=other_party)
    assign_perm("meetings.view_meeting", expert, meeting)

    def described(meetings):
        out = []
        for m in meetings:
            relations = {}
            for name in ("tor_version", "invitation", "agenda"):
                field = Meeting._meta.get_field(name)
                assert field.is_cached(m)
                related = field.get_cached_value(m)
                relations[name] = None if related is None else vars(related).copy()
                relations[name] and relations[name].pop("_state", None)
            values = {k: v for k, v in vars(m).items() if k != "_state" and not k.startswith("_")}
            out.append((values, relations))
        return out

    today = datetime.date(2099, 1, 1)
    for user in (secretariat, president, chair, delegate_party, delegate_other_party, outsider, expert):
        user.is_verified = lambda: True
        with CaptureQueriesContext(connection) as queries:
            upcoming, past = calendar_meetings_for_user(user, today)
        sqls = [q["sql"] for q in queries.captured_queries]
        # one read of the meetings by their last day (an expert's grants are read by meetings_for_user)
        assert len([sql for sql in sqls if '"end_date" <' in sql or '"end_date" >' in sql]) <= 1
        assert all("UNION ALL" in sql for sql in sqls if '"end_date" <' in sql)
        assert described(upcoming) == described(upcoming_meetings_for_user(user))
        assert past == past_meetings_for_user(user, today)
        assert all(isinstance(row, tuple) for row in past)
    secretariat_upcoming, secretariat_past = calendar_meetings_for_user(secretariat, today)
    assert [m.pk for m in secretariat_upcoming] == [meeting.pk, later.pk]
    assert len(secretariat_past) == 3
    assert [m.pk for m in calendar_meetings_for_user(expert, today)[0]] == [meeting.pk]
    assert calendar_meetings_for_user(outsider, today) == ([], [])
