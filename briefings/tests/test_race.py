import threading

import pytest
from django.db import connection

from briefings import services
from briefings.enums import BriefingStatus, Decision
from briefings.models import Briefing, BriefingDecision
from dief.errors import RuleViolation


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_last_objection_racing_the_chairs_agreement_never_ends_agreed_over_an_objection(
    briefing, participants, chair, attempt
):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    che, fra, bgd = participants
    for d in participants:
        services.decide(by=d, briefing=briefing, decision=Decision.AGREE, version=1)
    barrier = threading.Barrier(2)
    outcomes = {}

    def object_now():
        barrier.wait()
        try:
            services.decide(by=fra, briefing=briefing, decision=Decision.OBJECT, version=1, reason="Changed our mind")
            outcomes["objection"] = "recorded"
        except RuleViolation:
            outcomes["objection"] = "refused"
        finally:
            connection.close()

    def agree_now():
        barrier.wait()
        try:
            services.record_agreement(by=chair, briefing=briefing)
            outcomes["agreement"] = "recorded"
        except RuleViolation:
            outcomes["agreement"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=object_now), threading.Thread(target=agree_now)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    briefing = Briefing.objects.get(pk=briefing.pk)
    objection = BriefingDecision.objects.filter(briefing=briefing, version=1, decision=Decision.OBJECT).first()
    assert sorted(outcomes.values()) == ["recorded", "refused"]
    if briefing.status == BriefingStatus.AGREED:
        assert objection is None
    else:
        assert objection is not None and outcomes["agreement"] == "refused"
