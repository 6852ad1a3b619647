"""Consent apart from the reply, where it stands, and pages that say why instead of offering
an action the rules refuse now (ToR rules 11, 12)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agendas import services as agenda_services
from dief.errors import RuleViolation
from dief.testing import login_verified
from presentations import services
from presentations.enums import Consent, ConsentStanding
from presentations.models import Presentation

ZURICH = ZoneInfo("Europe/Zurich")
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)
AFTER_T30 = datetime.datetime(2099, 2, 19, 0, 0, 1, tzinfo=ZURICH)
AT_MEETING = datetime.datetime(2099, 3, 20, 9, 0, tzinfo=ZURICH)


def at(instant):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def needs_consent(meeting, delegate_party):
    with at(EARLY):
        return services.register_presentation(
            by=delegate_party,
            meeting=meeting,
            kind="case",
            title="Needs consent",
            summary="S",
            consent_legally_required=True,
        )


def adopt_agenda(meeting, secretariat, chair):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
    with at(AT_MEETING):
        agenda_services.adopt(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))


def test_a_state_that_replied_without_consenting_can_still_consent(
    needs_consent, other_party, delegate_party, delegate_other_party
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=needs_consent, states=[other_party])
        services.submit_reply(by=delegate_other_party, presentation=needs_consent, text="We will look into it")
        assert services.consent_standing(needs_consent) == ConsentStanding.AWAITED
        assert not services.can_be_scheduled(needs_consent)
        services.set_consent(by=delegate_other_party, presentation=needs_consent, consent=True)
    involved = needs_consent.involved_states.get()
    assert involved.consent == Consent.GIVEN
    assert involved.consent_recorded_at == EARLY and involved.consent_recorded_by == delegate_other_party
    assert services.can_be_scheduled(needs_consent)


def test_consent_can_be_withheld_then_changed_until_the_agenda_is_adopted(
    needs_consent, other_party, delegate_party, delegate_other_party, secretariat, chair
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=needs_consent, states=[other_party])
        services.set_consent(by=delegate_other_party, presentation=needs_consent, consent=False)
        assert services.consent_standing(needs_consent) == ConsentStanding.WITHHELD
        services.set_consent(by=delegate_other_party, presentation=needs_consent, consent=True)
        assert services.consent_standing(needs_consent) == ConsentStanding.ALL_GIVEN
    adopt_agenda(needs_consent.meeting, secretariat, chair)
    with at(AT_MEETING), pytest.raises(RuleViolation, match="adopted") as refused:
        services.set_consent(by=delegate_other_party, presentation=needs_consent, consent=False)
    assert refused.value.rule == "12"
    assert needs_consent.involved_states.get().consent == Consent.GIVEN


def test_only_involved_states_give_consent(needs_consent, other_party, delegate_party, delegate_signatory):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=needs_consent, states=[other_party])
        for user in (delegate_party, delegate_signatory):
            with pytest.raises(RuleViolation, match="ToR rule 12"):
                services.set_consent(by=user, presentation=needs_consent, consent=True)


def test_without_any_involved_state_consent_is_not_said_to_be_given(needs_consent, client, delegate_party):
    assert services.consent_standing(needs_consent) == ConsentStanding.NO_INVOLVED_STATE
    assert not services.can_be_scheduled(needs_consent)
    with at(EARLY):
        login_verified(client, delegate_party)
        page = client.get(reverse("presentations:detail", args=[needs_consent.pk])).content.decode()
    assert "every involved State" not in page.replace("until every involved State", "")
    assert "no involved State is named yet" in page


def test_consent_form_on_the_page_records_consent_apart_from_the_reply(
    needs_consent, other_party, delegate_party, delegate_other_party, client
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=needs_consent, states=[other_party])
        services.submit_reply(by=delegate_other_party, presentation=needs_consent, text="Reply")
    url = reverse("presentations:detail", args=[needs_consent.pk])
    with at(EARLY):
        login_verified(client, delegate_other_party)
        page = client.get(url).content.decode()
        assert reverse("presentations:consent", args=[needs_consent.pk]) in page
        assert reverse("presentations:reply", args=[needs_consent.pk]) not in page  # replied once already
        client.post(reverse("presentations:consent", args=[needs_consent.pk]), {"consent": "no"})
    assert needs_consent.involved_states.get().consent == Consent.REFUSED
    presenter = client.__class__()
    with at(EARLY):
        login_verified(presenter, delegate_party)
        page = presenter.get(url).content.decode()
    assert "withheld" in page and "since" in page


def test_notify_form_is_replaced_by_the_reason_after_t_minus_30(needs_consent, delegate_party, client, other_party):
    url = reverse("presentations:detail", args=[needs_consent.pk])
    notify_url = reverse("presentations:notify", args=[needs_consent.pk])
    with at(EARLY):
        login_verified(client, delegate_party)
        assert notify_url in client.get(url).content.decode()
    with at(AFTER_T30):
        login_verified(client, delegate_party)
        page = client.get(url).content.decode()
        assert notify_url not in page
        assert "ToR rule 12" in page and "has passed" in page
        assert not services.can_notify_involved_states(delegate_party, needs_consent)
        client.post(notify_url, {"states": [other_party.pk]})
    assert not needs_consent.involved_states.exists()


def test_right_of_reply_form_appears_only_from_the_meetings_first_day(
    needs_consent, other_party, delegate_party, delegate_other_party, chair, secretariat, client
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=needs_consent, states=[other_party])
    involved = needs_consent.involved_states.get()
    ror_url = reverse("presentations:right_of_reply", args=[needs_consent.pk, involved.pk])
    url = reverse("presentations:detail", args=[needs_consent.pk])
    with at(EARLY):
        login_verified(client, chair)
        page = client.get(url).content.decode()
        assert ror_url not in page
        assert "from 20" in page and "ToR rule 12" in page
    with at(AT_MEETING):
        login_verified(client, chair)
        page = client.get(url).content.decode()
        assert ror_url not in page and "not on the adopted agenda" in page
    with at(EARLY):
        services.set_consent(by=delegate_other_party, presentation=needs_consent, consent=True)
        meeting = needs_consent.meeting
        agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=needs_consent)
    adopt_agenda(meeting, secretariat, chair)
    with at(AT_MEETING):
        login_verified(client, chair)
        assert ror_url in client.get(url).content.decode()


def test_registration_form_keeps_the_adopted_meeting_and_cites_rule_11(
    meeting, delegate_party, secretariat, chair, client
):
    adopt_agenda(meeting, secretariat, chair)
    url = reverse("presentations:create")
    with at(AT_MEETING):
        login_verified(client, delegate_party)
        page = client.get(url, {"meeting": meeting.pk}).content.decode()
        assert 'role="alert">The agenda of this meeting was adopted on' in page
        assert meeting.title in page
        response = client.post(url, {"meeting": meeting.pk, "kind": "case", "title": "Late", "summary": "S"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" not in page
    assert "ToR rule 11" in page
    assert not Presentation.objects.filter(title="Late").exists()


def test_meeting_page_offers_registration_only_while_open(meeting, delegate_party, secretariat, chair, client):
    create = reverse("presentations:create") + f"?meeting={meeting.pk}"
    with at(EARLY):
        login_verified(client, delegate_party)
        assert create in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    adopt_agenda(meeting, secretariat, chair)
    with at(AT_MEETING):
        login_verified(client, delegate_party)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert create not in page and "ToR rule 11" in page


def test_delegation_form_gives_way_to_the_reason_once_the_meeting_ended(meeting, delegate_party, client):
    url = reverse("meetings:delegations", args=[meeting.pk])
    register = reverse("meetings:delegation_register", args=[meeting.pk])
    with at(EARLY):
        login_verified(client, delegate_party)
        assert register in client.get(url).content.decode()
    with at(datetime.datetime(2099, 3, 21, 9, 0, tzinfo=ZURICH)):
        login_verified(client, delegate_party)
        page = client.get(url).content.decode()
    assert register not in page and "ToR rule 7" in page


def test_the_agenda_refusal_says_no_involved_state_is_named_yet(needs_consent, meeting, secretariat):
    with at(EARLY), pytest.raises(RuleViolation, match="no involved State is named yet") as refused:
        agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=needs_consent)
    assert refused.value.rule == "12" and "every involved State named has consented" not in refused.value.message


@pytest.mark.django_db(transaction=True)
def test_a_consent_withdrawn_while_the_agenda_is_adopted_never_lands_after_adoption(
    secretariat, president, party, other_party, chair, delegate_party, delegate_other_party
):
    import threading

    from django.db import connection

    from dief.testing import meeting_factory, tor_version

    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    tor_version()
    meeting = meeting_factory(start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president)
    with at(EARLY):
        p = services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="C", summary="S", consent_legally_required=True
        )
        services.notify_involved_states(by=delegate_party, presentation=p, states=[other_party])
        services.set_consent(by=delegate_other_party, presentation=p, consent=True)
        agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=p)
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(name, call):
        with at(AT_MEETING):
            barrier.wait()
            try:
                call()
                outcomes[name] = "done"
            except RuleViolation as exc:
                outcomes[name] = str(exc)
            finally:
                connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=(
                "adopt",
                lambda: agenda_services.adopt(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting)),
            ),
        ),
        threading.Thread(
            target=run,
            args=("withhold", lambda: services.set_consent(by=delegate_other_party, presentation=p, consent=False)),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    meeting.refresh_from_db()
    involved = p.involved_states.get()
    assert len(outcomes) == 2
    if meeting.agenda_adopted_at is not None:
        assert involved.consent == Consent.GIVEN, outcomes  # the withdrawal was refused, citing adoption
    else:
        assert involved.consent == Consent.REFUSED and outcomes["withhold"] == "done", outcomes
