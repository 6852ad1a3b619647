"""Opening a page (GET) changes nothing: every URL, as each kind of user, leaves every table
as it was (sessions, the security and download logs and login throttling excepted)."""

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.enrolment import send_enrolment_link
from accounts.enums import Role
from accounts.services import create_user
from dief.testing import login_password_only, login_verified
from meetings.tests.test_access import confidential_objects, meeting_urls

#: Tables a GET may write: the session, the security and download logs, login throttling.
MAY_CHANGE = {
    "sessions.session",
    "accounts.securityevent",
    "documents.documentaccess",
    "auditlog.logentry",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def snapshot():
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label_lower not in MAY_CHANGE and model._meta.managed
    }


def changed(before, after):
    return sorted(label for label in before if before[label] != after[label])


@pytest.mark.parametrize("persona", ["secretariat", "president", "delegate_party", "chair", "superuser"])
def test_no_get_writes_anything(client, meeting, persona, request):
    user = request.getfixturevalue(persona)
    objects = confidential_objects(meeting)
    urls = list(meeting_urls(meeting, objects))
    urls += [(n, reverse(n)) for n in ("accounts:grants", "accounts:audit", "accounts:security_log", "profile")]
    login_verified(client, user)
    before = snapshot()
    for name, url in urls:
        client.get(url)
        after = snapshot()
        assert not changed(before, after), (name, changed(before, after))


def test_the_second_factor_and_enrolment_pages_write_nothing_on_get(client, party, secretariat):
    newcomer = create_user("newcomer", None, role=Role.NONE, email="newcomer@example.org")
    send_enrolment_link(newcomer, by=secretariat)
    from accounts.enrolment import link_path
    from accounts.models import EnrolmentLink

    path = link_path(EnrolmentLink.objects.get(user=newcomer))
    before = snapshot()
    for url in (path, reverse("login"), reverse("password_reset")):
        client.get(url)
    assert not changed(before, snapshot())
    login_password_only(client, secretariat)
    before = snapshot()
    for url in (reverse("twofactor:verify"), reverse("twofactor:enrol"), reverse("twofactor:devices")):
        client.get(url)
    assert not changed(before, snapshot())
