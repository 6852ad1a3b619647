"""Two requests at once do a thing once (row locks; PostgreSQL only, as in CI)."""

import threading

import pytest
from django.db import connection

from dief.confidentiality import Classification
from dief.errors import RuleViolation
from exchange import services
from exchange.enums import Audience
from exchange.models import ClassificationDecision, Share


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        barrier.wait()
        try:
            outcomes.append(fn())
        except RuleViolation as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def _postgres_only():
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_tightenings_on_the_same_version_make_one_decision(_postgres_only, delegate_party):
    record = services.share_record(
        by=delegate_party, title="Race", audience=Audience.ALL_ELIGIBLE, information_types=["a"]
    )
    outcomes = _race(
        lambda: services.tighten_classification(
            by=delegate_party, target=record, classification=Classification.DELEGATES_ONLY, version=1
        )
    )
    assert sum(isinstance(o, RuleViolation) for o in outcomes) == 1
    assert ClassificationDecision.objects.filter(record=record).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_shares_at_once_make_one_active_share(_postgres_only, delegate_party, national_authority):
    record = services.share_record(
        by=delegate_party, title="Race", audience=Audience.ALL_ELIGIBLE, information_types=["a"]
    )
    outcomes = _race(
        lambda: services.share_with_authority(by=delegate_party, recipient=national_authority, record=record)
    )
    assert len({o.pk for o in outcomes}) == 1
    assert Share.objects.filter(record=record, revoked_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_form_at_once_raise_one_concern(_postgres_only, delegate_party, other_party):
    import uuid

    from exchange.models import DisclosureConcern

    token = uuid.uuid4()
    outcomes = _race(
        lambda: services.raise_concern(
            by=delegate_party, concerned_state=other_party, description="Race", submission=token
        )
    )
    assert len({o.pk for o in outcomes}) == 1
    assert DisclosureConcern.objects.count() == 1
