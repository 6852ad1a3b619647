"""No confidential model's name (``__str__``) carries content: the admin's delete confirmation,
the audit trail and logs show names, and a technical administrator reads those."""

from django.apps import apps
from django.urls import reverse

from dief.testing import login_verified
from meetings.models import DelegationRegistration
from meetings.tests.test_access import SECRETS, confidential_objects
from notifications.services import queue

#: Names that are public reference data or account names, not forum content.
PUBLIC_NAMES = {"states.state", "states.treatyevent", "accounts.user", "auth.group", "meetings.torversion"}
PROJECT_APPS = {
    "accounts",
    "states",
    "twofactor",
    "notifications",
    "enforcement",
    "meetings",
    "due",
    "presentations",
    "documents",
    "experts",
    "briefings",
    "agendas",
}


def forbidden(meeting, objects):
    return [*SECRETS, meeting.title, meeting.venue, objects["involved"].state.name, objects["presentation"].title]


def test_no_model_name_carries_content(meeting, chair):
    objects = confidential_objects(meeting)
    DelegationRegistration.objects.create(
        meeting=meeting, state=objects["involved"].state, registered_by=chair, registered_at=meeting.created_at
    )
    queue(f"test:{meeting.pk}:{objects['involved'].state.iso3}", [chair], "invitation", meeting=meeting)
    words = forbidden(meeting, objects)
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        if model._meta.label_lower in PUBLIC_NAMES:
            continue
        for obj in model._base_manager.all():
            name = str(obj)
            checked += 1
            assert not [w for w in words if w and w in name], (model._meta.label, name)
    assert checked > 10


def test_the_admin_delete_confirmation_of_a_state_or_user_shows_no_title(client, meeting, superuser):
    objects = confidential_objects(meeting)
    login_verified(client, superuser)
    state = objects["involved"].state
    presenter = objects["presentation"].registered_by
    for url in (
        reverse("admin:states_state_delete", args=[state.pk]),
        reverse("admin:states_state_delete", args=[presenter.state.pk]),
        reverse("admin:accounts_user_delete", args=[presenter.pk]),
    ):
        page = client.get(url).content.decode()
        assert client.get(url).status_code == 200
        for word in (*SECRETS, meeting.title):
            assert word not in page, (url, word)
