"""The list of presentations, written out (presentations.queries.ListRows), gives exactly the
rows the ORM gives for the same condition: who sees what, the list order of the meetings
(upcoming first, soonest first; then past, latest first), the counts, searches, pages."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse

from dief.testing import login_verified, meeting_factory
from presentations import services
from presentations.models import InvolvedState, Presentation, Reply
from presentations.queries import ListRows, presentations_for_user

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))
TODAY = datetime.date(2099, 1, 5)


@pytest.fixture
def presentations(meeting, secretariat, president, delegate_party, delegate_other_party, signatory_state):
    later = meeting_factory(
        start_date=datetime.date(2099, 6, 1), created_by=secretariat, convened_by=president, title="Later <meeting>"
    )
    past = meeting_factory(
        start_date=datetime.date(2098, 6, 1), created_by=secretariat, convened_by=president, title="Past meeting"
    )
    older = meeting_factory(
        start_date=datetime.date(2097, 6, 1), created_by=secretariat, convened_by=president, title="Older meeting"
    )
    made = []
    with time_machine.travel(EARLY, tick=False):
        for m in (later, meeting):
            for i, delegate in enumerate((delegate_party, delegate_other_party, delegate_party)):
                made.append(
                    services.register_presentation(
                        by=delegate,
                        meeting=m,
                        kind=("case", "information")[i % 2],
                        title=f"{m.title} & {i}",
                        summary=f"port {i}",
                    )
                )
        services.notify_involved_states(by=delegate_party, presentation=made[0], states=[signatory_state])
        services.notify_involved_states(
            by=delegate_other_party, presentation=made[1], states=[signatory_state, delegate_party.state]
        )
        services.submit_reply(by=delegate_party, presentation=made[1], text="Our reply")
    for m in (past, older):
        for i in range(2):
            p = Presentation.objects.create(
                meeting=m,
                presenting_state=delegate_party.state,
                registered_by=delegate_party,
                registered_at=EARLY - datetime.timedelta(days=i),
                kind="case",
                title=f"{m.title} {i}",
                summary="s",
                classification=i,
            )
            services.sync_presentation_access(p)
            made.append(p)
    return made


def _same_rows(visible):
    rows = ListRows(visible, TODAY)
    with mock.patch.object(ListRows, "orm_rows", side_effect=AssertionError("read by the ORM")):
        everything = rows[0:1000]  # written out, not read through the ORM
    assert everything == rows.orm_rows()[0:1000]
    assert rows[2:5] == everything[2:5] == rows.orm_rows()[2:5]
    assert rows.count() == len(everything)
    return everything


@pytest.mark.parametrize(
    "who",
    ["secretariat", "delegate_party", "delegate_other_party", "delegate_signatory", "outsider", "chair", "superuser"],
)
def test_the_written_out_list_gives_the_rows_of_the_orm_for_each_user(presentations, who, request):
    user = request.getfixturevalue(who)
    user.is_verified = lambda: True
    with time_machine.travel(EARLY, tick=False):
        rows = _same_rows(presentations_for_user(user))
        _same_rows(presentations_for_user(user).filter(Q(title__icontains="MEETING &") | Q(summary__icontains="port")))
        _same_rows(presentations_for_user(user).filter(meeting_id=presentations[0].meeting_id))
    if who == "secretariat":
        assert len(rows) == len(presentations)
        # upcoming meetings first, the soonest first; then past meetings, the latest first
        assert [r.meeting_title for r in rows] == ["Test meeting"] * 3 + ["Later <meeting>"] * 3 + [
            "Past meeting"
        ] * 2 + ["Older meeting"] * 2
        # in a meeting, by registration
        assert [r.title for r in rows[-2:]] == ["Older meeting 1", "Older meeting 0"]
        counts = {r.pk: (r.n_involved, r.n_replies) for r in rows}
        assert counts[presentations[0].pk] == (1, 0) and counts[presentations[1].pk] == (2, 1)
        assert InvolvedState.objects.count() == 3 and Reply.objects.count() == 1
    if who in ("outsider", "superuser"):
        assert rows == []


def test_the_list_page_shows_the_rows_escaped_with_their_links(client, presentations, secretariat):
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, secretariat)
        body = client.get(reverse("presentations:list")).content.decode()
    first = presentations[3]
    assert (
        f'<tr><td><a href="/presentations/{first.pk}/">Test meeting &amp; 0</a>'
        "<br><small>case of suspected or detected diversion</small></td>\n"
        "    <td>Test meeting</td><td>Switzerland</td><td>0</td><td>0</td><td>DIEF CONFIDENTIAL</td></tr>"
    ) in body
    assert "<td>Later &lt;meeting&gt;</td><td>France</td><td>2</td><td>1</td>" in body


def test_the_presentation_page_gives_the_scripts_of_the_state_picker_without_building_it(party):
    from presentations.forms import InvolvedStatesForm
    from presentations.views import _notify_media

    assert str(_notify_media()) == str(InvolvedStatesForm(states=type(party).objects.all()).media) != ""


def test_the_page_of_a_presentation_without_involved_states_reads_no_replies(
    client, presentations, secretariat, delegate_party
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alone, involving = presentations[2], presentations[1]
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("presentations:detail", args=[alone.pk])).content.decode()
        assert not [q for q in queries.captured_queries if Reply._meta.db_table in q["sql"]]
        assert "No reply yet." in page
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("presentations:detail", args=[involving.pk])).content.decode()
        assert [q for q in queries.captured_queries if Reply._meta.db_table in q["sql"]]
        assert "Our reply" in page
