"""The agenda: Chair approval, distribution by T-30, numbered revisions, adoption, release (ToR rules 10, 11, 14)."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from agendas import services as agenda_services
from agendas.enums import AgendaStatus
from agendas.models import Agenda, AgendaVersion
from dief.errors import RuleViolation
from dief.testing import login_verified
from notifications.enums import NotificationKind
from notifications.models import Notification

ZURICH = ZoneInfo("Europe/Zurich")
T30_END = datetime.datetime(2099, 2, 18, 23, 59, 59, tzinfo=ZURICH)  # meeting fixture: 20 March 2099
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)


def at(instant):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def drafted(meeting, secretariat):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    return meeting


def test_only_the_chair_in_office_approves(drafted, chair, secretariat, delegate_party, president):
    for user in (secretariat, delegate_party, president):
        with pytest.raises(RuleViolation, match="ToR rules 4, 10"):
            agenda_services.approve(by=user, meeting=drafted, seen=agenda_services.current_edition(drafted))
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.APPROVED


def test_a_chair_whose_term_ended_cannot_approve(drafted, chair):
    chair.chair_appointments.update(term_ends_on=datetime.date(2020, 12, 31))
    with pytest.raises(RuleViolation):
        agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))


def test_second_approval_is_refused_as_already_approved(drafted, chair):
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with pytest.raises(RuleViolation, match="already approved"):
        agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_give_one_approval(secretariat, president, party, chair):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    from dief.testing import meeting_factory

    meeting = meeting_factory(start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president)
    agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        barrier.wait()
        try:
            agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
            outcomes.append("approved")
        except RuleViolation as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("approved") == 1
    assert len(outcomes) == 2 and any("already approved" in o for o in outcomes)


def test_distribution_needs_approval_and_is_late_one_second_after_t_minus_30(drafted, chair, secretariat):
    with at(EARLY):
        with pytest.raises(RuleViolation, match="ToR rule 10"):
            agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
        agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(T30_END + datetime.timedelta(seconds=1)):
        agenda = agenda_services.distribute(
            by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted)
        )
    assert agenda.distributed_late


def test_distribution_one_second_before_t_minus_30_is_on_time_and_notifies_eligible_states(
    drafted, chair, secretariat, delegate_party, delegate_signatory, outsider
):
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(T30_END - datetime.timedelta(seconds=1)):
        agenda = agenda_services.distribute(
            by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted)
        )
        again = agenda_services.distribute(
            by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted)
        )
    assert not agenda.distributed_late and again.distributed_at == agenda.distributed_at
    recipients = set(
        Notification.objects.filter(kind=NotificationKind.AGENDA_DISTRIBUTED).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"delegate_party", "delegate_signatory"} <= recipients and "outsider" not in recipients
    assert AgendaVersion.objects.get().number == 0


def test_changes_after_distribution_are_numbered_versions_with_what_changed(drafted, chair, secretariat):
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(EARLY):
        agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
        with pytest.raises(RuleViolation, match="new numbered version"):
            agenda_services.add_item(by=secretariat, meeting=drafted, title="Any other business")
        agenda_services.add_item(by=secretariat, meeting=drafted, title="Any other business", changes="AOB added")
        item = drafted.agenda.items.get(title="Opening")
        agenda_services.remove_item(
            by=secretariat, meeting=item.agenda.meeting, item_pk=item.pk, changes="Opening dropped"
        )
    versions = list(AgendaVersion.objects.order_by("number"))
    assert [v.label for v in versions] == ["original", "Rev.1", "Rev.2"]
    assert [i["title"] for i in versions[0].items] == ["Opening"]
    assert [i["title"] for i in versions[1].items] == ["Opening", "Any other business"]
    assert versions[2].changes == "Opening dropped"
    assert Notification.objects.filter(kind=NotificationKind.AGENDA_REVISED).values("event").distinct().count() == 2


def test_editing_an_approved_draft_needs_a_new_approval(drafted, chair, secretariat):
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    agenda_services.add_item(by=secretariat, meeting=drafted, title="New")
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.DRAFT


def test_adoption_is_at_the_meeting_and_closes_changes(drafted, chair, secretariat, delegate_party):
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(EARLY):
        agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(datetime.datetime(2099, 3, 19, 23, 59, 59, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="ToR rule 11"):
            agenda_services.adopt(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(datetime.datetime(2099, 3, 20, 0, 0, 1, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation):
            agenda_services.adopt(by=delegate_party, meeting=drafted, seen=agenda_services.current_edition(drafted))
        agenda_services.adopt(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
        with pytest.raises(RuleViolation, match="adopted"):
            agenda_services.add_item(by=secretariat, meeting=drafted, title="Late", changes="late")


def test_adoption_is_written_on_the_meeting_for_the_apps_below_agendas(drafted, chair, secretariat, delegate_party):
    """ToR rule 11: presentations reads Meeting.agenda_adopted_at (it does not import agendas)."""
    from presentations.services import can_register

    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(EARLY):
        agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    assert can_register(delegate_party, drafted)
    with at(datetime.datetime(2099, 3, 20, 9, 0, tzinfo=ZURICH)):
        agenda = agenda_services.adopt(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    drafted.refresh_from_db()
    assert drafted.agenda_adopted_at == agenda.adopted_at is not None
    assert not can_register(delegate_party, drafted)


def test_release_of_an_item_is_recorded_with_the_decision_at_the_meeting(drafted, chair, secretariat, delegate_party):
    item = drafted.agenda.items.get()
    with at(datetime.datetime(2099, 3, 20, 15, 0, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="at the meeting"):  # not distributed yet
            agenda_services.release_item(
                by=chair,
                meeting=item.agenda.meeting,
                item_pk=item.pk,
                seen=agenda_services.current_edition(item.agenda.meeting),
                decision="Participants agreed by consensus",
            )
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(datetime.datetime(2099, 3, 19, 23, 59, 59, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="at the meeting"):
            agenda_services.release_item(
                by=chair,
                meeting=item.agenda.meeting,
                item_pk=item.pk,
                seen=agenda_services.current_edition(item.agenda.meeting),
                decision="Participants agreed by consensus",
            )
    with at(datetime.datetime(2099, 3, 20, 15, 0, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="ToR rule 14"):
            agenda_services.release_item(
                by=delegate_party,
                meeting=item.agenda.meeting,
                item_pk=item.pk,
                seen=agenda_services.current_edition(item.agenda.meeting),
                decision="consensus",
            )
        with pytest.raises(RuleViolation):
            agenda_services.release_item(
                by=secretariat,
                meeting=item.agenda.meeting,
                item_pk=item.pk,
                seen=agenda_services.current_edition(item.agenda.meeting),
                decision="  ",
            )
        agenda_services.release_item(
            by=chair,
            meeting=item.agenda.meeting,
            item_pk=item.pk,
            seen=agenda_services.current_edition(item.agenda.meeting),
            decision="Participants agreed by consensus",
        )
        with pytest.raises(RuleViolation, match="stays on record"):
            agenda_services.remove_item(by=secretariat, meeting=item.agenda.meeting, item_pk=item.pk, changes="drop it")
    item.refresh_from_db()
    assert item.released_at and item.release_decision == "Participants agreed by consensus"


def test_draft_agenda_is_not_shown_to_delegates_until_distributed(client, drafted, chair, secretariat, delegate_party):
    login_verified(client, delegate_party)
    assert client.get(reverse("meetings:agenda", args=[drafted.pk])).status_code == 404
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    assert "Opening" in client.get(reverse("meetings:agenda", args=[drafted.pk])).content.decode()


def test_chair_approves_through_the_page(client, drafted, chair):
    login_verified(client, chair)
    seen = {"edition": agenda_services.current_edition(drafted)}
    client.post(reverse("meetings:agenda_approve", args=[drafted.pk]), seen)
    response = client.post(reverse("meetings:agenda_approve", args=[drafted.pk]), seen, follow=True)
    assert "already approved" in response.content.decode()
    assert Agenda.objects.get(meeting=drafted).status == AgendaStatus.APPROVED


def test_distributing_the_agenda_stops_its_reminders(drafted, chair, secretariat):
    from enforcement.models import DeadlineFlag
    from enforcement.services import sweep

    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(EARLY):
        agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    with at(T30_END + datetime.timedelta(seconds=1)):
        sweep()
    assert not DeadlineFlag.objects.filter(deadline_key="draft_agenda").exists()
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER, event__contains="draft_agenda").exists()


def test_a_double_submitted_item_is_added_once(drafted, secretariat):
    agenda_services.add_item(by=secretariat, meeting=drafted, title="Opening")
    assert drafted.agenda.items.count() == 1


def test_released_items_are_visible_beyond_eligible_states_and_nothing_else_is(
    client, drafted, chair, secretariat, outsider, national_authority
):
    agenda_services.add_item(by=secretariat, meeting=drafted, title="Kept confidential")
    agenda_services.approve(by=chair, meeting=drafted, seen=agenda_services.current_edition(drafted))
    agenda_services.distribute(by=secretariat, meeting=drafted, seen=agenda_services.current_edition(drafted))
    opening = drafted.agenda.items.get(title="Opening")
    with at(datetime.datetime(2099, 3, 20, 15, 0, tzinfo=ZURICH)):
        agenda_services.release_item(
            by=chair,
            meeting=opening.agenda.meeting,
            item_pk=opening.pk,
            seen=agenda_services.current_edition(opening.agenda.meeting),
            decision="Released by consensus",
        )
    for reader in (outsider, national_authority):
        login_verified(client, reader)
        page = client.get(reverse("meetings:released")).content.decode()
        assert "Opening" in page and "Released by consensus" in page
        assert "Kept confidential" not in page and drafted.title not in page


def test_released_items_come_a_page_at_a_time_with_the_same_queries_for_10_and_1000(
    client, drafted, national_authority, chair
):
    import re

    from django.test.utils import CaptureQueriesContext

    from agendas.models import AgendaItem
    from dief.pagination import PAGE_SIZE

    agenda = drafted.agenda
    released = datetime.datetime(2099, 3, 20, 15, 0, tzinfo=ZURICH)

    def release(first, n):
        AgendaItem.objects.bulk_create(
            AgendaItem(
                agenda=agenda,
                position=first + i,
                title=f"Released item {first + i}",
                released_at=released + datetime.timedelta(minutes=first + i),
                release_decision="By consensus",
                released_by=chair,
            )
            for i in range(n)
        )

    login_verified(client, national_authority)
    release(10, 10)
    client.get(reverse("meetings:released"))
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("meetings:released"))
    release(20, 990)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("meetings:released")).content.decode()
    # no COUNT of the whole list: one row more than a page tells whether a next page exists
    assert len(many.captured_queries) == len(ten.captured_queries)
    titles = re.findall(r"<td>Released item (\d+)</td>", body)
    assert len(titles) == PAGE_SIZE and titles[0] == "1009"  # the latest released first
    assert "?page=2" in body
    last = client.get(reverse("meetings:released") + "?page=99").content.decode()
    assert "<td>Released item 10</td>" in last
