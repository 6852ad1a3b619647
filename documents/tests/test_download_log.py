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
