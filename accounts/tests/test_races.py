"""Single use under concurrency: an enrolment link sets one password, a grant is decided once."""

import threading

import pytest
from django.db import connection

from accounts.enrolment import link_token, send_enrolment_link, set_password_with_link
from accounts.enums import GrantStatus, Role
from accounts.models import EnrolmentLink, RoleGrant
from accounts.services import confirm_grant, create_user, refuse_grant, request_grant
from dief.errors import RuleViolation
from dief.testing import UserFactory


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        barrier.wait()
        try:
            call()
            outcomes.append("ok")
        except RuleViolation:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_enrolment_link_submitted_twice_at_once_sets_one_password(secretariat):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    user = create_user("newcomer", None, role=Role.NONE, email="newcomer@example.org")
    send_enrolment_link(user, by=secretariat)
    link = EnrolmentLink.objects.get(user=user)
    token = link_token(link)
    outcomes = at_once(
        *[lambda p=p: set_password_with_link(link.pk, token, p) for p in ("first passphrase 1", "second passphrase 2")]
    )
    assert sorted(outcomes) == ["ok", "refused"]


@pytest.mark.django_db(transaction=True)
def test_a_grant_confirmed_and_refused_at_once_is_decided_once(secretariat, party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    officers = [UserFactory(username=f"officer{i}", role=Role.SECRETARIAT, participant_role="") for i in range(2)]
    newcomer = UserFactory(username="newcomer", role=Role.NONE, participant_role="")
    grant = request_grant(newcomer, by=secretariat, role=Role.CSP_PRESIDENT)
    outcomes = at_once(lambda: confirm_grant(grant, by=officers[0]), lambda: refuse_grant(grant, by=officers[1]))
    assert sorted(outcomes) == ["ok", "refused"]
    grant.refresh_from_db()
    newcomer.refresh_from_db()
    assert (grant.status == GrantStatus.CONFIRMED) == (newcomer.role == Role.CSP_PRESIDENT)
    assert RoleGrant.objects.filter(status=GrantStatus.PENDING).count() == 0
