"""The briefings page's three lists read in one written-out statement (briefings.list_read) are
exactly the ORM's answers for each reader, in the same order, a page at a time."""

import datetime

import pytest

from briefings import list_read, services
from briefings.queries import arrangements_for_user, briefings_for_user, meetings_with_briefing_access
from dief import clock
from presentations.enums import PresentationKind
from presentations.models import Presentation


def _verified(user):
    user.is_verified = lambda: True  # as the middleware marks a session that passed a second factor
    return user


def _orm(user, offsets, per_page, today):
    briefings = briefings_for_user(user).select_related("meeting").order_by("-meeting__start_date", "-pk")
    arrangements = arrangements_for_user(user).select_related("meeting")
    meetings = meetings_with_briefing_access(user).order_by("-start_date", "-pk").filter(end_date__lte=today)
    return [
        list(qs[start : start + per_page + 1])
        for qs, start in zip((briefings, arrangements, meetings), offsets, strict=True)
    ]


@pytest.fixture
def lists(chair, past_meeting, participants, french_case, delegate_mex, secretariat):
    che, fra, bgd = participants
    mex_case = Presentation.objects.create(
        meeting=past_meeting,
        presenting_state=delegate_mex.state,
        registered_by=delegate_mex,
        registered_at=clock.now(),
        kind=PresentationKind.CASE,
        title="A Mexican case",
        summary="A case",
    )
    services.draft_briefing(by=chair, meeting=past_meeting, text="Plain outline.")
    services.draft_briefing(by=chair, meeting=past_meeting, text="On a French case.", presentations=[french_case])
    services.draft_briefing(by=chair, meeting=past_meeting, text="On a Mexican case.", presentations=[mex_case])
    first = services.record_arrangement(
        by=che, meeting=past_meeting, other_states=[fra.state], what="Joint tracing", contact_route="Customs"
    )
    services.record_arrangement(
        by=bgd, meeting=past_meeting, other_states=[che.state], what="Training", contact_route="Embassy"
    )
    services.add_secretariat(by=che, arrangement=first)
    return participants


def _same(written, orm):
    assert [type(r) for r in written] == [type(r) for r in orm]
    assert [r.pk for r in written] == [r.pk for r in orm]
    for w, o in zip(written, orm, strict=True):
        for name in ("status", "version", "title", "end_date", "procedural_time_zone", "meeting_id"):
            if hasattr(o, name) and name in o.__dict__ and name in w.__dict__:
                assert getattr(w, name) == getattr(o, name)
        if hasattr(o, "meeting_id"):
            assert w.meeting.title == o.meeting.title and w.meeting.pk == o.meeting_id


@pytest.mark.parametrize(
    "who", ["secretariat", "delegate_party", "delegate_other_party", "delegate_signatory", "delegate_mex"]
)
def test_the_written_out_lists_are_the_orms(lists, who, request):
    user = _verified(request.getfixturevalue(who))
    assert list_read.reads_lists(user)
    for today in (datetime.date(2026, 3, 1), clock.today_in("UTC")):
        for per_page, offsets in ((25, (0, 0, 0)), (1, (0, 0, 0)), (1, (1, 1, 0)), (1, (2, 5, 1))):
            written = list_read.read_lists(user, offsets, per_page, today)
            for w, o in zip(written, _orm(user, offsets, per_page, today), strict=True):
                _same(w, o)
    for arrangement in list_read.read_lists(user, (0, 0, 0), 25, clock.today_in("UTC"))[1]:
        assert {s.pk for s in arrangement.states.all()} == set(
            type(arrangement).objects.get(pk=arrangement.pk).states.values_list("pk", flat=True)
        )


def test_the_lists_show_each_reader_its_own(lists, secretariat):
    che, fra, bgd = (_verified(user) for user in lists)
    today = clock.today_in("UTC")
    for user, seen in ((secretariat, (3, 1, 1)), (fra, (3, 1, 1)), (bgd, (3, 1, 1))):
        assert tuple(len(rows) for rows in list_read.read_lists(user, (0, 0, 0), 25, today)) == seen
    briefings, arrangements, meetings = list_read.read_lists(che, (0, 0, 0), 25, today)
    assert len(arrangements) == 2 and sorted(s.iso3 for s in arrangements[0].states.all())


@pytest.mark.parametrize("who", ["chair", "president", "national_authority", "superuser", "outsider"])
def test_others_are_read_by_the_orm(lists, who, request):
    assert not list_read.reads_lists(_verified(request.getfixturevalue(who)))


def test_the_page_reads_its_three_lists_in_one_statement(client, lists):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dief.testing import login_verified

    login_verified(client, lists[2])
    client.get(reverse("briefings:list"))
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("briefings:list")).content.decode()
    lists_read = [q["sql"] for q in queries.captured_queries if "briefings_briefing" in q["sql"]]
    assert len(lists_read) == 1 and "briefings_followuparrangement" in lists_read[0]
    assert body.count("Outline ") == 3 and "Spring meeting" in body
