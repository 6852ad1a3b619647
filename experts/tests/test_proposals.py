"""ToR rule 8: every guard over every proposal state and both sides of each deadline."""

import datetime

import pytest

from accounts.models import EnrolmentLink
from agendas import services as agenda_services
from dief.errors import RuleViolation
from enforcement.services import schedule_meeting, sweep
from experts import services
from experts.enums import ApprovedHow, ProposalStatus
from experts.models import ConsultationMessage, ExpertProposal, Objection
from meetings.models import Meeting
from notifications.enums import NotificationKind
from notifications.models import Notification
from presentations import services as presentation_services

from .conftest import EARLY, EXPERT, SILENCE_END, T20_END, T30_END, TICK, ZURICH, at

DURING = datetime.datetime(2099, 1, 7, 12, 0, tzinfo=ZURICH)
AFTER_SILENCE = SILENCE_END + datetime.timedelta(days=1)


def propose(user, presentation, **overrides):
    return services.propose_expert(by=user, presentation=presentation, **{**EXPERT, **overrides})


def object_(user, proposal, reason="Conflict of interest"):
    return services.object_to_proposal(by=user, proposal=proposal, reason=reason)


def fresh(proposal):
    return ExpertProposal.objects.get(pk=proposal.pk)


# --- proposal --------------------------------------------------------------------------------


def test_a_proposal_on_the_last_instant_of_t30_is_accepted(presentation, delegate_party):
    with at(T30_END):
        proposal = propose(delegate_party, presentation)
    assert proposal.status == ProposalStatus.IN_SILENCE
    assert proposal.distributed_at == T30_END


def test_a_proposal_after_t30_is_refused_citing_rule_8(presentation, delegate_party):
    with pytest.raises(RuleViolation) as refused, at(T30_END + TICK):
        propose(delegate_party, presentation)
    assert refused.value.rule == "8" and "rule 8" in refused.value.message
    assert not ExpertProposal.objects.exists()


def test_moving_the_meeting_moves_t30(presentation, delegate_party, meeting):
    def move(day):
        Meeting.objects.filter(pk=meeting.pk).update(start_date=day, end_date=day)

    move(datetime.date(2099, 4, 20))  # T-30 = 21 March
    with at(T30_END + datetime.timedelta(days=10)):
        assert propose(delegate_party, presentation).status == ProposalStatus.IN_SILENCE
    move(datetime.date(2099, 3, 1))  # T-30 = 30 January
    last = datetime.datetime(2099, 1, 30, 23, 59, 59, 999999, tzinfo=ZURICH)
    with at(last):
        propose(delegate_party, presentation, expert_email="second@example.net")
    with pytest.raises(RuleViolation), at(last + TICK):
        propose(delegate_party, presentation, expert_email="third@example.net")
    assert ExpertProposal.objects.count() == 2


@pytest.mark.parametrize(
    "persona", ["delegate_other_party", "delegate_signatory", "secretariat", "national_authority", "outsider"]
)
def test_only_the_presenting_states_delegates_propose(presentation, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(RuleViolation), at(EARLY):
        propose(user, presentation)
    assert not ExpertProposal.objects.exists()


def test_a_proposal_is_refused_once_the_agenda_is_adopted(presentation, delegate_party, meeting, secretariat, chair):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
    with at(datetime.datetime(2099, 3, 20, 9, 0, tzinfo=ZURICH)):
        agenda_services.adopt(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
    meeting.refresh_from_db()
    with pytest.raises(RuleViolation) as refused, at(datetime.datetime(2099, 3, 20, 10, 0, tzinfo=ZURICH)):
        propose(delegate_party, presentation)
    assert "adopted" in refused.value.message


def test_a_withdrawn_presentation_gets_no_expert(presentation, delegate_party):
    presentation.status = "withdrawn"
    presentation.save()
    with pytest.raises(RuleViolation), at(EARLY):
        propose(delegate_party, presentation)


@pytest.mark.parametrize("missing", ["expert_name", "expert_affiliation", "expert_email", "purpose", "expertise"])
def test_every_field_is_required(presentation, delegate_party, missing):
    with pytest.raises(RuleViolation) as refused, at(EARLY):
        propose(delegate_party, presentation, **{missing: [] if missing == "expertise" else "  "})
    assert refused.value.rule == "8"
    assert not ExpertProposal.objects.exists()


def test_unknown_expertise_is_ignored_and_none_left_is_refused(presentation, delegate_party):
    with pytest.raises(RuleViolation), at(EARLY):
        propose(delegate_party, presentation, expertise=["juggling"])


def test_a_double_click_proposes_once(presentation, delegate_party):
    with at(EARLY):
        first = propose(delegate_party, presentation)
        second = propose(delegate_party, presentation)
    assert first.pk == second.pk
    assert ExpertProposal.objects.count() == 1


# --- objections ------------------------------------------------------------------------------


def test_a_state_party_objects_during_silence_and_the_states_consult(
    delegate_party, delegate_other_party, secretariat, proposal
):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    told = set(
        Notification.objects.filter(kind=NotificationKind.EXPERT_OBJECTION).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"delegate_party", "delegate_fra", "secretariat"}
    with at(DURING):
        services.post_consultation_message(by=delegate_party, objection=objection, text="Let us talk.")
        services.post_consultation_message(by=secretariat, objection=objection, text="Available to help.")
    assert ConsultationMessage.objects.count() == 2


def test_an_objection_on_the_last_instant_counts_and_one_after_is_refused(
    delegate_party, delegate_other_party, delegate_third_party, proposal
):
    with at(SILENCE_END):
        object_(delegate_other_party, proposal)
    with pytest.raises(RuleViolation) as refused, at(SILENCE_END + TICK):
        object_(delegate_third_party, proposal)
    assert refused.value.rule == "8" and "ended" in refused.value.message
    assert Objection.objects.count() == 1


def test_a_signatory_state_cannot_object(delegate_party, delegate_signatory, proposal):
    with pytest.raises(RuleViolation) as refused, at(DURING):
        object_(delegate_signatory, proposal)
    assert "States Parties" in refused.value.message
    assert fresh(proposal).status == ProposalStatus.IN_SILENCE


@pytest.mark.parametrize("persona", ["delegate_party", "secretariat", "chair", "national_authority", "outsider"])
def test_nobody_but_another_state_partys_delegate_objects(proposal, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(RuleViolation), at(DURING):
        object_(user, proposal)
    assert not Objection.objects.exists()


def test_one_objection_per_state_even_after_withdrawal(delegate_party, delegate_other_party, proposal):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
        with pytest.raises(RuleViolation):
            object_(delegate_other_party, proposal)
        services.withdraw_objection(by=delegate_other_party, objection=objection)
        with pytest.raises(RuleViolation):
            object_(delegate_other_party, proposal)
    assert Objection.objects.count() == 1


def test_an_objection_needs_a_reason(delegate_party, delegate_other_party, proposal):
    with pytest.raises(RuleViolation), at(DURING):
        object_(delegate_other_party, proposal, reason="   ")
    assert not Objection.objects.exists()


def test_withdrawal_during_silence_lets_the_silence_run_to_approval(delegate_party, delegate_other_party, proposal):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
        services.withdraw_objection(by=delegate_other_party, objection=objection)
    assert fresh(proposal).status == ProposalStatus.IN_SILENCE
    sweep(SILENCE_END + TICK)
    assert fresh(proposal).status == ProposalStatus.APPROVED
    assert fresh(proposal).approved_how == ApprovedHow.SILENCE


def test_withdrawing_every_objection_after_the_silence_approves(
    delegate_party, delegate_other_party, delegate_third_party, proposal
):
    with at(DURING):
        first = object_(delegate_other_party, proposal)
        second = object_(delegate_third_party, proposal)
    sweep(SILENCE_END + TICK)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    with at(AFTER_SILENCE):
        services.withdraw_objection(by=delegate_other_party, objection=first)
        assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
        with pytest.raises(RuleViolation):
            services.withdraw_objection(by=delegate_other_party, objection=first)
        with pytest.raises(RuleViolation):
            services.withdraw_objection(by=delegate_party, objection=second)
        services.withdraw_objection(by=delegate_third_party, objection=second)
    assert fresh(proposal).status == ProposalStatus.APPROVED
    assert fresh(proposal).approved_how == ApprovedHow.OBJECTIONS_WITHDRAWN


def test_an_objected_proposal_is_not_approved_by_the_silence(delegate_party, delegate_other_party, proposal):
    with at(DURING):
        object_(delegate_other_party, proposal)
    sweep(SILENCE_END + TICK)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    assert fresh(proposal).expert_user is None


def test_consultation_is_closed_once_decided_and_to_outsiders(
    delegate_party, delegate_other_party, delegate_third_party, proposal
):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
        with pytest.raises(RuleViolation):
            services.post_consultation_message(by=delegate_third_party, objection=objection, text="Me too")
        services.withdraw_objection(by=delegate_other_party, objection=objection)
    sweep(SILENCE_END + TICK)
    with pytest.raises(RuleViolation), at(AFTER_SILENCE):
        services.post_consultation_message(by=delegate_party, objection=objection, text="Thanks")


# --- T-20 referral and the procedural decision -----------------------------------------------


def _objected(delegate_other_party, proposal):
    with at(DURING):
        object_(delegate_other_party, proposal)
    sweep(SILENCE_END + TICK)


def test_unresolved_at_t20_is_referred_exactly_once_at_the_first_sweep_after(
    delegate_party, delegate_other_party, secretariat, proposal
):
    _objected(delegate_other_party, proposal)
    sweep(T20_END)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    sweep(T20_END + TICK)
    referred = fresh(proposal)
    assert referred.status == ProposalStatus.REFERRED and referred.referred_at == T20_END + TICK
    sweep(T20_END + datetime.timedelta(days=1))
    assert fresh(proposal).referred_at == T20_END + TICK
    assert Notification.objects.filter(kind=NotificationKind.EXPERT_REFERRED, recipient=secretariat).count() == 1
    # Withdrawing after the referral is refused: the procedural decision settles it.
    objection = Objection.objects.get()
    with pytest.raises(RuleViolation), at(T20_END + datetime.timedelta(days=2)):
        services.withdraw_objection(by=delegate_other_party, objection=objection)


def test_a_resolved_proposal_is_not_referred(delegate_party, delegate_other_party, proposal):
    _objected(delegate_other_party, proposal)
    with at(AFTER_SILENCE):
        services.withdraw_objection(by=delegate_other_party, objection=Objection.objects.get())
    sweep(T20_END + TICK)
    assert fresh(proposal).status == ProposalStatus.APPROVED
    assert not Notification.objects.filter(kind=NotificationKind.EXPERT_REFERRED).exists()


def test_moving_the_meeting_moves_the_referral(delegate_party, delegate_other_party, proposal, meeting):
    _objected(delegate_other_party, proposal)
    meeting.start_date = meeting.end_date = datetime.date(2099, 4, 20)  # T-20 = 31 March
    meeting.save()
    with at(AFTER_SILENCE):
        schedule_meeting(meeting)
    sweep(T20_END + TICK)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    new_t20 = datetime.datetime(2099, 3, 31, 23, 59, 59, 999999, tzinfo=ZURICH)
    sweep(new_t20)
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    sweep(new_t20 + TICK)
    assert fresh(proposal).status == ProposalStatus.REFERRED


def test_the_chair_records_the_procedural_decision_at_the_meeting_only(
    delegate_party, delegate_other_party, chair, secretariat, proposal
):
    _objected(delegate_other_party, proposal)
    sweep(T20_END + TICK)
    version = fresh(proposal).version
    from due.services import due_items_for_user

    chair.is_verified = lambda: True  # as after a second factor
    with at(T20_END + datetime.timedelta(days=1)):
        decide = [i for i in due_items_for_user(chair) if i.url == f"/experts/{proposal.pk}/"]
    assert len(decide) == 1 and not decide[0].overdue
    before = datetime.datetime(2099, 3, 19, 23, 0, tzinfo=ZURICH)
    with pytest.raises(RuleViolation) as refused, at(before):
        services.record_procedural_decision(by=chair, proposal=proposal, decision="approved", version=version)
    assert "2099-03-20" in refused.value.message
    on_the_day = datetime.datetime(2099, 3, 20, 11, 0, tzinfo=ZURICH)
    for persona in (secretariat, delegate_party):
        with pytest.raises(RuleViolation), at(on_the_day):
            services.record_procedural_decision(by=persona, proposal=proposal, decision="approved", version=version)
    with pytest.raises(RuleViolation), at(on_the_day):
        services.record_procedural_decision(by=chair, proposal=proposal, decision="maybe", version=version)
    with pytest.raises(RuleViolation), at(on_the_day):
        services.record_procedural_decision(by=chair, proposal=proposal, decision="approved", version=version - 1)
    with at(on_the_day):
        services.record_procedural_decision(by=chair, proposal=proposal, decision="not_approved", version=version)
    decided = fresh(proposal)
    assert decided.status == ProposalStatus.NOT_APPROVED and decided.procedural_decision == "not_approved"
    with pytest.raises(RuleViolation), at(on_the_day):  # a second click records nothing twice
        services.record_procedural_decision(by=chair, proposal=proposal, decision="approved", version=version)
    assert fresh(proposal).status == ProposalStatus.NOT_APPROVED
    after = datetime.datetime(2099, 3, 21, 0, 30, tzinfo=ZURICH)
    with pytest.raises(RuleViolation), at(after):
        services.check_can_decide(chair, decided, after)


def test_an_approving_procedural_decision_opens_the_experts_account(
    delegate_party, delegate_other_party, chair, proposal
):
    _objected(delegate_other_party, proposal)
    sweep(T20_END + TICK)
    with at(datetime.datetime(2099, 3, 20, 11, 0, tzinfo=ZURICH)):
        services.record_procedural_decision(
            by=chair, proposal=proposal, decision="approved", version=fresh(proposal).version
        )
    decided = fresh(proposal)
    assert decided.status == ProposalStatus.APPROVED
    assert decided.approved_how == ApprovedHow.PROCEDURAL_DECISION
    assert decided.expert_user.email == "ada@example.net"
    assert EnrolmentLink.objects.filter(user=decided.expert_user, used_at__isnull=True).count() == 1


@pytest.mark.parametrize("status", [s for s in ProposalStatus.values if s not in ("in_silence", "in_consultation")])
def test_no_objection_in_any_closed_state(delegate_party, delegate_other_party, proposal, status):
    ExpertProposal.objects.filter(pk=proposal.pk).update(status=status)
    with pytest.raises(RuleViolation), at(DURING):
        object_(delegate_other_party, proposal)


@pytest.mark.parametrize("status", [s for s in ProposalStatus.values if s != "referred"])
def test_no_procedural_decision_unless_referred(delegate_party, chair, proposal, status):
    ExpertProposal.objects.filter(pk=proposal.pk).update(status=status)
    with pytest.raises(RuleViolation), at(datetime.datetime(2099, 3, 20, 11, 0, tzinfo=ZURICH)):
        services.record_procedural_decision(by=chair, proposal=proposal, decision="approved", version=1)


def test_a_second_proposal_for_another_presentation_is_independent(delegate_party, meeting, proposal):
    with at(EARLY):
        other = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="information", title="Q", summary="S"
        )
        second = propose(delegate_party, other)
    assert second.pk != proposal.pk


def test_a_silence_ending_after_t20_is_not_cut_short_and_an_objection_then_is_referred_at_its_end(
    delegate_party, delegate_other_party, presentation, meeting
):
    """A ToR version whose T-20 falls inside a silence procedure (here T-28 for objections):
    the silence runs its full five days, and an objection still standing at its end is referred
    by the silence-end transition itself."""
    from meetings.models import ToRVersion

    base = meeting.tor_version
    numbers = {f.name: getattr(base, f.name) for f in ToRVersion._meta.fields if f.name.endswith("_days")}
    numbers["max_meetings_per_year"] = base.max_meetings_per_year
    numbers["expert_objection_resolution_days"] = 28  # 20 Feb 2099
    Meeting.objects.filter(pk=meeting.pk).update(
        tor_version=ToRVersion.objects.create(name="test", in_force_from=datetime.date(2098, 1, 1), **numbers)
    )
    presentation.meeting.refresh_from_db()
    with at(T30_END):  # 18 Feb: the silence ends at the end of 23 Feb, after T-28 (20 Feb)
        proposal = propose(delegate_party, presentation)
    assert proposal.silence_ends_at == datetime.datetime(2099, 2, 23, 23, 59, 59, 999999, tzinfo=ZURICH)
    with at(datetime.datetime(2099, 2, 22, 12, 0, tzinfo=ZURICH)):  # after T-28, still in silence
        object_(delegate_other_party, proposal)
    sweep(datetime.datetime(2099, 2, 22, 13, 0, tzinfo=ZURICH))
    assert fresh(proposal).status == ProposalStatus.IN_CONSULTATION
    sweep(proposal.silence_ends_at + TICK)
    assert fresh(proposal).status == ProposalStatus.REFERRED


@pytest.mark.parametrize("status", ["referred", "approved", "not_approved"])
def test_no_withdrawal_once_referred_or_decided(delegate_party, delegate_other_party, proposal, status):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
    ExpertProposal.objects.filter(pk=proposal.pk).update(status=status)
    with pytest.raises(RuleViolation), at(AFTER_SILENCE):
        services.withdraw_objection(by=delegate_other_party, objection=objection)
    assert Objection.objects.get().withdrawn_at is None


@pytest.mark.parametrize("status", ["approved", "not_approved"])
def test_no_consultation_message_once_decided(delegate_party, delegate_other_party, proposal, status):
    with at(DURING):
        objection = object_(delegate_other_party, proposal)
    ExpertProposal.objects.filter(pk=proposal.pk).update(status=status)
    with pytest.raises(RuleViolation), at(AFTER_SILENCE):
        services.post_consultation_message(by=delegate_party, objection=objection, text="Hello")
    assert not ConsultationMessage.objects.exists()


@pytest.mark.parametrize("status", [s for s in ProposalStatus.values if s != "approved"])
def test_no_acknowledgement_unless_approved(delegate_party, proposal, status):
    from dief.testing import UserFactory

    expert = UserFactory(username="expert", role="expert", state=delegate_party.state, participant_role="")
    ExpertProposal.objects.filter(pk=proposal.pk).update(status=status, expert_user=expert)
    with pytest.raises(RuleViolation), at(AFTER_SILENCE):
        services.acknowledge_confidentiality(
            by=expert, proposal=fresh(proposal), text_version=services.CONFIDENTIALITY_TEXT_VERSION
        )


def test_an_acknowledgement_of_an_outdated_text_is_refused(delegate_party, proposal):
    sweep(SILENCE_END + TICK)
    approved = fresh(proposal)
    with pytest.raises(RuleViolation), at(AFTER_SILENCE):
        services.acknowledge_confidentiality(by=approved.expert_user, proposal=approved, text_version="1999-1")
    with at(AFTER_SILENCE):
        first = services.acknowledge_confidentiality(
            by=approved.expert_user, proposal=approved, text_version=services.CONFIDENTIALITY_TEXT_VERSION
        )
        again = services.acknowledge_confidentiality(
            by=approved.expert_user, proposal=approved, text_version=services.CONFIDENTIALITY_TEXT_VERSION
        )
    assert first.pk == again.pk and first.acknowledged_at == AFTER_SILENCE


def test_the_written_out_counts_by_status_are_the_orm_s_and_kept_on_the_meeting(
    proposal, meeting, django_assert_num_queries
):
    from experts.duties import counts_by_status, orm_counts_by_status

    for status in ProposalStatus:
        ExpertProposal.objects.filter(pk=proposal.pk).update(status=status)
        fresh_meeting = Meeting.objects.get(pk=meeting.pk)
        with django_assert_num_queries(1):
            counts = counts_by_status(fresh_meeting)
            assert counts_by_status(fresh_meeting) is counts
        assert counts == orm_counts_by_status(meeting) == {status: 1}
    ExpertProposal.objects.filter(pk=proposal.pk).delete()
    assert counts_by_status(Meeting.objects.get(pk=meeting.pk)) == orm_counts_by_status(meeting) == {}
