import datetime

import pytest
import time_machine
from django.core import mail

from briefings import export, services
from briefings.enums import BriefingBody, BriefingStatus, Decision
from briefings.models import Briefing
from dief.errors import RuleViolation
from enforcement.services import sweep
from notifications.models import Notification
from notifications.services import send_pending

from .conftest import take_part


def agree_all(briefing, delegates, **kwargs):
    for d in delegates:
        services.decide(by=d, briefing=briefing, decision=Decision.AGREE, version=briefing.version, **kwargs)


def test_chair_drafts_after_the_meeting_and_participants_are_notified(briefing, participants):
    assert briefing.status == BriefingStatus.DRAFT
    assert briefing.version == 1
    rows = Notification.objects.filter(event=f"briefing:{briefing.pk}:v1:drafted")
    assert {r.recipient.username for r in rows} == {"delegate_party", "delegate_fra", "delegate_signatory", "chair"}


def test_only_the_chair_drafts_and_only_after_the_meeting(participants, chair, delegate_party, secretariat, meeting):
    with pytest.raises(RuleViolation):
        services.draft_briefing(by=delegate_party, meeting=participants[0].delegations.first().meeting, text="x")
    with pytest.raises(RuleViolation):
        services.draft_briefing(by=secretariat, meeting=meeting, text="x")
    with pytest.raises(RuleViolation, match="after the meeting"):
        services.draft_briefing(by=chair, meeting=meeting, text="Future meeting")


def test_double_submission_of_a_draft_makes_one(briefing, chair, past_meeting):
    again = services.draft_briefing(by=chair, meeting=past_meeting, text=briefing.text)
    assert again.pk == briefing.pk
    assert Briefing.objects.count() == 1


def test_consensus_one_objection_blocks_and_withdrawal_unblocks(briefing, participants, chair):
    che, fra, bgd = participants
    agree_all(briefing, [che, bgd])
    with pytest.raises(RuleViolation, match="Not every State"):
        services.record_agreement(by=chair, briefing=briefing)
    services.decide(by=fra, briefing=briefing, decision=Decision.OBJECT, version=1, reason="Too specific")
    with pytest.raises(RuleViolation, match="objects"):
        services.record_agreement(by=chair, briefing=briefing)
    services.decide(by=fra, briefing=briefing, decision=Decision.AGREE, version=1)
    services.record_agreement(by=chair, briefing=briefing)
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.AGREED
    assert briefing.agreed_version == 1


def test_objection_needs_a_reason(briefing, participants):
    with pytest.raises(RuleViolation, match="reason"):
        services.decide(by=participants[1], briefing=briefing, decision=Decision.OBJECT, version=1, reason=" ")


def test_states_that_did_not_take_part_cannot_decide(briefing, delegate_mex, outsider, secretariat):
    for user in (delegate_mex, outsider, secretariat):
        with pytest.raises(RuleViolation):
            services.decide(by=user, briefing=briefing, decision=Decision.AGREE, version=1)


def test_a_decision_names_its_version_and_an_edit_resets_agreement(briefing, participants, chair):
    che, fra, bgd = participants
    agree_all(briefing, participants)
    services.edit_briefing(by=chair, briefing=briefing, text=briefing.text + "\n\nOne more lesson.", seen_version=1)
    briefing.refresh_from_db()
    assert briefing.version == 2
    with pytest.raises(RuleViolation, match="Not every State"):
        services.record_agreement(by=chair, briefing=briefing)
    with pytest.raises(RuleViolation, match="changed since you read it"):
        services.decide(by=che, briefing=briefing, decision=Decision.AGREE, version=1)
    assert Notification.objects.filter(event=f"briefing:{briefing.pk}:v2:revised").count() == 4
    agree_all(briefing, participants)
    services.record_agreement(by=chair, briefing=briefing)
    briefing.refresh_from_db()
    assert (briefing.status, briefing.agreed_version) == (BriefingStatus.AGREED, 2)


def test_a_stale_edit_is_refused(briefing, chair):
    services.edit_briefing(by=chair, briefing=briefing, text="New text", seen_version=1)
    with pytest.raises(RuleViolation, match="changed since you opened it"):
        services.edit_briefing(by=chair, briefing=briefing, text="Other text", seen_version=1)


def test_no_edit_no_decision_after_agreement(briefing, participants, chair):
    agree_all(briefing, participants)
    services.record_agreement(by=chair, briefing=briefing)
    with pytest.raises(RuleViolation):
        services.edit_briefing(by=chair, briefing=briefing, text="Changed", seen_version=1)
    with pytest.raises(RuleViolation, match="closed"):
        services.decide(by=participants[1], briefing=briefing, decision=Decision.OBJECT, version=1, reason="late")


def test_silence_is_not_agreement_without_a_decision_period(briefing, participants, chair):
    services.decide(by=participants[0], briefing=briefing, decision=Decision.AGREE, version=1)
    with pytest.raises(RuleViolation):
        services.record_agreement(by=chair, briefing=briefing)


def test_decision_period_ends_at_end_of_last_day_and_silence_agrees(briefing, participants, chair):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 10))
        briefing.refresh_from_db()
        # End of 10 December in Geneva (UTC+1 in winter).
        assert briefing.decision_period_ends_at == datetime.datetime(
            2026, 12, 10, 22, 59, 59, 999999, tzinfo=datetime.UTC
        )
        with pytest.raises(RuleViolation, match="decision period ends"):
            services.record_agreement(by=chair, briefing=briefing)
    sweep(now=datetime.datetime(2026, 12, 10, 22, 59, 59, tzinfo=datetime.UTC))
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DRAFT
    with time_machine.travel(datetime.datetime(2026, 12, 10, 23, 0, 1, tzinfo=datetime.UTC), tick=False):
        sweep()
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.AGREED
    assert briefing.agreed_by_silence


def test_decision_period_with_an_objection_does_not_agree(briefing, participants, chair):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 3))
        services.decide(by=participants[2], briefing=briefing, decision=Decision.OBJECT, version=1, reason="No")
    with time_machine.travel(datetime.datetime(2026, 12, 4, 0, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DRAFT


def test_an_edit_ends_the_decision_period(briefing, participants, chair):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 3))
        services.edit_briefing(by=chair, briefing=briefing, text="Rewritten", seen_version=1)
    with time_machine.travel(datetime.datetime(2026, 12, 4, 0, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DRAFT


def test_decision_period_last_day_must_be_after_today(briefing, chair):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(RuleViolation):
            services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 1))


def test_named_states_are_found_in_english_french_and_spanish_and_iso_codes(chair, past_meeting, participants, mexico):
    b = services.draft_briefing(
        by=chair,
        meeting=past_meeting,
        text="Routes through la Suisse; BGD customs; consignments bound for México.",
    )
    assert {f["name"] for f in b.identified} == {"Switzerland", "Bangladesh", "Mexico"}


def test_a_named_state_must_consent_before_agreement(chair, past_meeting, participants):
    che, fra, bgd = participants
    b = services.draft_briefing(by=chair, meeting=past_meeting, text="Diversion cases reported by France.")
    with pytest.raises(RuleViolation, match="consent"):
        services.decide(by=fra, briefing=b, decision=Decision.AGREE, version=1)
    agree_all(b, [che, bgd])
    services.decide(by=fra, briefing=b, decision=Decision.OBJECT, version=1, reason="We do not consent")
    with pytest.raises(RuleViolation):
        services.record_agreement(by=chair, briefing=b)
    services.decide(by=fra, briefing=b, decision=Decision.AGREE, version=1, consent=True)
    services.record_agreement(by=chair, briefing=b)


def test_chair_marked_state_must_consent(chair, past_meeting, participants, signatory_state):
    che, fra, bgd = participants
    b = services.draft_briefing(
        by=chair, meeting=past_meeting, text="A South Asian port was used.", marked_states=[signatory_state]
    )
    agree_all(b, [che, fra])
    with pytest.raises(RuleViolation, match="consent"):
        services.decide(by=bgd, briefing=b, decision=Decision.AGREE, version=1)
    services.decide(by=bgd, briefing=b, decision=Decision.AGREE, version=1, consent=True)
    services.record_agreement(by=chair, briefing=b)


def test_a_named_state_that_cannot_consent_blocks_agreement(chair, past_meeting, participants, mexico):
    b = services.draft_briefing(by=chair, meeting=past_meeting, text="Shipments through Nauru and Mexique.")
    assert b.unknown_names() == ["Nauru"]
    agree_all(b, participants)
    with pytest.raises(RuleViolation, match="Mexico, which did not take part") as refused:
        services.record_agreement(by=chair, briefing=b)
    assert "Nauru" in refused.value.message


@pytest.mark.parametrize("name", ["France", "la France"])
def test_export_holds_no_state_name_without_consent(chair, past_meeting, participants, name):
    che, fra, bgd = participants
    b = services.draft_briefing(by=chair, meeting=past_meeting, text=f"Lessons shared by {name} on brokers.")
    with pytest.raises(RuleViolation):
        export.as_text(b)
    agree_all(b, [che, bgd])
    # Even an agreed status cannot let the text out while France has not consented.
    Briefing.objects.filter(pk=b.pk).update(status=BriefingStatus.AGREED, agreed_version=1)
    b.refresh_from_db()
    with pytest.raises(RuleViolation, match="did not consent"):
        export.as_text(b)
    with pytest.raises(RuleViolation):
        export.as_pdf(b)
    Briefing.objects.filter(pk=b.pk).update(status=BriefingStatus.DRAFT)
    b.refresh_from_db()
    services.decide(by=fra, briefing=b, decision=Decision.AGREE, version=1, consent=True)
    b = services.record_agreement(by=chair, briefing=b)
    text = export.as_text(b)
    assert name in text
    assert export.as_pdf(b).startswith(b"%PDF")


def test_export_carries_the_text_and_nothing_else(briefing, participants, chair):
    agree_all(briefing, participants)
    briefing = services.record_agreement(by=chair, briefing=briefing)
    text = export.as_text(briefing)
    assert "end-user certificates" in text
    assert "Diverted rifles" not in text and "France" not in text


def test_presenting_state_vetoes_and_a_new_draft_starts_a_new_decision(briefing, participants, chair):
    che, fra, bgd = participants
    with pytest.raises(RuleViolation, match="veto"):
        services.veto(by=che, briefing=briefing)
    services.decide(by=che, briefing=briefing, decision=Decision.AGREE, version=1)
    services.veto(by=fra, briefing=briefing)
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.VETOED
    with pytest.raises(RuleViolation):
        services.decide(by=bgd, briefing=briefing, decision=Decision.AGREE, version=1)
    with pytest.raises(RuleViolation):
        services.record_agreement(by=chair, briefing=briefing)
    new = services.draft_briefing(by=chair, meeting=briefing.meeting, text="Other lessons.", supersedes=briefing)
    assert new.supersedes_id == briefing.pk
    assert new.decisions.count() == 0


def test_veto_after_agreement_before_delivery(briefing, participants, chair):
    agree_all(briefing, participants)
    services.record_agreement(by=chair, briefing=briefing)
    briefing.refresh_from_db()
    services.veto(by=participants[1], briefing=briefing)
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.VETOED
    with pytest.raises(RuleViolation):
        export.as_text(briefing)


def test_presenting_state_that_did_not_register_can_still_veto(chair, past_meeting, participants, delegate_mex):
    from presentations.models import Presentation

    case = Presentation.objects.create(
        meeting=past_meeting,
        presenting_state=delegate_mex.state,
        registered_by=delegate_mex,
        registered_at=past_meeting.created_at,
        kind="case",
        title="t",
        summary="s",
    )
    b = services.draft_briefing(by=chair, meeting=past_meeting, text="Lessons.", presentations=[case])
    services.veto(by=delegate_mex, briefing=b)
    b.refresh_from_db()
    assert b.status == BriefingStatus.VETOED


def test_delivery_is_recorded_once_and_only_for_an_agreed_outline(briefing, participants, chair):
    with pytest.raises(RuleViolation):
        services.record_delivery(
            by=chair, briefing=briefing, body="wgeti", delivered_on=datetime.date(2026, 6, 1), delivered_by=""
        )
    agree_all(briefing, participants)
    services.record_agreement(by=chair, briefing=briefing)
    with pytest.raises(RuleViolation):
        services.record_delivery(
            by=chair, briefing=briefing, body="wgeti", delivered_on=datetime.date(2099, 1, 1), delivered_by=""
        )
    services.record_delivery(
        by=chair,
        briefing=briefing,
        body=BriefingBody.CSP,
        delivered_on=datetime.date(2026, 8, 20),
        delivered_by="Chair",
    )
    briefing.refresh_from_db()
    assert (briefing.status, briefing.delivered_to, briefing.delivered_on) == (
        BriefingStatus.DELIVERED,
        "csp",
        datetime.date(2026, 8, 20),
    )
    with pytest.raises(RuleViolation, match="already"):
        services.record_delivery(
            by=chair, briefing=briefing, body="csp", delivered_on=datetime.date(2026, 8, 20), delivered_by=""
        )
    with pytest.raises(RuleViolation):
        services.veto(by=participants[1], briefing=briefing)


def test_each_step_notifies_once_in_the_recipients_language(briefing, participants, chair):
    che, fra, bgd = participants
    services.decide(by=fra, briefing=briefing, decision=Decision.OBJECT, version=1, reason="x")
    services.decide(by=fra, briefing=briefing, decision=Decision.OBJECT, version=1, reason="x")  # double click
    services.decide(by=fra, briefing=briefing, decision=Decision.AGREE, version=1)
    agree_all(briefing, [che, bgd])
    services.record_agreement(by=chair, briefing=briefing)
    mail.outbox.clear()
    send_pending()
    kinds = sorted(n.kind for n in Notification.objects.filter(recipient=chair))
    assert kinds == ["briefing_agreed", "briefing_drafted", "briefing_objection", "briefing_objection_withdrawn"]
    french = [m for m in mail.outbox if m.to == [fra.email]]
    assert len(french) == 2  # drafted and agreed; objections go to the Chair
    assert all("réunion" in m.subject for m in french), [m.subject for m in french]
    for m in mail.outbox:
        assert "end-user" not in m.body and "Diverted rifles" not in m.body


def test_a_state_that_registered_late_is_not_lost(briefing, chair, mexico, delegate_mex):
    take_part(briefing.meeting, mexico, delegate_mex)
    services.decide(by=delegate_mex, briefing=briefing, decision=Decision.AGREE, version=1)
