"""Races on PostgreSQL: threads, a barrier, repeated (ToR rule 8)."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from dief.errors import RuleViolation
from enforcement.services import sweep
from experts import services
from experts.enums import ProposalStatus
from experts.models import ExpertProposal, Objection
from notifications.enums import NotificationKind
from notifications.models import Notification

from .conftest import EARLY, EXPERT, SILENCE_END, T20_END, TICK, at

pytestmark = pytest.mark.django_db(transaction=True)


def _skip_on_sqlite():
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")


def _run(*targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(target):
        def run():
            try:
                barrier.wait()
                target()
            except Exception as exc:  # collected for the asserts
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize("attempt", range(8))
def test_an_objection_racing_the_sweep_that_ends_the_silence_is_recorded_or_refused_never_both(
    presentation, delegate_party, delegate_other_party, attempt
):
    _skip_on_sqlite()
    with at(EARLY):
        proposal = services.propose_expert(by=delegate_party, presentation=presentation, **EXPERT)
    refused = []

    def objection():
        # The objection comes in on the very last instant of the silence procedure ...
        with time_machine.travel(SILENCE_END, tick=False):
            try:
                services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
            except RuleViolation as exc:
                refused.append(exc)

    def the_sweep():
        # ... while the sweep that ends it runs at the first instant after.
        sweep(SILENCE_END + TICK)

    assert _run(objection, the_sweep) == []
    final = ExpertProposal.objects.get(pk=proposal.pk)
    if refused:
        assert not Objection.objects.exists()
        assert final.status == ProposalStatus.APPROVED
        assert refused[0].rule == "8"
    else:
        assert Objection.objects.count() == 1
        assert final.status == ProposalStatus.IN_CONSULTATION
        assert final.expert_user_id is None
        assert not Notification.objects.filter(kind=NotificationKind.EXPERT_APPROVED).exists()


@pytest.mark.parametrize("attempt", range(4))
def test_two_sweeps_at_once_refer_an_unresolved_proposal_exactly_once(
    presentation, delegate_party, delegate_other_party, secretariat, attempt
):
    _skip_on_sqlite()
    with at(EARLY):
        proposal = services.propose_expert(by=delegate_party, presentation=presentation, **EXPERT)
        services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
    sweep(SILENCE_END + TICK)

    def one_sweep():
        sweep(T20_END + TICK)

    assert _run(one_sweep, one_sweep) == []
    final = ExpertProposal.objects.get(pk=proposal.pk)
    assert final.status == ProposalStatus.REFERRED
    assert Notification.objects.filter(kind=NotificationKind.EXPERT_REFERRED, recipient=secretariat).count() == 1


@pytest.mark.parametrize("attempt", range(4))
def test_two_sweeps_at_the_silence_end_approve_once(presentation, delegate_party, secretariat, attempt):
    _skip_on_sqlite()
    with at(EARLY):
        proposal = services.propose_expert(by=delegate_party, presentation=presentation, **EXPERT)

    def one_sweep():
        sweep(SILENCE_END + datetime.timedelta(minutes=1))

    assert _run(one_sweep, one_sweep) == []
    assert ExpertProposal.objects.get(pk=proposal.pk).status == ProposalStatus.APPROVED
    assert Notification.objects.filter(kind=NotificationKind.EXPERT_APPROVED, recipient=secretariat).count() == 1
