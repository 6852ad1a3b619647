"""ToR rule 8: an expert proposal unresolved at T-20 becomes an item of the agenda (a new
numbered version if the agenda was distributed, ToR rule 10)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agendas import services as agenda_services
from agendas.models import AgendaItem, AgendaVersion
from dief.errors import RuleViolation
from dief.testing import login_verified
from enforcement.services import sweep
from experts import services as expert_services
from experts.enums import ProposalStatus
from notifications.enums import NotificationKind
from notifications.models import Notification
from presentations import services as presentation_services

ZURICH = ZoneInfo("Europe/Zurich")
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)
SILENCE_END = datetime.datetime(2099, 1, 10, 23, 59, 59, 999999, tzinfo=ZURICH)
T20_END = datetime.datetime(2099, 2, 28, 23, 59, 59, 999999, tzinfo=ZURICH)
TICK = datetime.timedelta(microseconds=1)


def at(instant):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def objected(meeting, delegate_party, delegate_other_party):
    with at(EARLY):
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="S"
        )
        proposal = expert_services.propose_expert(
            by=delegate_party,
            presentation=presentation,
            expert_name="Dr Ada Example",
            expert_affiliation="Institute",
            expert_email="ada@example.net",
            expertise=["addressing"],
            purpose="Explain",
        )
        expert_services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
    sweep(SILENCE_END + TICK)
    return proposal


def test_a_referral_to_a_distributed_agenda_adds_an_item_in_a_new_revision(
    meeting, objected, secretariat, chair, delegate_party, client
):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
    sweep(T20_END + TICK)
    item = AgendaItem.objects.get(expert_proposal=objected)
    assert "non-state expert" in str(item.display_title) and "Ada" not in str(item.display_title)
    revision = AgendaVersion.objects.get(agenda__meeting=meeting, number=1)
    assert revision.created_by is None and "ToR rule 8" in revision.changes
    assert revision.items[-1]["kind"] == "expert_decision"
    assert Notification.objects.filter(kind=NotificationKind.AGENDA_REVISED, recipient=delegate_party).count() == 1
    sweep(T20_END + datetime.timedelta(days=1))  # a later sweep adds nothing
    assert AgendaItem.objects.filter(expert_proposal=objected).count() == 1
    assert AgendaVersion.objects.filter(agenda__meeting=meeting).count() == 2
    with at(T20_END + datetime.timedelta(days=1)):
        login_verified(client, delegate_party)
        html = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert reverse("experts:detail", args=[objected.pk]) in html
    with pytest.raises(RuleViolation), at(T20_END + datetime.timedelta(days=1)):
        agenda_services.remove_item(by=secretariat, meeting=meeting, item_pk=item.pk, changes="drop it")


def test_a_referral_to_a_draft_agenda_adds_the_item_and_sends_it_back_to_the_chair(
    meeting, objected, secretariat, chair
):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
    sweep(T20_END + TICK)
    assert AgendaItem.objects.filter(expert_proposal=objected).exists()
    assert meeting.agenda.__class__.objects.get(meeting=meeting).status == "draft"
    assert expert_services.ExpertProposal.objects.get(pk=objected.pk).status == ProposalStatus.REFERRED


def test_a_resolved_proposal_gets_no_agenda_item(meeting, objected, delegate_other_party):
    with at(SILENCE_END + datetime.timedelta(days=1)):
        expert_services.withdraw_objection(by=delegate_other_party, objection=objected.objections.get())
    sweep(T20_END + TICK)
    assert not AgendaItem.objects.filter(expert_proposal=objected).exists()
