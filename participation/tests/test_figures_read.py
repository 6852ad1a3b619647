"""The written-out read of the participation figures (participation.stats._read_figures) gives
exactly the ORM's answers: the delegations per meeting and region with those including an
enforcement officer, and the presenting States in name order."""

from django.db.models import Count, Q

from dief.testing import UserFactory, make_state
from meetings.models import DelegationRegistration
from participation import stats
from participation.tests.test_participation import counted, present, register  # noqa: F401 - the fixture
from presentations.enums import PresentationStatus
from presentations.models import Presentation


def _orm(ids):
    delegations = (
        DelegationRegistration.objects.filter(meeting_id__in=ids)
        .values_list("meeting_id", "state__region")
        .annotate(
            total=Count("pk", distinct=True),
            officers=Count("pk", distinct=True, filter=Q(members__participant_role__in=stats.OFFICER_ROLES)),
        )
        .order_by()
    )
    presenting = (
        Presentation.objects.filter(meeting_id__in=ids)
        .exclude(status=PresentationStatus.WITHDRAWN)
        .values_list("meeting_id", "presenting_state__region", "presenting_state__name", "presenting_state__iso3")
        .distinct()
        .order_by("presenting_state__name")
    )
    return sorted(delegations), list(presenting)


def test_the_written_out_figures_are_the_orms(counted):  # noqa: F811 - the fixture
    a, b = counted["a"], counted["b"]
    # a State without a region, a delegation without members, an officer in a second State of a region
    nowhere = make_state("NWH", name="Nowhere", status="state_party")
    nowhere.region = ""
    nowhere.save()
    DelegationRegistration.objects.create(
        meeting=b, state=nowhere, registered_at=a.created_at, registered_by=counted["che_pol"]
    )
    aut = make_state("AUT", name="Austria", status="state_party")
    aut.region = "Europe"
    aut.save()
    aut_enf = UserFactory(username="aut_enf", state=aut, participant_role="enforcement")
    register(b, aut, aut_enf, UserFactory(username="aut_pol", state=aut, participant_role="policy"))
    present(b, aut_enf)
    present(b, aut_enf, status=PresentationStatus.WITHDRAWN)
    for ids in ([a.pk], [b.pk], [a.pk, b.pk], [b.pk, a.pk, 10**9]):
        delegations, presenting = stats._read_figures(ids)
        assert (sorted(delegations), presenting) == _orm(ids)
    delegations, _presenting = stats._read_figures([b.pk])
    assert sorted(delegations, key=lambda row: row[1]) == [(b.pk, "", 1, 0), (b.pk, "Europe", 2, 2)]
    assert stats._read_figures([]) == ([], [])


def test_the_figures_of_a_page_of_meetings_are_one_query(counted, django_assert_num_queries):  # noqa: F811
    from meetings.models import Meeting

    meetings = list(Meeting.objects.filter(pk__in=[counted["a"].pk, counted["b"].pk]).order_by("start_date"))
    with django_assert_num_queries(1):
        fa, fb = stats.figures(meetings, roles=False)
    assert (fa.delegations, fa.with_officer, fa.presenting, fb.delegations) == (4, 2, 2, 1)
    names = [s.name for s in fa.presenting_states]
    assert names == sorted(names) and len(names) == 2
