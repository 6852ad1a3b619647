"""The real list of ATT States, its treaty history and re-import (ToR rule 6)."""

import datetime

import pytest

from accounts.enums import Role
from dief.testing import UserFactory
from states.enums import TreatyStatus
from states.models import State
from states.services import BUNDLED_CSV, StatesFileError, import_states

pytestmark = pytest.mark.django_db


def test_bundled_list_loads_every_state_with_its_status():
    summary = import_states()
    assert summary.created == 143
    today = datetime.date(2026, 11, 30)
    statuses = [s.status_on(today) for s in State.objects.prefetch_related("treaty_events")]
    assert statuses.count(TreatyStatus.STATE_PARTY) == 118
    assert statuses.count(TreatyStatus.SIGNATORY) == 24
    assert statuses.count(TreatyStatus.SIGNATURE_WITHDRAWN) == 1
    assert State.objects.eligible_on(today).count() == 142


def test_eligibility_follows_the_dates_of_the_treaty_history():
    import_states()
    afghanistan = State.objects.get(iso3="AFG")  # acceded 2020-07-29, never signed
    assert not afghanistan.is_eligible(datetime.date(2020, 7, 28))
    assert afghanistan.is_eligible(datetime.date(2020, 7, 29))
    andorra = State.objects.get(iso3="AND")  # signed 2014-12-18, ratified 2022-12-02
    assert andorra.status_on(datetime.date(2014, 12, 17)) == TreatyStatus.NONE
    assert andorra.status_on(datetime.date(2018, 1, 1)) == TreatyStatus.SIGNATORY
    assert andorra.status_on(datetime.date(2022, 12, 2)) == TreatyStatus.STATE_PARTY
    assert not State.objects.get(iso3="USA").is_eligible(datetime.date(2026, 1, 1))


def test_queryset_and_model_agree_on_eligibility_on_every_date():
    import_states()
    for day in (
        datetime.date(2013, 6, 3),
        datetime.date(2016, 1, 1),
        datetime.date(2020, 7, 29),
        datetime.date(2026, 11, 30),
    ):
        by_query = set(State.objects.eligible_on(day).values_list("iso3", flat=True))
        by_model = {s.iso3 for s in State.objects.prefetch_related("treaty_events") if s.is_eligible(day)}
        assert by_query == by_model, day


def test_reimport_keeps_primary_keys_and_references(tmp_path):
    import_states()
    mexico = State.objects.get(iso3="MEX")
    user = UserFactory(username="delegate_mex", state=mexico, role=Role.DELEGATE)
    corrected = tmp_path / "states.csv"
    text = BUNDLED_CSV.read_text(encoding="utf-8")
    corrected.write_text(
        text.replace(
            "Angola,AGO,2013-09-24,,,,signatory,Africa",
            "Angola,AGO,2013-09-24,2026-01-15,ratification,2026-04-15,state_party,Africa",
        ),
        encoding="utf-8",
    )
    summary = import_states(corrected)
    assert summary.created == 0 and summary.updated == 1 and summary.unchanged == 142
    user.refresh_from_db()
    assert user.state_id == mexico.pk == State.objects.get(iso3="MEX").pk
    assert State.objects.get(iso3="AGO").status_on(datetime.date(2026, 2, 1)) == TreatyStatus.STATE_PARTY
    assert user.groups.filter(name="State:MEX").exists()


def test_malformed_file_changes_nothing(tmp_path):
    import_states()
    bad = tmp_path / "bad.csv"
    text = BUNDLED_CSV.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("Angola,AGO,2013-09-24,,,,signatory,Africa", "Angola,AGO,24/09/2013,,,,signatory,Africa").replace(
            "Albania,ALB", "Albanie,ALB"
        ),
        encoding="utf-8",
    )
    with pytest.raises(StatesFileError, match="line"):
        import_states(bad)
    assert State.objects.get(iso3="ALB").name == "Albania"


def test_import_command_resyncs_meeting_access(meeting):
    from django.core.management import call_command

    from meetings.models import MeetingGroupObjectPermission

    call_command("import_states")
    groups = set(
        MeetingGroupObjectPermission.objects.filter(content_object=meeting).values_list("group__name", flat=True)
    )
    assert "State:MEX" in groups and "State:USA" not in groups


def test_the_admin_shows_a_states_treaty_history_but_cannot_change_it(client, superuser, withdrawn_state):
    """Eligibility (ToR rule 6) decides what a State sees: no single person edits it in the admin."""
    from django.urls import reverse

    from dief.testing import login_verified

    login_verified(client, superuser)
    url = reverse("admin:states_state_change", args=[withdrawn_state.pk])
    page = client.get(url).content.decode()
    assert "treaty_events-0-date" not in page and "treaty_events-0-DELETE" not in page
    client.post(
        url,
        {
            "name": withdrawn_state.name,
            "region": withdrawn_state.region,
            "treaty_events-TOTAL_FORMS": "1",
            "treaty_events-INITIAL_FORMS": "1",
            "treaty_events-0-id": withdrawn_state.treaty_events.first().pk,
            "treaty_events-0-state": withdrawn_state.pk,
            "treaty_events-0-DELETE": "on",
        },
    )
    withdrawn_state.refresh_from_db()
    assert withdrawn_state.treaty_events.filter(kind="signature_withdrawn").exists()
    assert not withdrawn_state.is_eligible(datetime.date(2026, 12, 1))
