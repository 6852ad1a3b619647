"""What is due: bilateral matters waiting for a State's answer appear for exactly the users who
must act, and their notices leave without content (ToR rules 15, 16, 17, 22)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from dief import clock
from dief.confidentiality import Classification
from dief.testing import UserFactory, login_verified, make_state
from due.services import LIFT_OBJECTION_WINDOW, bilateral_items_for_user, waiting_for_state
from exchange import services
from exchange.enums import Audience
from exchange.models import DisclosureConcern
from notifications.enums import NotificationKind
from notifications.models import Notification
from notifications.registry import may_receive

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(User, "is_verified", lambda self: True, raising=False)
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def delegate_mex(db):
    return UserFactory(username="delegate_mex", state=make_state("MEX", name="Mexico", status="state_party"))


@pytest.fixture
def record(delegate_party):
    return services.share_record(
        by=delegate_party,
        title="Broker network",
        audience=Audience.ALL_ELIGIBLE,
        information_types=["c"],
        diversion_details="A broker network.",
        investigation_status="closed",
    )


def _waiting_by_orm(state_id, now):
    """What :func:`due.services.waiting_for_state` answers, asked through the ORM."""
    from django.db.models import Exists, OuterRef

    from briefings.enums import BriefingStatus
    from briefings.models import Briefing, BriefingDecision
    from exchange.enums import LiftStatus
    from exchange.models import LiftObjection, LiftProposal, OperationalUseRequest
    from meetings.models import DelegationRegistration
    from states.models import State

    not_objected = ~Exists(LiftObjection.objects.filter(proposal=OuterRef("pk"), state_id=state_id))
    took_part = DelegationRegistration.objects.filter(state_id=state_id).values("meeting_id")
    not_decided = ~Exists(
        BriefingDecision.objects.filter(briefing=OuterRef("pk"), state_id=state_id, version=OuterRef("version"))
    )
    lifts = LiftProposal.objects.filter(not_objected, status=LiftStatus.OPEN, objections_close_at__gte=now)
    return (
        State.objects.filter(pk=state_id)
        .annotate(
            uses=Exists(
                OperationalUseRequest.objects.filter(record__provider_state_id=state_id, answered_at__isnull=True)
            ),
            concerns=Exists(DisclosureConcern.objects.filter(concerned_state_id=state_id, answered_at__isnull=True)),
            lifts=Exists(lifts.exclude(provider_state_id=state_id)),
            briefings=Exists(
                Briefing.objects.filter(not_decided, status=BriefingStatus.DRAFT, meeting_id__in=took_part)
            ),
        )
        .values("uses", "concerns", "lifts", "briefings")
        .get()
    )


def _actions(user):
    """The bilateral actions of ``user``; on the way, the written-out probe of what waits for
    its State is checked against the ORM's answer."""
    if user.state_id:
        assert waiting_for_state(user.state_id, clock.now()) == _waiting_by_orm(user.state_id, clock.now())
    return [str(i.action) for i in bilateral_items_for_user(user)[0]]


def test_an_operational_use_request_is_due_from_the_provider_only_and_notified_both_ways(
    record, delegate_party, delegate_other_party, delegate_mex, chair, secretariat
):
    request = services.request_operational_use(by=delegate_other_party, record=record, purpose="export_assessment")
    for user in (delegate_party, chair):  # the provider's delegates (the Chair is one of them)
        assert any("operational use" in a for a in _actions(user))
    for user in (delegate_other_party, delegate_mex, secretariat):
        assert not _actions(user)
    notices = Notification.objects.filter(kind=NotificationKind.USE_REQUESTED)
    assert {n.recipient for n in notices} == {delegate_party, chair}
    assert all(may_receive(n) for n in notices)
    assert all("Broker" not in str(n.context) for n in notices)
    services.answer_operational_use(by=delegate_party, request=request, answer="agreed")
    assert not _actions(delegate_party)
    answered = Notification.objects.filter(kind=NotificationKind.USE_ANSWERED)
    assert {n.recipient for n in answered} == {delegate_other_party}
    assert all(may_receive(n) for n in answered)
    from notifications.services import render

    for kind in (NotificationKind.USE_REQUESTED, NotificationKind.USE_ANSWERED):
        email = render(Notification.objects.select_related("recipient").filter(kind=kind).first())
        assert ("ToR rule 16" in email.body or "règle 16" in email.body) and "Broker" not in email.body
        assert f"/exchange/{record.pk}/#use" in email.body
    # Entitlement is asked again at sending: a requester's State that no longer sees the record.
    delegate_other_party.role = "national_authority"
    delegate_other_party.save(update_fields=["role"])
    assert not any(may_receive(n) for n in Notification.objects.filter(kind=NotificationKind.USE_ANSWERED))


def test_a_disclosure_concern_is_due_from_the_participant_it_was_raised_with_only(
    delegate_party, delegate_other_party, delegate_mex, secretariat
):
    concern = services.raise_concern(by=delegate_party, concerned_state=delegate_other_party.state, description="x")
    assert any("disclosure concern" in a for a in _actions(delegate_other_party))
    for user in (delegate_party, delegate_mex, secretariat):
        assert not _actions(user)
    services.answer_concern(by=delegate_other_party, concern=concern, explanation="y", remedial_measures="z")
    assert not _actions(delegate_other_party)


def test_a_lift_proposal_is_due_if_they_wish_from_the_other_participants_until_their_state_objects(
    client, record, delegate_party, delegate_other_party, delegate_mex, secretariat
):
    proposal = services.propose_lift(
        by=delegate_party, target=record, classification=Classification.LIFTED, version=record.classification_version
    )
    for user in (delegate_other_party, delegate_mex):
        items = bilateral_items_for_user(user)[0]
        assert [i.obligation for i in items] == [False] and items[0].ends_at == proposal.objections_close_at
    assert not _actions(delegate_party) and not _actions(secretariat)
    notices = Notification.objects.filter(kind=NotificationKind.LIFT_PROPOSED)
    assert {n.recipient for n in notices} == {delegate_other_party, delegate_mex}
    assert all(may_receive(n) for n in notices)
    login_verified(client, delegate_mex)
    page = client.get(reverse("due:list")).content.decode()
    assert "to lifting a classification" in page and "procedural time (Europe/Zurich)" in page
    services.object_to_lift(by=delegate_mex, proposal=proposal)
    assert not _actions(delegate_mex)
    assert not _actions(delegate_other_party)  # one objection blocks: nothing left to decide
    assert not any(may_receive(n) for n in Notification.objects.filter(kind=NotificationKind.LIFT_PROPOSED))


def test_a_briefing_outline_is_due_from_the_participating_states_until_they_decide(
    secretariat, president, chair, delegate_party, delegate_other_party, delegate_mex
):
    from briefings import services as briefing_services
    from dief.testing import meeting_factory
    from meetings.models import DelegationRegistration

    with time_machine.travel(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), tick=False):
        past = meeting_factory(
            start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Spring"
        )
    for user in (delegate_party, delegate_other_party):
        reg = DelegationRegistration.objects.create(
            meeting=past, state=user.state, registered_at=clock.now(), registered_by=user
        )
        reg.members.set([user])
    briefing = briefing_services.draft_briefing(by=chair, meeting=past, text="Trend: small consignments.")
    for user in (delegate_party, delegate_other_party):
        assert any("briefing outline" in a for a in _actions(user))
    assert not _actions(delegate_mex) and not _actions(secretariat)
    briefing_services.decide(by=delegate_other_party, briefing=briefing, decision="agree", version=1)
    assert not _actions(delegate_other_party)
    assert _actions(delegate_party)


def _concerns(n, delegate_party, delegate_other_party):
    DisclosureConcern.objects.bulk_create(
        DisclosureConcern(
            raised_by=delegate_party,
            raised_as="participant",
            raising_state=delegate_party.state,
            concerned_state=delegate_other_party.state,
            description="x",
            raised_at=clock.now(),
        )
        for _ in range(n)
    )


def test_what_is_due_reads_the_same_number_of_queries_for_10_and_1000_bilateral_matters(
    client, delegate_party, delegate_other_party, django_assert_max_num_queries
):
    login_verified(client, delegate_other_party)
    _concerns(10, delegate_party, delegate_other_party)
    client.get(reverse("due:list"))  # warm the per-process caches
    with django_assert_max_num_queries(60) as ten:
        page = client.get(reverse("due:list"))
    assert len(page.context["bilateral"]) == 10 and page.context["bilateral_more"] == 0
    _concerns(990, delegate_party, delegate_other_party)
    with django_assert_max_num_queries(len(ten.captured_queries)) as thousand:
        page = client.get(reverse("due:list"))
    assert len(page.context["bilateral"]) == 25 and page.context["bilateral_more"] == 975
    assert len(thousand.captured_queries) == len(ten.captured_queries)


def test_a_lift_proposal_on_a_record_shared_with_chosen_states_is_due_from_those_states_only(
    delegate_party, delegate_other_party, delegate_mex
):
    chosen = services.share_record(
        by=delegate_party,
        title="Chosen only",
        audience=Audience.CHOSEN,
        states=[delegate_other_party.state],
        information_types=["c"],
        diversion_details="A route.",
        investigation_status="closed",
    )
    services.propose_lift(
        by=delegate_party, target=chosen, classification=Classification.LIFTED, version=chosen.classification_version
    )
    # Mexico's State has a lift proposal open to objection in the platform, but not one it
    # sees: what waits for a State is only ever shown through what its delegate may see.
    assert [i.action for i in bilateral_items_for_user(delegate_other_party)[0]] == [LIFT_OBJECTION_WINDOW]
    assert bilateral_items_for_user(delegate_mex) == ([], 0)


def test_bilateral_matters_cost_one_query_when_nothing_waits_and_one_more_per_kind_that_does(
    record, delegate_party, delegate_other_party, chair, secretariat, president, django_assert_num_queries
):
    from briefings import services as briefing_services
    from dief.testing import meeting_factory
    from meetings.models import DelegationRegistration

    bilateral_items_for_user(delegate_party)  # the State's treaty events, read once a request
    with django_assert_num_queries(1):
        assert bilateral_items_for_user(delegate_party) == ([], 0)
    services.request_operational_use(by=delegate_other_party, record=record, purpose="export_assessment")
    services.raise_concern(by=delegate_other_party, concerned_state=delegate_party.state, description="x")
    other = services.share_record(
        by=delegate_other_party,
        title="Theirs",
        audience=Audience.ALL_ELIGIBLE,
        information_types=["c"],
        diversion_details="x",
        investigation_status="closed",
    )
    version = other.classification_version
    services.propose_lift(by=delegate_other_party, target=other, classification=Classification.LIFTED, version=version)
    with time_machine.travel(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), tick=False):
        past = meeting_factory(
            start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Spring"
        )
    reg = DelegationRegistration.objects.create(
        meeting=past, state=delegate_party.state, registered_at=clock.now(), registered_by=delegate_party
    )
    reg.members.set([delegate_party])
    briefing_services.draft_briefing(by=chair, meeting=past, text="Trend.")
    delegate_party = User.objects.get(pk=delegate_party.pk)
    bilateral_items_for_user(delegate_party)
    with django_assert_num_queries(5):
        items, total = bilateral_items_for_user(delegate_party)
    assert total == 4 and sorted(i.rule for i in items) == ["15", "15", "16", "22"]
    everything = {"uses": True, "concerns": True, "lifts": True, "briefings": True}
    assert waiting_for_state(delegate_party.state_id, clock.now()) == everything
    assert _waiting_by_orm(delegate_party.state_id, clock.now()) == everything


def test_what_is_due_reads_what_waits_for_the_state_with_the_upcoming_meetings(
    client, meeting, record, delegate_party, delegate_other_party
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from due.services import carried_waiting, upcoming_meetings_for_user

    def check(user):
        meetings = upcoming_meetings_for_user(User.objects.get(pk=user.pk), waiting_at=clock.now())
        assert meetings
        answer = waiting_for_state(user.state_id, clock.now())
        assert carried_waiting(meetings) == answer == _waiting_by_orm(user.state_id, clock.now())
        return answer

    assert not any(check(delegate_party).values())
    services.raise_concern(by=delegate_other_party, concerned_state=delegate_party.state, description="x")
    services.request_operational_use(by=delegate_other_party, record=record, purpose="export_assessment")
    assert check(delegate_party) == {"uses": True, "concerns": True, "lifts": False, "briefings": False}
    check(delegate_other_party)
    login_verified(client, delegate_party)
    client.get(reverse("due:list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("due:list"))
    assert len(response.context["bilateral"]) == 2
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT EXISTS")]
