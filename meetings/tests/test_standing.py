"""A delegate's standing, asked on every page of theirs: the State's eligibility today (ToR
rule 6) and whether they are the Chair in office (ToR rule 4), read in one query per request
and never kept beyond it."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from dief import clock
from dief.testing import appoint_chair, login_verified, make_state
from meetings.models import ChairAppointment
from meetings.queries import _meeting_scope, is_chair_in_office, procedural_today, state_eligible_today
from states.enums import TreatyEventKind
from states.models import TreatyEvent

pytestmark = pytest.mark.django_db


def _fresh(user):
    """``user`` as a new request loads it (meetings.backends: with its State joined)."""
    return User.objects.select_related("state").get(pk=user.pk)


def _orm_answers(user):
    """What the ORM says, query by query: the State's eligibility and the appointment."""
    today = procedural_today()
    eligible = bool(user.state_id) and user.state.is_eligible(today)  # the ORM's query of the events
    appointed = ChairAppointment.objects.in_office_on(today).filter(chair=user).exists()
    return eligible, eligible and appointed


@pytest.mark.parametrize(
    "status, term, confirmed",
    [
        ("state_party", (-10, 400), True),  # the Chair in office
        ("state_party", (-10, 400), False),  # an appointment not confirmed makes nobody Chair
        ("state_party", (-400, -1), True),  # a term that ended yesterday
        ("state_party", (1, 400), True),  # a term that starts tomorrow
        ("signatory", (-10, 400), True),
        ("signature_withdrawn", (-10, 400), True),  # the State is no longer eligible
        ("none", (-10, 400), True),  # a State with no treaty event at all
        ("state_party", None, None),  # no appointment
    ],
)
def test_one_query_gives_the_orms_answers_on_eligibility_and_the_chair(
    status, term, confirmed, django_assert_num_queries
):
    state = make_state("CHE", status=status, withdrawn=datetime.date(2019, 7, 18))
    user = User.objects.create(username="d", role="delegate", state=state)
    today = procedural_today()
    if term is not None:
        appointment = appoint_chair(
            user,
            appointed_on=today + datetime.timedelta(days=term[0]),
            term_ends_on=today + datetime.timedelta(days=term[1]),
        )
        if not confirmed:
            ChairAppointment.objects.filter(pk=appointment.pk).update(confirmed_at=None)
    expected = _orm_answers(_fresh(user))
    user = _fresh(user)
    with django_assert_num_queries(1):
        assert (state_eligible_today(user), is_chair_in_office(user)) == expected
        _meeting_scope(user)
        state_eligible_today(user)
    assert [(e.kind, e.date, e.state_id) for e in user.state._events()] == list(
        TreatyEvent.objects.filter(state=state).order_by("pk").values_list("kind", "date", "state_id")
    )


def test_a_future_consent_counts_from_its_date_only(django_assert_num_queries):
    state = make_state("CHE", status="signature_withdrawn", withdrawn=datetime.date(2019, 7, 18))
    TreatyEvent.objects.create(state=state, kind=TreatyEventKind.CONSENT, date=procedural_today())
    user = _fresh(User.objects.create(username="d", role="delegate", state=state))
    with django_assert_num_queries(1):
        assert state_eligible_today(user) and not is_chair_in_office(user)


def test_eligibility_asked_after_the_events_were_read_asks_nothing_more(delegate_party, django_assert_num_queries):
    user = _fresh(delegate_party)
    user.state.is_eligible(procedural_today())  # as a page may do first, through the ORM
    with django_assert_num_queries(0):
        assert state_eligible_today(user)


def test_a_national_authority_user_asks_the_events_only(national_authority, django_assert_num_queries):
    user = _fresh(national_authority)
    with django_assert_num_queries(1):
        assert state_eligible_today(user) and not is_chair_in_office(user)


def test_a_new_chair_and_a_lost_eligibility_show_on_the_very_next_request(client, delegate_party, meeting):
    login_verified(client, delegate_party)
    url = reverse("meetings:list")
    page = client.get(url)
    assert page.context["user_is_chair"] == False and page.context["user_state_eligible"] == True  # noqa: E712 - lazy
    appoint_chair(delegate_party, appointed_on=datetime.date(2020, 1, 1), term_ends_on=datetime.date(2099, 12, 31))
    page = client.get(url)
    assert page.context["user_is_chair"] == True  # noqa: E712 - a lazy object, compared by value
    yesterday = clock.today_in("UTC") - datetime.timedelta(days=1)
    TreatyEvent.objects.filter(state=delegate_party.state, kind=TreatyEventKind.CONSENT).delete()
    TreatyEvent.objects.create(state=delegate_party.state, kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=yesterday)
    page = client.get(url)
    assert page.context["user_is_chair"] == False and page.context["user_state_eligible"] == False  # noqa: E712
