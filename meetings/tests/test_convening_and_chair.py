"""Who records what: the President's decision to convene (ToR rule 3), the Chair's own
consultation (rule 9), a successor Chair in one step (rule 4), who receives the invitation
(rule 9), and the one order of meeting lists."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.enums import ParticipantRole
from dief.errors import RuleViolation
from dief.testing import UserFactory, login_verified, make_state, meeting_factory
from meetings import services
from meetings.models import ChairAppointment, Meeting
from meetings.queries import current_chair_appointment, in_list_order
from notifications import services as outbox
from notifications.models import Notification

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def draft_meeting(secretariat, **extra):
    return services.convene_meeting(
        by=secretariat,
        title="Forum 2027",
        start_date=datetime.date(2027, 5, 20),
        end_date=datetime.date(2027, 5, 20),
        venue="Geneva",
        host_session="preparatory",
        host_session_name="CSP13 first preparatory meeting",
        procedural_time_zone="Europe/Zurich",
        **extra,
    )


def test_a_meeting_drafted_without_a_decision_awaits_the_president(secretariat, president, chair, client):
    meeting = draft_meeting(secretariat)
    assert not meeting.is_convened
    services.record_chair_consultation(by=secretariat, meeting=meeting, note="by phone")
    with pytest.raises(RuleViolation, match="ToR rule 3"):
        services.send_invitation(by=secretariat, meeting=meeting)
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:invitation", args=[meeting.pk])).content.decode()
    assert reverse("meetings:invitation_send", args=[meeting.pk]) not in page
    assert "decision to convene this meeting is not recorded yet (ToR rule 3)" in page


def test_the_president_records_their_own_decision_from_the_meeting_page(secretariat, president, client):
    meeting = draft_meeting(secretariat)
    login_verified(client, president)
    url = reverse("meetings:detail", args=[meeting.pk])
    assert reverse("meetings:convene", args=[meeting.pk]) in client.get(url).content.decode()
    client.post(reverse("meetings:convene", args=[meeting.pk]), {"consulted_chair": "on"})
    meeting.refresh_from_db()
    assert (meeting.convened_by, meeting.convened_on, meeting.convening_recorded_by) == (president, TODAY, president)
    assert not meeting.convening_on_paper and meeting.consulted_chair
    page = client.get(url).content.decode()
    assert reverse("meetings:convene", args=[meeting.pk]) not in page
    assert "Recorded by the President in the application." in page


def test_only_the_president_records_a_decision_and_only_once(secretariat, president, delegate_party):
    meeting = draft_meeting(secretariat)
    for user in (secretariat, delegate_party):
        with pytest.raises(RuleViolation, match="ToR rule 3"):
            services.record_convening_decision(by=user, meeting=meeting)
    services.record_convening_decision(by=president, meeting=meeting)
    services.record_convening_decision(by=president, meeting=meeting)  # a double click
    other = UserFactory(username="president2", role="csp_president", participant_role="")
    with pytest.raises(RuleViolation, match="recorded"):
        services.record_convening_decision(by=other, meeting=meeting)


def test_a_decision_on_paper_is_marked_with_who_recorded_it(secretariat, president, client):
    meeting = draft_meeting(secretariat, convened_by=president, convened_on=datetime.date(2026, 11, 20))
    assert meeting.is_convened and meeting.convening_on_paper and meeting.convening_recorded_by == secretariat
    login_verified(client, president)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Decision taken on paper, recorded by secretariat (Secretariat)." in page
    assert reverse("meetings:convene", args=[meeting.pk]) not in page


def test_the_chair_records_their_own_consultation_and_comments(meeting, chair, secretariat, client):
    login_verified(client, chair)
    url = reverse("meetings:invitation", args=[meeting.pk])
    assert "Record my consultation and comments" in client.get(url).content.decode()
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]), {"note": "Add the venue's room."})
    invitation = meeting.invitation
    invitation.refresh_from_db()
    assert invitation.chair_consultation_recorded_by == chair and not invitation.chair_consultation_on_paper
    assert invitation.chair_consulted_on == TODAY and invitation.chair_consultation_note == "Add the venue's room."
    login_verified(client, secretariat)
    page = client.get(url).content.decode()
    assert "Recorded by the Chair in the application." in page and "Add the venue&#x27;s room." in page


def test_a_consultation_typed_in_by_the_secretariat_is_marked_as_such(meeting, chair, secretariat, client):
    login_verified(client, secretariat)
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]), {"note": "By phone"})
    meeting.invitation.refresh_from_db()
    assert meeting.invitation.chair_consultation_on_paper
    page = client.get(reverse("meetings:invitation", args=[meeting.pk])).content.decode()
    assert "recorded by secretariat (Secretariat)" in page


def test_a_delegate_who_is_not_chair_cannot_record_the_consultation(meeting, chair, delegate_other_party):
    with pytest.raises(RuleViolation, match="ToR rule 9"):
        services.record_chair_consultation(by=delegate_other_party, meeting=meeting, note="me")


def test_the_secretariat_sees_which_states_no_invitation_reaches(meeting, chair, secretariat, delegate_party, client):
    silent = make_state("NOR", name="Norway", status="state_party")
    reach = services.invitation_reach(meeting)
    assert silent in reach["none"] and delegate_party.state in reach["delegates"]
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:invitation", args=[meeting.pk])).content.decode()
    assert "with no recipient" in page and "Norway" in page


def test_a_national_point_of_contact_receives_the_invitation_without_content(
    meeting, chair, secretariat, delegate_party, client, django_capture_on_commit_callbacks
):
    silent = make_state("NOR", name="Norway", status="state_party")
    login_verified(client, secretariat)
    client.post(
        reverse("meetings:invitation_point_of_contact", args=[meeting.pk, silent.pk]), {"email": "dief@mfa.example"}
    )
    silent.refresh_from_db()
    assert silent.point_of_contact_email == "dief@mfa.example" and silent.point_of_contact_recorded_by == secretariat
    assert silent in services.invitation_reach(meeting)["point_of_contact"]
    services.record_chair_consultation(by=secretariat, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(by=secretariat, meeting=meeting)
    to_contact = [m for m in mail.outbox if m.to == ["dief@mfa.example"]]
    assert len(to_contact) == 1
    assert "national point of contact" in to_contact[0].body and "Geneva" not in to_contact[0].body
    assert Notification.objects.filter(address="dief@mfa.example", recipient=None).count() == 1


def test_a_contact_recorded_after_sending_receives_the_sent_invitation_once(meeting, chair, secretariat):
    silent = make_state("NOR", name="Norway", status="state_party")
    services.record_chair_consultation(by=secretariat, meeting=meeting)
    services.send_invitation(by=secretariat, meeting=meeting)
    services.record_point_of_contact(by=secretariat, state=silent, email="dief@mfa.example")
    services.record_point_of_contact(by=secretariat, state=silent, email="dief@mfa.example")
    outbox.send_pending()
    assert [m.to for m in mail.outbox].count(["dief@mfa.example"]) == 1


def test_only_the_secretariat_records_a_point_of_contact(meeting, delegate_party):
    with pytest.raises(RuleViolation, match="ToR rule 5"):
        services.record_point_of_contact(by=delegate_party, state=delegate_party.state, email="x@example.org")


def test_an_invalid_point_of_contact_address_is_refused_citing_rule_9(secretariat, party):
    with pytest.raises(RuleViolation, match="ToR rule 9"):
        services.record_point_of_contact(by=secretariat, state=party, email="not an address")


@pytest.fixture
def successor(other_party):
    return UserFactory(username="successor", state=other_party, participant_role=ParticipantRole.POLICY)


def test_an_overlapping_appointment_is_refused_and_points_to_succession(president, chair, successor):
    with pytest.raises(RuleViolation, match="appoint a successor"):
        services.appoint_chair(
            by=president,
            chair=successor,
            appointed_on=TODAY,
            term_ends_with="CSP13",
            term_ends_on=datetime.date(2027, 9, 30),
        )


def test_the_president_ends_the_term_and_appoints_the_successor_in_one_step(president, chair, successor):
    start = TODAY + datetime.timedelta(days=10)
    new = services.appoint_chair(
        by=president,
        chair=successor,
        appointed_on=start,
        term_ends_with="CSP13",
        term_ends_on=datetime.date(2027, 9, 30),
        succeed_current=True,
    )
    old = ChairAppointment.objects.get(chair=chair)
    assert old.term_ends_on == start - datetime.timedelta(days=1) and old.ended_early_by == president
    for day in (TODAY, start - datetime.timedelta(days=1), start, datetime.date(2027, 9, 30)):
        assert ChairAppointment.objects.in_office_on(day).count() == 1
    with time_machine.travel(datetime.datetime(2026, 12, 12, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert current_chair_appointment() == new


def test_a_successor_cannot_take_office_in_the_past(president, chair, successor):
    with pytest.raises(RuleViolation, match="ToR rule 4"):
        services.appoint_chair(
            by=president,
            chair=successor,
            appointed_on=TODAY - datetime.timedelta(days=1),
            term_ends_with="CSP13",
            term_ends_on=datetime.date(2027, 9, 30),
            succeed_current=True,
        )
    assert ChairAppointment.objects.get(chair=chair).term_ends_on == datetime.date(2099, 12, 31)


def test_the_chair_page_offers_succession_to_the_president(president, chair, successor, client):
    login_verified(client, president)
    url = reverse("meetings:chair")
    assert "succeed_current" in client.get(url).content.decode()
    client.post(
        url,
        {
            "chair": successor.pk,
            "appointed_on": TODAY.isoformat(),
            "term_ends_with": "CSP13",
            "term_ends_on": "2027-09-30",
            "succeed_current": "on",
        },
    )
    assert current_chair_appointment().chair == successor
    assert "ended early by" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_successors_at_once_leave_one_chair_in_office(president, chair, successor, other_party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    second = UserFactory(username="second", state=other_party, participant_role=ParticipantRole.POLICY)
    barrier = threading.Barrier(2)
    outcomes = []

    def appoint(user):
        barrier.wait()
        try:
            services.appoint_chair(
                by=president,
                chair=user,
                appointed_on=TODAY + datetime.timedelta(days=5),
                term_ends_with="CSP13",
                term_ends_on=datetime.date(2027, 9, 30),
                succeed_current=True,
            )
            outcomes.append("appointed")
        except RuleViolation as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=appoint, args=(u,)) for u in (successor, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("appointed") == 1
    for day in (TODAY, TODAY + datetime.timedelta(days=5), datetime.date(2027, 9, 30)):
        assert ChairAppointment.objects.in_office_on(day).count() == 1


def test_meeting_lists_put_the_soonest_upcoming_first_then_past_latest_first(
    secretariat, president, party, client, django_assert_max_num_queries
):
    dates = [datetime.date(2025, 3, 1), datetime.date(2027, 6, 1), datetime.date(2026, 6, 1), datetime.date(2027, 2, 1)]
    for d in dates:
        meeting_factory(start_date=d, created_by=secretariat, convened_by=president, title=f"M {d.isoformat()}")
    ordered = [m.start_date for m in in_list_order(Meeting.objects.all())]
    assert ordered == [
        datetime.date(2027, 2, 1),
        datetime.date(2027, 6, 1),
        datetime.date(2026, 6, 1),
        datetime.date(2025, 3, 1),
    ]
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:list")).content.decode()
    positions = [page.index(f"M {d.isoformat()}") for d in sorted(ordered[:2]) + ordered[2:]]
    assert positions == sorted(positions)
    assert "upcoming and ongoing meetings first" in page


def test_a_point_of_contact_of_a_state_no_longer_eligible_is_not_written_to(meeting, chair, secretariat):
    from states.enums import TreatyEventKind

    leaving = make_state("NOR", name="Norway", status="signatory")
    services.record_point_of_contact(by=secretariat, state=leaving, email="dief@mfa.example")
    services.record_chair_consultation(by=secretariat, meeting=meeting)
    services.send_invitation(by=secretariat, meeting=meeting)
    leaving.treaty_events.create(kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=TODAY)
    outbox.send_pending()
    assert ["dief@mfa.example"] not in [m.to for m in mail.outbox]
    row = Notification.objects.get(address="dief@mfa.example")
    assert row.withheld_at is not None and row.sent_at is None
