"""Object permissions only (django-guardian, direct foreign-key tables): a model-level
``view_*`` permission given by mistake to a State group or to a user exposes no meeting,
presentation, document, record, proposal or briefing; deleting an object leaves no permission
row a new object could inherit (ToR rules 6, 14-16)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from guardian.models import GroupObjectPermission, UserObjectPermission

from dief.testing import login_verified

from .matrix_world import SECRET, build_world


@pytest.fixture
def world(db, monkeypatch):
    from accounts.models import User

    with monkeypatch.context() as patch:
        patch.setattr(User, "is_verified", lambda self: True, raising=False)
        return build_world()


def every_view_permission():
    return Permission.objects.filter(codename__startswith="view_")


def test_model_level_view_permissions_to_a_state_group_or_a_user_expose_nothing(client, world):
    """France (not involved, did not take part, not chosen), a national authority user with
    nothing shared and the CSP President get every model-level view permission, through
    their State's group and on their own user: they see no more than before."""
    from briefings.queries import arrangements_for_user, briefings_for_user
    from documents.queries import documents_for_user
    from exchange.queries import records_for_user
    from experts.queries import consultations_for_user, proposals_for_user
    from meetings.queries import meetings_for_user
    from presentations.queries import presentations_for_user

    users, ids = world["users"], world["ids"]
    other, authority, president = users["other"], users["authority_unshared"], users["president"]
    for user in (other, authority, president):
        user.is_verified = lambda: True
    queries = (
        meetings_for_user,
        presentations_for_user,
        documents_for_user,
        records_for_user,
        proposals_for_user,
        consultations_for_user,
        briefings_for_user,
        arrangements_for_user,
    )
    before = {(q.__name__, u.pk): set(q(u).values_list("pk", flat=True)) for q in queries for u in (other, authority)}
    world["states"]["fra"].group.permissions.add(*every_view_permission())
    world["states"]["che"].group.permissions.add(*every_view_permission())
    for user in (other, authority, president):
        user.user_permissions.add(*every_view_permission())
    for user in (other, authority):
        fresh = type(user).objects.get(pk=user.pk)  # no permission cache
        fresh.is_verified = lambda: True
        for query in queries:
            assert set(query(fresh).values_list("pk", flat=True)) == before[(query.__name__, user.pk)], query.__name__
    record = ids["records"]["chosen"]
    pages = {
        "other": [
            reverse("presentations:detail", args=[ids["presentation"]]),
            reverse("documents:download", args=[ids["token"]]),
            reverse("exchange:detail", args=[record["record"]]),
            reverse("documents:download", args=[record["token"]]),
            reverse("briefings:detail", args=[ids["briefing"]]),
            reverse("briefings:arrangement", args=[ids["arrangement"]]),
        ],
        "authority_unshared": [
            reverse("meetings:detail", args=[ids["meeting"]]),
            reverse("presentations:detail", args=[ids["presentation"]]),
            reverse("exchange:detail", args=[ids["records"]["all"]["record"]]),
            reverse("documents:download", args=[ids["records"]["all"]["token"]]),
            reverse("experts:detail", args=[ids["proposal"]]),
        ],
        "president": [reverse("presentations:detail", args=[ids["presentation"]])],
    }
    for persona, urls in pages.items():
        login_verified(client, users[persona])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (persona, url)
            assert SECRET not in response.content.decode(errors="replace")


def test_an_object_permission_to_the_wrong_user_exposes_no_presentation_to_a_national_authority(world):
    """A national authority user sees no presentation even with an object permission on it:
    presentations reach national authority users only through their delegates' shares (rule 16)."""
    from guardian.shortcuts import assign_perm

    from presentations.models import Presentation
    from presentations.queries import presentations_for_user

    authority = world["users"]["authority_unshared"]
    authority.is_verified = lambda: True
    presentation = Presentation.objects.get(pk=world["ids"]["presentation"])
    assign_perm("presentations.view_presentation", authority, presentation)
    assert not presentations_for_user(authority).exists()


def test_deleting_objects_leaves_no_permission_rows_a_new_object_could_inherit(world):
    """Meetings, presentations and records keep their grants in direct foreign-key tables:
    deleting one deletes its grants, and nothing goes to django-guardian's generic tables
    (whose text primary keys a new object with a reused id would inherit)."""
    from exchange.models import Record, RecordGroupObjectPermission, RecordUserObjectPermission
    from meetings.models import Meeting, MeetingGroupObjectPermission, MeetingUserObjectPermission
    from presentations.models import (
        Presentation,
        PresentationGroupObjectPermission,
        PresentationUserObjectPermission,
    )

    assert not GroupObjectPermission.objects.exists() and not UserObjectPermission.objects.exists()
    ids = world["ids"]
    tables = {
        Meeting: (MeetingGroupObjectPermission, MeetingUserObjectPermission),
        Presentation: (PresentationGroupObjectPermission, PresentationUserObjectPermission),
        Record: (RecordGroupObjectPermission, RecordUserObjectPermission),
    }
    granted = {model: list(model.objects.values_list("pk", flat=True)) for model in tables}
    assert all(
        group.objects.filter(content_object_id__in=pks).exists()
        for model, pks in granted.items()
        for group in tables[model][:1]
    )
    Record.objects.filter(pk__in=[ids["records"]["all"]["record"], ids["records"]["chosen"]["record"]]).delete()
    from agendas.models import AgendaItem

    AgendaItem.objects.all().delete()  # an agenda item keeps its presentation
    Presentation.objects.filter(pk=ids["presentation"]).delete()
    Meeting.objects.filter(pk=ids["meeting"]).delete()
    for model, (group_table, user_table) in tables.items():
        assert not model.objects.filter(pk__in=granted[model]).exists()
        assert not group_table.objects.filter(content_object_id__in=granted[model]).exists(), model
        assert not user_table.objects.filter(content_object_id__in=granted[model]).exists(), model
    assert not GroupObjectPermission.objects.exists() and not UserObjectPermission.objects.exists()
