"""ToR rule 23: a supporting document carries versions in English, French and Spanish; each
reader gets the version in their language when there is one, and sees which exist."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.errors import RuleViolation
from dief.testing import login_verified, pdf_bytes
from documents import services
from presentations import services as presentation_services
from presentations.services import register_delegation


def pdf(tag: str) -> bytes:
    return pdf_bytes(f"Version {tag}")


@pytest.fixture
def presentation(meeting, delegate_party, delegate_other_party):
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        register_delegation(by=delegate_other_party, meeting=meeting, members=[delegate_other_party])
        return presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )


@pytest.fixture
def original(presentation, delegate_party):
    return services.upload(
        by=delegate_party,
        presentation=presentation,
        uploaded=SimpleUploadedFile("report.pdf", pdf("en")),
        language="en",
    )


def test_versions_in_french_and_spanish_attach_to_the_original(presentation, delegate_party, original):
    fr = services.upload(
        by=delegate_party,
        presentation=presentation,
        uploaded=SimpleUploadedFile("rapport.pdf", pdf("fr")),
        language="fr",
        version_of=original,
    )
    assert fr.version_of_id == original.pk
    with pytest.raises(RuleViolation, match="already has a version"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("x.pdf", pdf("fr2")),
            language="fr",
            version_of=original,
        )
    with pytest.raises(RuleViolation, match="already has a version"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("y.pdf", pdf("en2")),
            language="en",
            version_of=original,
        )
    with pytest.raises(RuleViolation, match="which language"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("z.pdf", pdf("none")),
            version_of=original,
        )
    with pytest.raises(RuleViolation, match="English, French and Spanish"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("de.pdf", pdf("de")),
            language="de",
            version_of=original,
        )
    with pytest.raises(RuleViolation, match="version of a version|same item"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("es.pdf", pdf("es")),
            language="es",
            version_of=fr,
        )


def test_each_reader_gets_their_language_and_sees_which_exist(presentation, delegate_party, original):
    fr = services.upload(
        by=delegate_party,
        presentation=presentation,
        uploaded=SimpleUploadedFile("rapport.pdf", pdf("fr")),
        language="fr",
        version_of=original,
    )
    docs = presentation.documents.all()
    (for_fr,) = services.for_reader(docs, "fr")
    (for_es,) = services.for_reader(docs, "es")
    (for_en,) = services.for_reader(docs, "en")
    assert for_fr.document == fr and for_en.document == original
    assert for_es.document == original  # no Spanish version: the original
    assert [code for code, _label, _doc in for_es.languages] == ["en", "fr"]


def test_the_page_links_the_readers_version_and_lists_the_others(
    client, presentation, delegate_party, delegate_other_party, original
):
    fr = services.upload(
        by=delegate_party,
        presentation=presentation,
        uploaded=SimpleUploadedFile("rapport.pdf", pdf("fr")),
        language="fr",
        version_of=original,
    )
    login_verified(client, delegate_other_party)  # language "fr"
    body = client.get(
        reverse("presentations:detail", args=[presentation.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    first_link = body.split('<ul class="documents">')[1].split("</a>")[0]
    assert str(fr.token) in first_link and "rapport.pdf" in first_link
    assert 'hreflang="en"' in body and 'hreflang="fr"' in body
    assert client.get(reverse("documents:download", args=[fr.token])).status_code == 200


def test_a_version_is_uploaded_through_the_page(client, presentation, delegate_party, original):
    login_verified(client, delegate_party)
    client.post(
        reverse("presentations:upload", args=[presentation.pk]),
        {"file": SimpleUploadedFile("informe.pdf", pdf("es")), "language": "es", "version_of": str(original.pk)},
    )
    assert original.language_versions.get().language == "es"
    response = client.post(
        reverse("presentations:upload", args=[presentation.pk]),
        {"file": SimpleUploadedFile("other.pdf", pdf("x")), "language": "fr", "version_of": "999999"},
        follow=True,
    )
    assert "ToR rule 23" in response.content.decode()
