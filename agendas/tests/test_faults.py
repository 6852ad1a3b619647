"""Agenda faults found in trials, pinned: decisions name what was seen, double clicks do a thing
once, GET writes nothing, the Chair records their own consultation, each step has its time,
items move, the right of reply follows the adopted agenda, pages offer only what the rules allow."""

import datetime
import re
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agendas import services as agenda_services
from agendas.enums import AgendaStatus
from agendas.models import Agenda, AgendaConsultation, AgendaItem, AgendaVersion
from dief.errors import RuleViolation
from dief.testing import login_verified, meeting_factory
from notifications.enums import NotificationKind
from notifications.models import Notification
from presentations import services as presentation_services
from presentations.enums import Consent, PresentationKind, RightOfReply
from presentations.models import InvolvedState

ZURICH = ZoneInfo("Europe/Zurich")
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)
AT_MEETING = datetime.datetime(2099, 3, 20, 9, 0, tzinfo=ZURICH)


def at(instant):
    return time_machine.travel(instant, tick=False)


def edition(meeting) -> int:
    return agenda_services.current_edition(meeting)


def page(client, meeting) -> str:
    return client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()


def seen_on_page(html: str) -> str:
    """The edition the page's decision forms carry."""
    return re.search(r'name="edition" value="(\d+)"', html).group(1)


def titles(meeting) -> list[str]:
    return list(AgendaItem.objects.filter(agenda__meeting=meeting).order_by("position").values_list("title", flat=True))


@pytest.fixture
def drafted(meeting, secretariat):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Closing")
    return meeting


@pytest.fixture
def distributed(drafted, chair, secretariat):
    with at(EARLY):
        agenda_services.approve(by=chair, meeting=drafted, seen=edition(drafted))
        agenda_services.distribute(by=secretariat, meeting=drafted, seen=edition(drafted))
    return drafted


# The Chair approves only what they saw ------------------------------------------------------


def test_the_chair_cannot_approve_an_item_added_after_they_opened_the_agenda(client, drafted, chair, secretariat):
    login_verified(client, chair)
    seen = seen_on_page(page(client, drafted))
    agenda_services.add_item(by=secretariat, meeting=drafted, title="Any other business")
    response = client.post(reverse("meetings:agenda_approve", args=[drafted.pk]), {"edition": seen}, follow=True)
    html = response.content.decode()
    assert "The agenda changed since you opened it" in html and "“Any other business” added" in html
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.DRAFT
    # On the page as it is now, the approval goes through.
    client.post(reverse("meetings:agenda_approve", args=[drafted.pk]), {"edition": seen_on_page(html)})
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.APPROVED


def test_a_decision_that_names_no_version_is_refused(client, drafted, chair):
    login_verified(client, chair)
    response = client.post(reverse("meetings:agenda_approve", args=[drafted.pk]), follow=True)
    assert "did not say which version of the agenda" in response.content.decode()
    with pytest.raises(RuleViolation):
        agenda_services.approve(by=chair, meeting=drafted, seen="x")
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.DRAFT


def test_adoption_and_release_are_refused_on_a_version_changed_since(distributed, chair, secretariat):
    seen = edition(distributed)
    with at(EARLY):
        opening = AgendaItem.objects.get(title="Opening")
        agenda_services.remove_item(by=secretariat, meeting=distributed, item_pk=opening.pk, changes="dropped")
    with at(AT_MEETING):
        with pytest.raises(RuleViolation, match="“Opening” removed"):
            agenda_services.adopt(by=chair, meeting=distributed, seen=seen)
        closing = AgendaItem.objects.get(title="Closing")
        with pytest.raises(RuleViolation, match="changed since"):
            agenda_services.release_item(
                by=chair, meeting=distributed, item_pk=closing.pk, decision="consensus", seen=seen
            )
        assert not Agenda.objects.get(meeting=distributed).is_adopted
        agenda_services.adopt(by=chair, meeting=distributed, seen=edition(distributed))


@pytest.mark.django_db(transaction=True)
def test_approval_and_a_concurrent_edit_never_approve_the_unseen_item(secretariat, president, party, chair):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    meeting = meeting_factory(start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president)
    agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    seen = edition(meeting)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(step):
        barrier.wait()
        try:
            step()
            outcomes.append("done")
        except RuleViolation as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: agenda_services.approve(by=chair, meeting=meeting, seen=seen),)),
        threading.Thread(
            target=run, args=(lambda: agenda_services.add_item(by=secretariat, meeting=meeting, title="Late item"),)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    agenda = Agenda.objects.get(meeting=meeting)
    assert titles(meeting) == ["Opening", "Late item"]
    # Whichever came first, the agenda with the item the Chair did not see is not approved.
    assert agenda.status == AgendaStatus.DRAFT and agenda.approved_at is None
    assert len(outcomes) == 2


# Double clicks do a thing once --------------------------------------------------------------


def test_two_identical_removals_after_distribution_make_one_revision_and_one_notice(
    client, distributed, secretariat, delegate_party, delegate_signatory
):
    login_verified(client, secretariat)
    item = AgendaItem.objects.get(title="Opening")
    url = reverse("meetings:agenda_remove_item", args=[distributed.pk, item.pk])
    client.post(url, {"changes": "Opening dropped"})
    response = client.post(url, {"changes": "Opening dropped"}, follow=True)
    assert response.status_code == 200 and "already removed" in response.content.decode()
    assert list(AgendaVersion.objects.values_list("number", flat=True)) == [0, 1]
    revised = Notification.objects.filter(kind=NotificationKind.AGENDA_REVISED)
    assert revised.filter(recipient=delegate_party).count() == 1
    assert revised.filter(recipient=delegate_signatory).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_removals_make_one_revision(secretariat, president, party, chair, delegate_party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    meeting = meeting_factory(start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president)
    agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    item = agenda_services.add_item(by=secretariat, meeting=meeting, title="Other business")
    agenda_services.approve(by=chair, meeting=meeting, seen=edition(meeting))
    agenda_services.distribute(by=secretariat, meeting=meeting, seen=edition(meeting))
    barrier = threading.Barrier(2)
    outcomes = []

    def remove():
        barrier.wait()
        try:
            outcomes.append(
                agenda_services.remove_item(by=secretariat, meeting=meeting, item_pk=item.pk, changes="dropped")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=remove) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True]
    assert list(AgendaVersion.objects.filter(agenda__meeting=meeting).values_list("number", flat=True)) == [0, 1]
    assert Notification.objects.filter(kind=NotificationKind.AGENDA_REVISED, recipient=delegate_party).count() == 1


def test_a_double_click_on_move_moves_once(client, drafted, secretariat):
    agenda_services.add_item(by=secretariat, meeting=drafted, title="Any other business")
    login_verified(client, secretariat)
    seen = seen_on_page(page(client, drafted))
    item = AgendaItem.objects.get(title="Any other business")
    url = reverse("meetings:agenda_move_item", args=[drafted.pk, item.pk, "up"])
    client.post(url, {"edition": seen})
    client.post(url, {"edition": seen})
    assert titles(drafted) == ["Opening", "Any other business", "Closing"]


# GET writes nothing --------------------------------------------------------------------------


def test_opening_the_agenda_page_creates_nothing(client, meeting, secretariat, chair):
    for user in (secretariat, chair):
        login_verified(client, user)
        response = client.get(reverse("meetings:agenda", args=[meeting.pk]))
        assert response.status_code == 200
        assert "not drafted yet" in response.content.decode()
    assert not Agenda.objects.filter(meeting=meeting).exists()


# The Chair's consultation -------------------------------------------------------------------


def test_the_chair_records_their_own_consultation_and_comments(client, drafted, chair):
    login_verified(client, chair)
    for _twice in range(2):
        client.post(reverse("meetings:agenda_consult", args=[drafted.pk]), {"comments": "Put the case first."})
    consultation = AgendaConsultation.objects.get()
    assert consultation.recorded_by == chair and not consultation.on_paper
    assert consultation.chair.chair == chair and consultation.comments == "Put the case first."
    assert consultation.edition == edition(drafted)
    assert "Put the case first." in page(client, drafted)


def test_the_secretariat_records_only_a_consultation_made_on_paper(client, drafted, secretariat, delegate_party, chair):
    with pytest.raises(RuleViolation, match="date of the consultation"):
        agenda_services.record_consultation(by=secretariat, meeting=drafted, comments="ok")
    with pytest.raises(RuleViolation):
        agenda_services.record_consultation(by=delegate_party, meeting=drafted, comments="ok")
    with at(EARLY):
        agenda_services.record_consultation(
            by=secretariat, meeting=drafted, comments="Agreed by letter", consulted_on=datetime.date(2099, 1, 4)
        )
    consultation = AgendaConsultation.objects.get()
    assert consultation.on_paper and consultation.recorded_by == secretariat
    login_verified(client, secretariat)
    assert "made on paper" in page(client, drafted)


def test_no_consultation_is_recorded_on_a_distributed_agenda(distributed, chair):
    with pytest.raises(RuleViolation, match="distributed"):
        agenda_services.record_consultation(by=chair, meeting=distributed, comments="late")
    assert not AgendaConsultation.objects.exists()


# Each step with its own time ---------------------------------------------------------------


def test_the_status_shows_each_step_with_its_own_time_and_the_current_version(client, meeting, secretariat, chair):
    steps = {
        "drafted": datetime.datetime(2099, 1, 5, 9, 0, tzinfo=ZURICH),
        "approved": datetime.datetime(2099, 1, 6, 10, 0, tzinfo=ZURICH),
        "distributed": datetime.datetime(2099, 1, 7, 11, 0, tzinfo=ZURICH),
        "rev1": datetime.datetime(2099, 1, 8, 12, 0, tzinfo=ZURICH),
        "adopted": datetime.datetime(2099, 3, 20, 13, 0, tzinfo=ZURICH),
    }
    with at(steps["drafted"]):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    with at(steps["approved"]):
        agenda_services.approve(by=chair, meeting=meeting, seen=edition(meeting))
    with at(steps["distributed"]):
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=edition(meeting))
    with at(steps["rev1"]):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Closing", changes="Closing added")
    with at(steps["adopted"]):
        agenda_services.adopt(by=chair, meeting=meeting, seen=edition(meeting))
    login_verified(client, secretariat)
    html = page(client, meeting)
    listed = re.search(r'<ol class="steps".*?</ol>', html, re.S).group(0)
    for label, instant in zip(
        ["Drafted", "Approved by the Chair", "Distributed (original)", "Rev.1", "Adopted"], steps.values(), strict=True
    ):
        assert f'{label}: <time datetime="{instant.isoformat()}">' in listed, label
    assert 'current version: <strong class="current-version">Rev.1</strong>' in html


# Moving items ----------------------------------------------------------------------------------


def test_an_item_added_after_closing_moves_up_before_it(client, drafted, secretariat):
    agenda_services.add_item(by=secretariat, meeting=drafted, title="Any other business")
    login_verified(client, secretariat)
    html = page(client, drafted)
    assert 'aria-label="Move “Any other business” up"' in html
    item = AgendaItem.objects.get(title="Any other business")
    client.post(reverse("meetings:agenda_move_item", args=[drafted.pk, item.pk, "up"]), {"edition": seen_on_page(html)})
    assert titles(drafted) == ["Opening", "Any other business", "Closing"]
    assert not AgendaVersion.objects.exists()


def test_moving_after_distribution_makes_a_numbered_version(distributed, secretariat, delegate_party):
    closing = AgendaItem.objects.get(title="Closing")
    agenda_services.move_item(
        by=secretariat, meeting=distributed, item_pk=closing.pk, direction="up", seen=edition(distributed)
    )
    rev = AgendaVersion.objects.get(number=1)
    assert [i["title"] for i in rev.items] == ["Closing", "Opening"] and "moved up" in rev.changes
    assert Notification.objects.filter(kind=NotificationKind.AGENDA_REVISED, recipient=delegate_party).count() == 1
    with pytest.raises(RuleViolation, match="further"):
        agenda_services.move_item(
            by=secretariat, meeting=distributed, item_pk=closing.pk, direction="up", seen=edition(distributed)
        )


def test_only_the_secretariat_moves_items(drafted, chair):
    closing = AgendaItem.objects.get(title="Closing")
    with pytest.raises(RuleViolation, match="ToR rule 10"):
        agenda_services.move_item(by=chair, meeting=drafted, item_pk=closing.pk, direction="up", seen=edition(drafted))
    assert titles(drafted) == ["Opening", "Closing"]


# The right of reply follows the adopted agenda ----------------------------------------------


def test_no_right_of_reply_for_a_refused_presentation_never_on_the_agenda(
    client, meeting, secretariat, chair, delegate_party, delegate_other_party, other_party
):
    with at(EARLY):
        refused = presentation_services.register_presentation(
            by=delegate_party,
            meeting=meeting,
            kind=PresentationKind.CASE,
            title="Refused case",
            summary="s",
            consent_legally_required=True,
        )
        given = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind=PresentationKind.INFORMATION, title="Given", summary="s"
        )
        for p in (refused, given):
            presentation_services.notify_involved_states(by=delegate_party, presentation=p, states=[other_party])
        InvolvedState.objects.filter(presentation=refused).update(consent=Consent.REFUSED)
        agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=given)
        agenda_services.approve(by=chair, meeting=meeting, seen=edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=edition(meeting))
    with at(AT_MEETING):
        agenda_services.adopt(by=chair, meeting=meeting, seen=edition(meeting))
        with pytest.raises(RuleViolation, match="not on the adopted agenda"):
            presentation_services.record_right_of_reply(
                by=chair, involved=refused.involved_states.get(), decision=RightOfReply.GIVEN
            )
        presentation_services.record_right_of_reply(
            by=chair, involved=given.involved_states.get(), decision=RightOfReply.GIVEN
        )
        login_verified(client, chair)
        html = client.get(reverse("presentations:detail", args=[refused.pk])).content.decode()
    assert "not on the adopted agenda" in html
    assert reverse("presentations:right_of_reply", args=[refused.pk, refused.involved_states.get().pk]) not in html
    assert not refused.involved_states.get().right_of_reply
    given.refresh_from_db()
    assert given.on_adopted_agenda_at is not None


# Pages offer only what the rules allow; forced POSTs are refused -------------------------------


def test_the_secretariat_is_not_offered_distribution_before_approval_and_a_forced_post_changes_nothing(
    client, drafted, secretariat
):
    login_verified(client, secretariat)
    html = page(client, drafted)
    assert reverse("meetings:agenda_distribute", args=[drafted.pk]) not in html
    assert reverse("meetings:agenda_approve", args=[drafted.pk]) not in html
    assert "The Chair must approve the draft agenda before it is distributed (ToR rule 10)." in html
    response = client.post(
        reverse("meetings:agenda_distribute", args=[drafted.pk]), {"edition": edition(drafted)}, follow=True
    )
    assert (
        "The Chair must approve the draft agenda before it is distributed (ToR rule 10)." in response.content.decode()
    )
    assert not Agenda.objects.get(meeting=drafted).is_distributed
    assert not Notification.objects.exists()


def test_adoption_is_not_offered_before_the_meeting_and_says_from_when(client, distributed, chair):
    with at(EARLY):
        login_verified(client, chair)
        html = page(client, distributed)
        response = client.post(
            reverse("meetings:agenda_adopt", args=[distributed.pk]), {"edition": edition(distributed)}, follow=True
        )
    assert reverse("meetings:agenda_adopt", args=[distributed.pk]) not in html
    assert "from 20 March 2099" in html and "ToR rule 11" in html
    assert "from 20 March 2099" in response.content.decode()
    assert not Agenda.objects.get(meeting=distributed).is_adopted
    with at(AT_MEETING):
        login_verified(client, chair)
        assert reverse("meetings:agenda_adopt", args=[distributed.pk]) in page(client, distributed)


def test_nothing_changes_after_adoption_and_the_page_offers_no_change(client, distributed, chair, secretariat):
    with at(AT_MEETING):
        agenda_services.adopt(by=chair, meeting=distributed, seen=edition(distributed))
        login_verified(client, secretariat)
        html = page(client, distributed)
        opening = AgendaItem.objects.get(title="Opening")
        refused = [
            client.post(reverse("meetings:agenda_add_item", args=[distributed.pk]), {"title": "Late", "changes": "x"}),
            client.post(reverse("meetings:agenda_remove_item", args=[distributed.pk, opening.pk]), {"changes": "x"}),
            client.post(
                reverse("meetings:agenda_move_item", args=[distributed.pk, opening.pk, "down"]),
                {"edition": edition(distributed), "changes": "x"},
            ),
        ]
    assert f'action="{reverse("meetings:agenda_add_item", args=[distributed.pk])}"' not in html
    assert reverse("meetings:agenda_remove_item", args=[distributed.pk, opening.pk]) not in html
    assert reverse("meetings:agenda_move_item", args=[distributed.pk, opening.pk, "down"]) not in html
    assert "The agenda is adopted and can no longer change (ToR rule 11)." in html
    assert all(r.status_code == 302 for r in refused)
    assert titles(distributed) == ["Opening", "Closing"]
    assert AgendaVersion.objects.count() == 1


def test_a_delegate_forcing_an_approval_gets_the_rule_and_nothing_changes(client, distributed, delegate_party):
    login_verified(client, delegate_party)
    response = client.post(
        reverse("meetings:agenda_adopt", args=[distributed.pk]), {"edition": edition(distributed)}, follow=True
    )
    assert "ToR rule 11" in response.content.decode()
    assert reverse("meetings:agenda_approve", args=[distributed.pk]) not in page(client, distributed)
    assert not Agenda.objects.get(meeting=distributed).is_adopted


def test_the_refusal_is_translated(client, drafted, secretariat):
    secretariat.language = "fr"
    secretariat.save(update_fields=["language"])
    login_verified(client, secretariat)
    with translation.override("en"):  # the request activates French; the next tests must not inherit it
        response = client.post(
            reverse("meetings:agenda_distribute", args=[drafted.pk]),
            {"edition": edition(drafted)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert "règle 10" in response.content.decode()


def test_agenda_pages_write_nothing_on_get(client, distributed, secretariat, chair, delegate_party):
    for user in (secretariat, chair, delegate_party):
        login_verified(client, user)
        with CaptureQueriesContext(connection) as queries:
            for url in (reverse("meetings:agenda", args=[distributed.pk]), reverse("meetings:released")):
                assert client.get(url).status_code == 200
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and ("agenda" in q["sql"] or "presentations_" in q["sql"] or "meetings_meeting" in q["sql"])
        ]
        assert writes == [], user


def test_the_agenda_page_reads_in_a_bounded_number_of_queries(client, distributed, secretariat):
    login_verified(client, secretariat)
    with CaptureQueriesContext(connection) as few:
        page(client, distributed)
    for n in range(6):
        agenda_services.add_item(by=secretariat, meeting=distributed, title=f"Item {n}", changes=f"Item {n}")
    with CaptureQueriesContext(connection) as many:
        page(client, distributed)
    assert len(many) == len(few)


def test_an_item_links_its_presentation_for_who_may_open_it_and_an_agenda_without_one_asks_nothing(
    client, meeting, secretariat, chair, delegate_party
):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        login_verified(client, secretariat)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("meetings:agenda", args=[meeting.pk]))
        assert not [
            q
            for q in queries.captured_queries
            if "presentations_presentation" in q["sql"].split("WHERE")[0] and "EXISTS" in q["sql"]
        ]
        given = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind=PresentationKind.INFORMATION, title="Given", summary="s"
        )
        agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=given)
        html = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert f'href="{reverse("presentations:detail", args=[given.pk])}"' in html
