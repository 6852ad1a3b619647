"""Participation figures against a fixture counted by hand (ToR rule 7).

Meeting A (2026-03-20), delegations:
  France (Europe): enforcement officer + policy officer          -> officer
  Switzerland (Europe): policy officer                             -> no officer
  Bangladesh (Asia): licensing officer                             -> officer
  Mexico (Americas): other                                         -> no officer
  => 4 delegations, 2 with an officer (50 %); Europe 2 (1), Asia 1 (1), Americas 1 (0)
  => delegates by role: enforcement 1, licensing 1, policy 2, other 1
  Presentations: France twice (one State), Mexico once, Switzerland withdrawn
  => presenting States: Europe 1, Americas 1
Meeting B (2026-09-20): France (enforcement) only -> 1 delegation, 1 with an officer; nobody presented.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from accounts.enums import ParticipantRole
from dief import clock
from dief.testing import UserFactory, login_verified, make_state, meeting_factory
from meetings.models import DelegationRegistration
from participation import stats
from presentations.enums import PresentationStatus
from presentations.models import Presentation


def register(meeting, state, *members):
    r = DelegationRegistration.objects.create(
        meeting=meeting, state=state, registered_at=clock.now(), registered_by=members[0]
    )
    r.members.set(members)


def present(meeting, user, status=PresentationStatus.REGISTERED):
    Presentation.objects.create(
        meeting=meeting,
        presenting_state=user.state,
        registered_by=user,
        registered_at=clock.now(),
        kind="case",
        title="t",
        summary="s",
        status=status,
    )


@pytest.fixture
def counted(secretariat, president, party, other_party, signatory_state):
    mexico = make_state("MEX", name="Mexico", status="state_party")
    for state, region in ((party, "Europe"), (other_party, "Europe"), (signatory_state, "Asia"), (mexico, "Americas")):
        state.region = region
        state.save()
    fra_enf = UserFactory(
        username="fra_enf",
        state=other_party,
        participant_role=ParticipantRole.ENFORCEMENT,
        first_name="Amélie",
        last_name="Secretname",
    )
    fra_pol = UserFactory(username="fra_pol", state=other_party, participant_role=ParticipantRole.POLICY)
    che_pol = UserFactory(username="che_pol", state=party, participant_role=ParticipantRole.POLICY)
    bgd_lic = UserFactory(username="bgd_lic", state=signatory_state, participant_role=ParticipantRole.LICENSING)
    mex_oth = UserFactory(username="mex_oth", state=mexico, participant_role=ParticipantRole.OTHER)
    a = meeting_factory(
        start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Meeting A"
    )
    b = meeting_factory(
        start_date=datetime.date(2026, 9, 20), created_by=secretariat, convened_by=president, title="Meeting B"
    )
    register(a, other_party, fra_enf, fra_pol)
    register(a, party, che_pol)
    register(a, signatory_state, bgd_lic)
    register(a, mexico, mex_oth)
    register(b, other_party, fra_enf)
    present(a, fra_enf)
    present(a, fra_pol)
    present(a, mex_oth)
    present(a, che_pol, status=PresentationStatus.WITHDRAWN)
    return {"a": a, "b": b, "che_pol": che_pol, "mexico": mexico}


def test_figures_match_the_hand_count(counted, django_assert_max_num_queries):
    from meetings.models import Meeting

    with django_assert_max_num_queries(4):
        fa, fb = stats.figures(Meeting.objects.filter(pk__in=[counted["a"].pk, counted["b"].pk]))
    assert (fa.delegations, fa.with_officer, fa.officer_share) == (4, 2, 0.5)
    assert fa.by_region == {"Europe": 2, "Asia": 1, "Americas": 1}
    assert fa.officer_by_region == {"Europe": 1, "Asia": 1, "Americas": 0}
    assert fa.delegates_by_role == {"enforcement": 1, "licensing": 1, "policy": 2, "other": 1}
    assert fa.delegations_by_role == {"enforcement": 1, "licensing": 1, "policy": 2, "other": 1}
    assert fa.presenting_by_region == {"Europe": 1, "Americas": 1}
    assert fa.presenting == 2
    assert (fb.delegations, fb.with_officer, fb.presenting) == (1, 1, 0)


def test_meeting_page_draws_accessible_charts_with_the_same_numbers(client, counted, secretariat):
    login_verified(client, secretariat)
    body = client.get(reverse("participation:meeting", args=[counted["a"].pk])).content.decode()
    assert body.count('role="img"') == 4
    assert '<title id="by-region-title">' in body and '<desc id="by-region-desc">' in body
    assert "Europe: 2." in body and "Asia: 1." in body
    assert '<th scope="row">Europe</th><td>2</td><td>1</td>' in body
    assert "50 %" in body
    assert "States that presented: France, Mexico" in body


def test_delegates_see_the_aggregates_but_not_which_states_presented(client, counted):
    login_verified(client, counted["che_pol"])
    response = client.get(reverse("participation:meeting", args=[counted["a"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Europe: 2." in body
    assert "States that presented:" not in body and "Mexico" not in body


def test_csv_has_the_figures_and_no_names(client, counted, secretariat):
    login_verified(client, secretariat)
    response = client.get(reverse("participation:csv"))
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    total_a = [r for r in rows if r["meeting_start_date"] == "2026-03-20" and r["region"] == "all regions"][0]
    assert total_a["delegations"] == "4" and total_a["delegations_with_enforcement_or_licensing_officer"] == "2"
    assert total_a["delegates_policy"] == "2" and total_a["presenting_states"] == "2"
    europe_a = [r for r in rows if r["meeting_start_date"] == "2026-03-20" and r["region"] == "Europe"][0]
    assert europe_a["delegations"] == "2"
    for name in (
        "France",
        "Switzerland",
        "Mexico",
        "Bangladesh",
        "Amélie",
        "Secretname",
        "fra_enf",
        "Meeting A",
        "FRA",
        "MEX",
    ):
        assert name not in text


@pytest.mark.parametrize("who", ["national_authority", "superuser", "outsider"])
def test_participation_pages_are_404_for_others(client, counted, who, request):
    login_verified(client, request.getfixturevalue(who))
    for url in (
        reverse("participation:overview"),
        reverse("participation:csv"),
        reverse("participation:meeting", args=[counted["a"].pk]),
    ):
        assert client.get(url).status_code == 404


def test_overview_shows_the_trend(client, counted, president):
    login_verified(client, president)
    body = client.get(reverse("participation:overview")).content.decode()
    assert body.count('role="img"') == 3
    assert "Meeting A (2026-03): 4." in body and "Meeting B (2026-09): 1." in body


def test_overview_shows_the_latest_meetings_a_page_at_a_time_with_the_same_queries_for_10_and_1000(
    client, counted, president
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dief.testing import tor_version
    from meetings.models import Meeting
    from participation.views import OVERVIEW_PAGE_SIZE

    def more(first, n):
        Meeting.objects.bulk_create(
            Meeting(
                title=f"Older {first + i}",
                start_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=first + i),
                end_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=first + i),
                venue="Geneva",
                host_session="csp",
                host_session_name="CSP",
                tor_version=tor_version(),
                convened_by=president,
                convened_on=datetime.date(1999, 1, 1),
                created_by=president,
            )
            for i in range(n)
        )

    login_verified(client, president)
    more(0, 8)  # with Meetings A and B: 10 meetings
    client.get(reverse("participation:overview"))
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("participation:overview"))
    more(8, 990)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("participation:overview"))
    assert len(ten.captured_queries) == len(many.captured_queries)
    body = response.content.decode()
    assert body.count('<tr><th scope="row">') == OVERVIEW_PAGE_SIZE
    # The latest meetings first (A and B), oldest first on the page; the earlier ones a page further.
    assert body.index("Older 997") < body.index("Meeting A (2026-03)") < body.index("Meeting B (2026-09)")
    assert "Older 987" not in body and "Earlier meetings" in body and "Later meetings" not in body
    older = client.get(reverse("participation:overview") + "?page=2").content.decode()
    assert "Older 987" in older and "Meeting A" not in older and "Later meetings" in older
