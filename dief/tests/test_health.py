"""The health check: no session needed, nothing confidential, a dead sweep is seen."""

import datetime

import pytest
import time_machine

from enforcement.services import record_sweep_run

# The checks run in threads with their own connections: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def test_all_is_well_when_the_sweep_ran_within_three_intervals(client, db, now, settings):
    settings.DIEF_SWEEP_INTERVAL_SECONDS = 60
    with time_machine.travel(NOW - datetime.timedelta(seconds=170), tick=False):
        record_sweep_run(0, 0)
    response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    assert set(response.json().values()) == {"OK"}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_sweep_that_stopped_makes_the_check_fail(client, db, now, settings):
    settings.DIEF_SWEEP_INTERVAL_SECONDS = 60
    with time_machine.travel(NOW - datetime.timedelta(seconds=181), tick=False):
        record_sweep_run(0, 0)
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert "three intervals" in "".join(response.json().values())


def test_before_the_first_sweep_the_check_answers_503_saying_so(client, db, now):
    for url in ("/health/", "/health/?format=text", "/health/?format=json"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "the deadline sweep has not run yet" in response.content.decode(), url


def test_the_health_check_reveals_no_meeting_or_state(client, meeting, now):
    record_sweep_run(0, 0)
    body = client.get("/health/").content.decode()
    assert meeting.title not in body and "Switzerland" not in body


def test_an_unreachable_broker_makes_the_check_fail(client, now, settings):
    record_sweep_run(0, 0)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["Broker()"].endswith("broker unreachable")
