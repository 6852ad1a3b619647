"""A delegation's stored "includes an enforcement officer" (meetings.officers) stays what its
members say, on every way the members or a member's participant role change."""

import datetime
import threading
import time

import pytest

from accounts.enums import ParticipantRole, Role
from accounts.services import confirm_grant, request_grant
from dief import clock
from dief.testing import UserFactory, meeting_factory
from meetings import officers
from meetings.models import DelegationRegistration

ENF, POL = ParticipantRole.ENFORCEMENT, ParticipantRole.POLICY


@pytest.fixture
def meeting(secretariat):
    return meeting_factory(start_date=datetime.date(2031, 3, 3), created_by=secretariat, convened_by=secretariat)


@pytest.fixture
def officer(party):
    return UserFactory(username="enf", state=party, participant_role=ENF)


@pytest.fixture
def policy(party):
    return UserFactory(username="pol", state=party, participant_role=POL)


@pytest.fixture
def delegation(meeting, party, policy):
    return DelegationRegistration.objects.create(
        meeting=meeting, state=party, registered_at=clock.now(), registered_by=policy
    )


def stored(delegation) -> bool:
    return DelegationRegistration.objects.get(pk=delegation.pk).includes_enforcement_officer


def truth(delegation) -> bool:
    return delegation.members.filter(participant_role__in=officers.OFFICER_ROLES).exists()


def test_a_new_delegation_without_members_has_no_officer(delegation):
    assert stored(delegation) is False


def test_adding_removing_setting_and_clearing_members_keeps_the_officer_fact(delegation, officer, policy):
    delegation.members.add(policy)
    assert stored(delegation) is False
    delegation.members.add(officer)
    assert stored(delegation) is True
    delegation.members.remove(officer)
    assert stored(delegation) is False
    delegation.members.set([officer, policy])
    assert stored(delegation) is True
    delegation.members.set([policy])
    assert stored(delegation) is False
    delegation.members.set([officer])
    delegation.members.clear()
    assert stored(delegation) is False


def test_changing_members_from_the_users_side_keeps_the_officer_fact(delegation, officer, policy):
    officer.delegations.add(delegation)
    assert stored(delegation) is True
    officer.delegations.remove(delegation)
    assert stored(delegation) is False
    officer.delegations.set([delegation])
    assert stored(delegation) is True
    officer.delegations.clear()
    assert stored(delegation) is False


def test_a_members_participant_role_change_keeps_the_officer_fact(delegation, officer, policy):
    delegation.members.set([officer, policy])
    policy.participant_role = ENF
    policy.save()
    officer.participant_role = POL
    officer.save(update_fields=["participant_role"])
    assert stored(delegation) is True
    policy.participant_role = POL
    policy.save()
    assert stored(delegation) is False == truth(delegation)
    policy.participant_role = ENF
    policy.save(update_fields=["role", "state", "participant_role"])
    assert stored(delegation) is True


def test_a_confirmed_grant_changing_the_participant_role_keeps_the_officer_fact(delegation, officer, secretariat):
    delegation.members.set([officer])
    grant = request_grant(officer, by=secretariat, role=Role.DELEGATE, state=officer.state, participant_role=POL)
    assert stored(delegation) is True  # pending: nothing changed yet
    confirm_grant(grant, by=UserFactory(username="second_officer", role=Role.SECRETARIAT, participant_role=""))
    officer.refresh_from_db()
    assert officer.participant_role == POL
    assert stored(delegation) is False


def test_saving_a_user_without_their_participant_role_leaves_the_delegations_alone(delegation, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    delegation.members.set([officer])
    with CaptureQueriesContext(connection) as saved:
        officer.save(update_fields=["first_name", "last_login"])
    assert not [q for q in saved.captured_queries if "delegationregistration" in q["sql"]]
    assert stored(delegation) is True


def test_deleting_a_member_keeps_the_officer_fact(meeting, party, delegation, officer, policy):
    other = UserFactory(username="enf2", state=party, participant_role=ENF)
    delegation.members.set([officer, other, policy])
    officer.delete()
    assert stored(delegation) is True
    from accounts.models import User

    User.objects.filter(pk=other.pk).delete()
    assert stored(delegation) is False == truth(delegation)


def test_refresh_rewrites_the_fact_from_the_members(delegation, officer):
    delegation.members.set([officer])
    DelegationRegistration.objects.update(includes_enforcement_officer=False)
    officers.refresh([delegation.pk])
    assert stored(delegation) is True
    DelegationRegistration.objects.update(includes_enforcement_officer=False)
    officers.refresh(DelegationRegistration.objects.all())
    assert stored(delegation) is True


def test_the_migration_fills_the_fact_of_existing_delegations(delegation, officer):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("meetings.migrations.0010_delegation_includes_enforcement_officer")
    delegation.members.set([officer])
    DelegationRegistration.objects.update(includes_enforcement_officer=False)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill(apps, editor)
    assert stored(delegation) is True


def test_no_code_writes_memberships_or_participant_roles_past_the_signals():
    """Rows of ``members.through`` and ``QuerySet.update`` of participant roles send no signal:
    the one place that writes them (the benchmark's data) refreshes the fact itself."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writes = re.compile(
        r"(through|Member)\.objects\.(bulk_create|create|get_or_create|update|delete)|"
        r"\.update\([^)]*participant_role"
    )
    found = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {".venv", "tests", "migrations", "browser_tests"} & set(path.relative_to(root).parts)
        and writes.search(path.read_text())
    }
    assert found == {"benchmarks/data.py"}
    assert "officers.refresh(" in (root / "benchmarks" / "data.py").read_text()


@pytest.mark.django_db(transaction=True)
def test_a_role_change_racing_a_member_change_leaves_the_fact_as_the_members_say(secretariat, party):
    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    meeting = meeting_factory(start_date=datetime.date(2031, 3, 3), created_by=secretariat, convened_by=secretariat)
    officer = UserFactory(username="enf", state=party, participant_role=ENF)
    policy = UserFactory(username="pol", state=party, participant_role=POL)
    delegation = DelegationRegistration.objects.create(
        meeting=meeting, state=party, registered_at=clock.now(), registered_by=policy
    )
    delegation.members.set([policy])
    barrier = threading.Barrier(2)

    def add_the_officer():  # adds the officer, then holds its transaction while the other waits
        try:
            with transaction.atomic():
                delegation.members.add(officer)
                barrier.wait()
                time.sleep(0.5)
        finally:
            connection.close()

    def change_a_role():  # a role change of another member, begun while the officer is being added
        try:
            barrier.wait()
            with transaction.atomic():
                policy.participant_role = ParticipantRole.POLICY
                policy.save()
        finally:
            connection.close()

    threads = [threading.Thread(target=add_the_officer), threading.Thread(target=change_a_role)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert truth(delegation) is True
    assert stored(delegation) is True
