"""Participation figures against a fixture counted by hand (ToR rule 7).

Meeting A (2026-03-20), delegations:
  France (Europe): enforcement officer + policy officer          -> officer
  Switzerland (Europe): policy officer                             -> no officer
  Bangladesh (Asia): enforcement officer                          -> officer
  Mexico (Americas): other + licensing officer                     -> no officer (ToR rule 7
                                                                      names enforcement officers)
  => 4 delegations, 2 with an enforcement officer (50 %); Europe 2 (1), Asia 1 (1), Americas 1 (0)
  => delegates by role: enforcement 2, licensing 1, policy 2, other 1
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
    bgd_enf = UserFactory(username="bgd_enf", state=signatory_state, participant_role=ParticipantRole.ENFORCEMENT)
    mex_oth = UserFactory(username="mex_oth", state=mexico, participant_role=ParticipantRole.OTHER)
    mex_lic = UserFactory(username="mex_lic", state=mexico, participant_role=ParticipantRole.LICENSING)
    a = meeting_factory(
        start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Meeting A"
    )
    b = meeting_factory(
        start_date=datetime.date(2026, 9, 20), created_by=secretariat, convened_by=president, title="Meeting B"
    )
    register(a, other_party, fra_enf, fra_pol)
    register(a, party, che_pol)
    register(a, signatory_state, bgd_enf)
    register(a, mexico, mex_oth, mex_lic)
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
    assert fa.delegates_by_role == {"enforcement": 2, "licensing": 1, "policy": 2, "other": 1}
    assert fa.delegations_by_role == {"enforcement": 2, "licensing": 1, "policy": 2, "other": 1}
    assert fa.presenting_by_region == {"Europe": 1, "Americas": 1}
    assert fa.presenting == 2
    assert (fb.delegations, fb.with_officer, fb.presenting) == (1, 1, 0)


def test_meeting_page_draws_accessible_charts_with_the_same_numbers(client, counted, secretariat):
    login_verified(client, secretariat)
    body = client.get(reverse("participation:meeting", args=[counted["a"].pk])).content.decode()
    assert body.count('role="img"') == 4
    assert '<title id="by-region-title">' in body and '<desc id="by-region-desc">' in body
    # Europe 2, Asia 1, Americas 1: every regional count is small, so hidden (ToR rules 7, 14)
    assert "Europe: hidden." in body and "Asia: hidden." in body
    assert '<th scope="row">Europe</th><td>hidden</td><td>hidden</td>' in body
    assert '<th scope="row">Americas</th><td>hidden</td><td>0</td>' in body
    assert '<dd id="total-delegations">4</dd>' in body and "50 %" in body
    assert "States that presented: France, Mexico" in body


def test_delegates_see_the_aggregates_but_not_which_states_presented(client, counted):
    login_verified(client, counted["che_pol"])
    response = client.get(reverse("participation:meeting", args=[counted["a"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Europe: hidden." in body
    assert "States that presented:" not in body and "Mexico" not in body


def test_csv_has_the_figures_and_no_names(client, counted, secretariat):
    login_verified(client, secretariat)
    response = client.get(reverse("participation:csv"))
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    total_a = [r for r in rows if r["meeting_start_date"] == "2026-03-20" and r["region"] == "all regions"][0]
    assert total_a["delegations"] == "4" and total_a["delegations_with_enforcement_officer"] == "2"
    assert total_a["delegates_policy"] == "2" and total_a["presenting_states"] == "2"
    europe_a = [r for r in rows if r["meeting_start_date"] == "2026-03-20" and r["region"] == "Europe"][0]
    assert europe_a["delegations"] == "hidden"  # 2: small, hidden as on the page
    assert europe_a["presenting_states"] == "hidden"
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
    # Meeting B's one delegation is its only region's: hidden, as on its page (ToR rules 7, 14)
    assert "Meeting A (2026-03): 4." in body and "Meeting B (2026-09): hidden." in body


def test_small_counts_are_hidden_with_a_complement_when_one_total_would_reveal_them():
    f = stats.MeetingFigures(meeting=None, delegations=6, with_officer=4)
    f.by_region = {"Europe": 5, "Asia": 1}
    f.officer_by_region = {"Europe": 4, "Asia": 0}
    f.presenting_by_region = {"Europe": 3}
    p = stats.protect(f)
    # Asia's 1 is hidden; alone it would be 6 - 5, so Europe's 5 is hidden too.
    assert p.rows == [("Asia", None, 0, 0), ("Europe", None, 4, 3)]
    assert (p.delegations, p.with_officer, p.presenting) == (6, 4, 3)


def test_a_meeting_of_one_small_region_hides_its_total_on_the_page_and_in_the_csv(client, counted, secretariat):
    (fb,) = stats.figures(type(counted["b"]).objects.filter(pk=counted["b"].pk))
    p = stats.protect(fb)
    assert p.rows == [("Europe", None, None, 0)] and (p.delegations, p.with_officer) == (None, None)
    login_verified(client, secretariat)
    body = client.get(reverse("participation:meeting", args=[counted["b"].pk])).content.decode()
    assert '<dd id="total-delegations">hidden</dd>' in body and "Europe: hidden." in body
    assert "no State can be recognised" in body
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("participation:csv")).content.decode())))
    total_b = [r for r in rows if r["meeting_start_date"] == "2026-09-20" and r["region"] == "all regions"][0]
    assert total_b["delegations"] == "hidden" and total_b["delegations_with_enforcement_officer"] == "hidden"


def test_a_meeting_not_yet_held_counts_intentions_not_presentations(client, counted, secretariat, president):
    """ToR rule 11: before the meeting is held a registration is an intention to present; no
    State has presented yet."""
    soon = meeting_factory(
        start_date=clock.today_in("Europe/Zurich") + datetime.timedelta(days=60),
        created_by=secretariat,
        convened_by=president,
        title="Soon",
    )
    present(soon, counted["che_pol"])
    (f,) = stats.figures(type(soon).objects.filter(pk=soon.pk))
    assert (f.held, f.presenting, f.intending) == (False, 0, 1)
    login_verified(client, secretariat)
    body = client.get(reverse("participation:meeting", args=[soon.pk])).content.decode()
    assert '<dd id="presented">none yet: the meeting has not been held</dd>' in body
    assert '<dd id="intending">1</dd>' in body
    (held,) = stats.figures(type(soon).objects.filter(pk=counted["a"].pk))
    assert held.held and held.intending == 0


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
    # no COUNT of the whole list: one row more than a page tells whether a next page exists
    assert len(many.captured_queries) == len(ten.captured_queries)
    body = response.content.decode()
    assert body.count('<tr><th scope="row">') == OVERVIEW_PAGE_SIZE
    # The latest meetings first (A and B), oldest first on the page; the earlier ones a page further.
    assert body.index("Older 997") < body.index("Meeting A (2026-03)") < body.index("Meeting B (2026-09)")
    assert "Older 987" not in body and "Earlier meetings" in body and "Later meetings" not in body
    older = client.get(reverse("participation:overview") + "?page=2").content.decode()
    assert "Older 987" in older and "Meeting A" not in older and "Later meetings" in older


def test_the_delegations_page_hides_small_counts_by_region_as_the_participation_figures_do(
    client, counted, secretariat, chair, delegate_party
):
    """Meeting A: Europe 2 (1 with an officer), Asia 1 (1), Americas 1 (0): every delegation
    count is one or two, hidden; of the officers only Americas' 0 may be shown (ToR rules 7, 14)."""
    url = reverse("meetings:delegations", args=[counted["a"].pk])
    login_verified(client, secretariat)
    body = client.get(url).content.decode()
    assert "<tr><td>Europe</td><td>hidden</td><td>hidden</td></tr>" in body
    assert "<tr><td>Asia</td><td>hidden</td><td>hidden</td></tr>" in body
    assert "<tr><td>Americas</td><td>hidden</td><td>0</td></tr>" in body
    assert "no State can be recognised" in body
    # the Secretariat still reads which States registered, in a list that opens on demand
    assert "<summary>4 States registered</summary>" in body
    assert "<li>France · with enforcement officers</li>" in body and "<li>Mexico</li>" in body
    login_verified(client, delegate_party)
    body = client.get(url).content.decode()
    assert "<tr><td>Europe</td><td>hidden</td><td>hidden</td></tr>" in body
    assert "Registered States" not in body and "France" not in body


def test_the_delegations_page_shows_counts_large_enough_to_publish(client, counted, secretariat):
    meeting = counted["a"]
    for iso3 in ("DEU", "ITA", "ESP"):
        state = make_state(iso3, name=iso3)
        state.region = "Europe"
        state.save()
        register(meeting, state, UserFactory(state=state, participant_role=ParticipantRole.ENFORCEMENT))
    login_verified(client, secretariat)
    body = client.get(reverse("meetings:delegations", args=[meeting.pk])).content.decode()
    # Europe: 5 delegations, shown. Officers: Europe 4, Asia 1, Americas 0: Asia's 1 alone would
    # be the total less Europe's 4, so Europe's 4 is hidden with it.
    assert "<tr><td>Europe</td><td>5</td><td>hidden</td></tr>" in body
    assert "<tr><td>Asia</td><td>hidden</td><td>hidden</td></tr>" in body
    assert "<tr><td>Americas</td><td>hidden</td><td>0</td></tr>" in body


def test_overview_counts_no_meetings_and_reads_no_delegate_roles(client, counted, president):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_verified(client, president)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("participation:overview")).content.decode()
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not [q for q in sql if "SELECT COUNT(*)" in q]
    assert not [q for q in sql if '"USER__PARTICIPANT_ROLE"' in q]  # the delegates by role: not on this page
    assert "Meeting A (2026-03): 4." in body and 'class="pagination"' not in body
    assert client.get(reverse("participation:overview") + "?page=7").status_code == 200  # the last page


def test_the_delegations_page_reads_the_same_queries_for_four_and_for_forty_delegations(client, counted, secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = counted["a"]
    url = reverse("meetings:delegations", args=[meeting.pk])
    login_verified(client, secretariat)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(36):
        state = make_state(f"X{i:02d}", name=f"State {i:02d}")
        register(meeting, state, UserFactory(state=state, participant_role=ParticipantRole.ENFORCEMENT))
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert "<summary>40 States registered</summary>" in body
