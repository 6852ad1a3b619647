"""The download log of a document is seen by its provider and the Secretariat only (ToR rules 14-15)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.testing import login_verified, pdf_bytes
from documents import services
from presentations import services as presentation_services

PDF = pdf_bytes("Report")
EARLY = datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def shared(meeting, delegate_party, delegate_other_party, other_party):
    with time_machine.travel(EARLY, tick=False):
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )
        presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        document = services.upload(
            by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("report.pdf", PDF)
        )
    return presentation, document


def page_as(client, user, presentation):
    with time_machine.travel(EARLY + datetime.timedelta(hours=1), tick=False):
        login_verified(client, user)
        return client.get(reverse("presentations:detail", args=[presentation.pk])).content.decode()


def test_the_provider_sees_who_downloaded_its_document(shared, client, delegate_party, delegate_other_party):
    presentation, document = shared
    with time_machine.travel(EARLY + datetime.timedelta(minutes=30), tick=False):
        login_verified(client, delegate_other_party)
        assert client.get(reverse("documents:download", args=[document.token])).status_code == 200
    page = page_as(client, delegate_party, presentation)
    assert "Downloaded 1 time" in page
    assert "delegate_fra" in page and "France" in page


def test_the_secretariat_sees_the_log_and_other_states_do_not(shared, client, secretariat, delegate_other_party):
    presentation, _document = shared
    assert "Downloaded 0 times" in page_as(client, secretariat, presentation)
    page = page_as(client, delegate_other_party, presentation)
    assert "download-log" not in page and "Downloaded" not in page


def test_a_long_log_shows_its_latest_downloads_and_pages_the_rest_on_its_own_page(
    shared, client, delegate_party, delegate_other_party, secretariat
):
    from documents.models import DocumentAccess
    from documents.queries import LOG_SHOWN

    presentation, document = shared
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            document=document,
            user=delegate_other_party,
            state=delegate_other_party.state,
            classification=document.classification,
            accessed_at=EARLY + datetime.timedelta(minutes=i),
        )
        for i in range(30)
    )
    page = page_as(client, delegate_party, presentation)
    assert f"Downloaded more than {LOG_SHOWN} times" in page
    assert page.count("<td>delegate_fra</td>") == LOG_SHOWN
    log_url = reverse("documents:download_log", args=[document.token])
    assert log_url in page

    with time_machine.travel(EARLY + datetime.timedelta(hours=1), tick=False):
        for reader in (delegate_party, secretariat):
            login_verified(client, reader)
            first = client.get(log_url).content.decode()
            assert first.count("<td>delegate_fra</td>") == 25 and "?page=2" in first
            assert client.get(log_url, {"page": 2}).content.decode().count("<td>delegate_fra</td>") == 5
        login_verified(client, delegate_other_party)  # reads the document, not its log
        assert client.get(log_url).status_code == 404


def test_a_short_log_is_shown_whole_without_a_link(shared, client, delegate_party, delegate_other_party):
    presentation, document = shared
    with time_machine.travel(EARLY + datetime.timedelta(minutes=30), tick=False):
        login_verified(client, delegate_other_party)
        client.get(reverse("documents:download", args=[document.token]))
    page = page_as(client, delegate_party, presentation)
    assert "Downloaded 1 time" in page
    assert reverse("documents:download_log", args=[document.token]) not in page


def test_each_documents_log_keeps_its_own_latest_downloads(shared, delegate_party, delegate_other_party):
    from documents.models import DocumentAccess
    from documents.queries import download_log_for_user

    presentation, document = shared
    with time_machine.travel(EARLY, tick=False):
        second = services.upload(
            by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("annex.pdf", pdf_bytes("Annex"))
        )
    for target, n in ((document, 7), (second, 2)):
        DocumentAccess.objects.bulk_create(
            DocumentAccess(
                document=target,
                user=delegate_other_party,
                state=delegate_other_party.state,
                classification=target.classification,
                accessed_at=EARLY + datetime.timedelta(minutes=i),
            )
            for i in range(n)
        )
    logs = download_log_for_user(delegate_party, [document, second], shown=3)
    rows, more = logs[document.pk]
    assert more and [a.accessed_at.minute for a in rows] == [6, 5, 4]
    rows, more = logs[second.pk]
    assert not more and [a.accessed_at.minute for a in rows] == [1, 0]
    assert download_log_for_user(delegate_other_party, [document, second]) == {}
