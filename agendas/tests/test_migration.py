"""The agenda's move from meetings to agendas keeps every row (migrations meetings 0007,
documents 0005, agendas 0001-0002)."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TOR = importlib.import_module("meetings.migrations.0003_tor_versions")
BEFORE = [
    ("meetings", "0006_invitation_chair_consulted_on_and_more"),
    ("documents", "0004_document_one_copy_per_presentation_and_more"),
    ("agendas", None),
]
AFTER = [("agendas", "0002_meeting_agenda_adopted_at")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_agenda_rows_survive_the_move_to_the_agendas_app():
    try:
        old = _migrate(BEFORE)
        User = old.get_model("accounts", "User")
        user = User.objects.create(username="secretariat@example.org", email="secretariat@example.org")
        Meeting = old.get_model("meetings", "Meeting")
        meeting = Meeting.objects.create(
            title="DIEF 2099",
            start_date=datetime.date(2099, 3, 20),
            end_date=datetime.date(2099, 3, 20),
            venue="Geneva",
            host_session="preparatory",
            host_session_name="Preparatory meeting",
            tor_version=old.get_model("meetings", "ToRVersion").objects.get_or_create(
                name="CSP10 (2024)", defaults={"in_force_from": datetime.date(2024, 8, 23), **TOR.NUMBERS}
            )[0],
            convened_by=user,
            convened_on=datetime.date(2098, 11, 1),
            created_by=user,
        )
        adopted_at = datetime.datetime(2099, 3, 20, 9, 0, tzinfo=datetime.UTC)
        agenda = old.get_model("meetings", "Agenda").objects.create(
            meeting=meeting, status="adopted", distributed_at=adopted_at, adopted_at=adopted_at, adopted_by=user
        )
        old.get_model("meetings", "AgendaItem").objects.create(agenda=agenda, position=1, title="Opening")
        old.get_model("meetings", "AgendaVersion").objects.create(
            agenda=agenda, number=0, created_at=adopted_at, created_by=user, items=[{"position": 1, "title": "Opening"}]
        )

        new = _migrate(AFTER)
        moved = new.get_model("agendas", "Agenda").objects.get(pk=agenda.pk)
        assert moved.meeting_id == meeting.pk and moved.status == "adopted" and moved.adopted_at == adopted_at
        assert list(moved.items.values_list("title", flat=True)) == ["Opening"]
        assert moved.versions.get().items == [{"position": 1, "title": "Opening"}]
        assert new.get_model("meetings", "Meeting").objects.get(pk=meeting.pk).agenda_adopted_at == adopted_at
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
