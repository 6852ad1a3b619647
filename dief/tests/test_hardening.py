"""What a second round of attacks tried, pinned: each of these once got through."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.enums import Role
from agendas import services as agenda_services
from dief.errors import RuleViolation
from dief.testing import login_verified
from meetings import services as meeting_services
from meetings.queries import meetings_for_user


def test_a_superuser_cannot_edit_its_own_role_or_powers(client, superuser, meeting):
    login_verified(client, superuser)
    url = reverse("admin:accounts_user_change", args=[superuser.pk])
    page = client.get(url).content.decode()
    assert 'name="role"' not in page and 'name="is_superuser"' not in page
    client.post(
        url,
        {
            "username": superuser.username,
            "role": Role.CSP_PRESIDENT,
            "language": "en",
            "time_zone": "UTC",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00",
        },
    )
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.role == Role.ADMINISTRATOR
    superuser.is_verified = lambda: True
    assert not meetings_for_user(superuser).exists()


def test_the_chair_comes_from_an_eligible_state_and_stays_chair_only_while_it_is(
    president, outsider, party, delegate_party, meeting
):
    with pytest.raises(RuleViolation, match="ToR rules 4, 6"):
        meeting_services.appoint_chair(
            by=president,
            chair=outsider,
            appointed_on=datetime.date(2026, 1, 1),
            term_ends_with="CSP13",
            term_ends_on=datetime.date(2099, 1, 1),
        )
    meeting_services.appoint_chair(
        by=president,
        chair=delegate_party,
        appointed_on=datetime.date(2026, 1, 1),
        term_ends_with="CSP13",
        term_ends_on=datetime.date(2099, 1, 1),
    )
    again = meeting_services.appoint_chair(
        by=president,
        chair=delegate_party,
        appointed_on=datetime.date(2026, 1, 1),
        term_ends_with="CSP13",
        term_ends_on=datetime.date(2099, 1, 1),
    )
    assert again.chair == delegate_party
    from meetings.queries import is_chair_in_office
    from states.enums import TreatyEventKind

    assert is_chair_in_office(delegate_party)
    party.treaty_events.filter(kind=TreatyEventKind.CONSENT).delete()
    party.treaty_events.create(kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=datetime.date(2020, 1, 1))
    assert not is_chair_in_office(type(delegate_party).objects.get(pk=delegate_party.pk))


def test_only_the_csp_president_appoints(secretariat, delegate_party):
    with pytest.raises(RuleViolation, match="ToR rule 4"):
        meeting_services.appoint_chair(
            by=secretariat,
            chair=delegate_party,
            appointed_on=datetime.date(2026, 1, 1),
            term_ends_with="CSP13",
            term_ends_on=datetime.date(2099, 1, 1),
        )


def test_an_agenda_with_a_presentation_lacking_consent_is_neither_approved_nor_distributed(
    meeting, secretariat, chair, delegate_party, other_party, signatory_state, delegate_other_party
):
    from presentations import services

    p = services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S", consent_legally_required=True
    )
    services.notify_involved_states(by=delegate_party, presentation=p, states=[other_party])
    services.submit_reply(by=delegate_other_party, presentation=p, text="ok", consent=True)
    agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=p)
    services.notify_involved_states(by=delegate_party, presentation=p, states=[signatory_state])
    with pytest.raises(RuleViolation, match="ToR rule 12"):
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))


@pytest.mark.parametrize(
    "entry",
    ["word/x.js ", "word/run.wsf", "word/page.html", "word/vbaProject.bin", "../../../../tmp/evil.sh.txt", "/abs.xml"],
)
def test_office_packages_with_scripts_macros_or_escaping_paths_are_refused(meeting, delegate_party, entry):
    from documents import services
    from presentations import services as presentation_services

    p = presentation_services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr(entry, "x")
    with pytest.raises(RuleViolation, match="not accepted"):
        services.upload(by=delegate_party, presentation=p, uploaded=SimpleUploadedFile("a.docx", buffer.getvalue()))


def test_bad_input_gets_an_answer_not_an_error(client, meeting, delegate_party):
    response = client.post(reverse("login"), {"username": "x" * 256, "password": "whatever"})
    assert response.status_code == 200
    login_verified(client, delegate_party)
    assert client.get(reverse("presentations:list") + "?q=%00abc").status_code == 200
    response = client.post(
        reverse("meetings:delegation_register", args=[meeting.pk]), {"members": "9223372036854775808"}, follow=True
    )
    assert response.status_code == 200 and "ToR rule 7" in response.content.decode()


def test_changing_the_email_needs_the_password(client, delegate_party):
    login_verified(client, delegate_party)
    data = {
        "first_name": "",
        "last_name": "",
        "email": "attacker@example.org",
        "language": "en",
        "time_zone": "Europe/Zurich",
    }
    client.post(reverse("profile"), data)
    delegate_party.refresh_from_db()
    assert delegate_party.email != "attacker@example.org"
    client.post(reverse("profile"), {**data, "current_password": "correct horse battery staple"})
    delegate_party.refresh_from_db()
    assert delegate_party.email == "attacker@example.org"


def test_a_delegates_notice_reaches_nobody_who_is_no_longer_a_delegate(meeting, delegate_party):
    from django.core import mail

    from notifications import services
    from notifications.enums import NotificationKind

    services.queue("e", [delegate_party], NotificationKind.INVITATION, meeting=meeting)
    delegate_party.role = Role.NATIONAL_AUTHORITY
    delegate_party.save()
    services.send_pending()
    assert mail.outbox == []
