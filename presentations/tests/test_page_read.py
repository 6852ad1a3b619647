"""The presentation page's written-out read (presentations.queries.presentation_page_or_404)
against the ORM's answers: the same presentation, meeting, ToR version, presenting State and
involved States for whoever sees it, the same 404s for everybody else, in one query."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from accounts.security import DeniedAccess, object_for_user_or_404
from presentations import queries, services
from presentations.queries import presentation_page_or_404, presentations_for_user

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))
PEOPLE = (
    "secretariat",
    "delegate_party",
    "delegate_other_party",
    "delegate_signatory",
    "chair",
    "president",
    "national_authority",
    "outsider",
    "superuser",
)


@pytest.fixture
def presentations(meeting, delegate_party, delegate_signatory, other_party, signatory_state):
    with time_machine.travel(EARLY, tick=False):
        named = services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles", summary="S"
        )
        services.notify_involved_states(by=delegate_party, presentation=named, states=[signatory_state, other_party])
        alone = services.register_presentation(
            by=delegate_party, meeting=meeting, kind="information", title="Alone", summary="S"
        )
    return named, alone


def _orm(user, pk):
    try:
        presentation = object_for_user_or_404(
            presentations_for_user(user).select_related("meeting__tor_version", "presenting_state"), pk=pk
        )
    except Http404 as exc:
        return type(exc)
    return presentation, list(presentation.involved_states.select_related("state"))


def _values(instance):
    return instance and [getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields]


def _same(read, orm):
    (p, involved), (theirs, their_involved) = read, orm
    assert _values(p) == _values(theirs)
    assert _values(p.meeting) == _values(theirs.meeting)
    assert _values(p.meeting.tor_version) == _values(theirs.meeting.tor_version)
    assert _values(p.presenting_state) == _values(theirs.presenting_state)
    assert [(_values(i), _values(i.state), i.presentation.pk) for i in involved] == [
        (_values(i), _values(i.state), i.presentation.pk) for i in their_involved
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_page_read_gives_the_orms_presentation_and_involved_states_or_its_404(who, presentations, request):
    user = request.getfixturevalue(who)
    user.is_verified = lambda: True
    for presentation in presentations:
        orm = _orm(user, presentation.pk)
        if isinstance(orm, type):
            with pytest.raises(orm):
                presentation_page_or_404(user, presentation.pk)
        else:
            _same(presentation_page_or_404(user, presentation.pk), orm)
    with pytest.raises(Http404) as missing:
        presentation_page_or_404(user, presentations[1].pk + 100)
    assert not isinstance(missing.value, DeniedAccess)


def test_a_registered_participant_sees_the_page_once_its_delegation_is_registered(
    presentations, meeting, delegate_signatory, delegate_other_party
):
    named, alone = presentations
    delegate_signatory.is_verified = lambda: True
    with pytest.raises(DeniedAccess):
        presentation_page_or_404(delegate_signatory, alone.pk)
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(by=delegate_signatory, meeting=meeting, members=[delegate_signatory])
    _same(presentation_page_or_404(delegate_signatory, alone.pk), _orm(delegate_signatory, alone.pk))
    involved = presentation_page_or_404(delegate_signatory, named.pk)[1]
    assert [i.state.name for i in involved] == sorted(i.state.name for i in involved) and len(involved) == 2


@pytest.mark.parametrize("who", ["secretariat", "delegate_party", "delegate_other_party", "chair"])
def test_whoever_sees_the_page_is_read_in_one_written_out_query(who, presentations, request, django_assert_num_queries):
    user = request.getfixturevalue(who)
    user.is_verified = lambda: True
    assert queries.written_scope(user) is not None  # the Chair's and the delegates' standing read here
    with mock.patch.object(queries, "object_for_user_or_404", side_effect=AssertionError("read by the ORM")):
        with django_assert_num_queries(1):
            presentation, involved = presentation_page_or_404(user, presentations[0].pk)
        with django_assert_num_queries(0):
            assert presentation.meeting.tor_version and presentation.presenting_state.name
            assert [i.state.name for i in involved]


def test_experts_and_those_who_see_nothing_are_read_by_the_orm(presentations, president, superuser, outsider):
    for user in (president, superuser, outsider):
        user.is_verified = lambda: True
        assert queries.written_scope(user) is None
