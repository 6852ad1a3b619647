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
