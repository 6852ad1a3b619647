"""The supporting documents of a presentation's page, written by ``{% document_items %}``:
the markup the template wrote (links, language versions, marking, download log)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import translation

from dief.testing import pdf_bytes
from documents import queries, services
from documents.models import DocumentAccess
from presentations import services as presentation_services

EARLY = datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC)

#: What the page's template wrote for each document before the tag.
TEMPLATE_ROWS = (
    "{% load i18n %}{% for d in documents %}<li><a href=\"{% url 'documents:download' d.document.token %}\">"
    "{{ d.document.original_name }}</a> <small>({{ d.document.size|filesizeformat }}{% if d.document.language %}, "
    "{{ d.document.get_language_display }}{% endif %})</small>{% if d.languages %} · <small>{% translate "
    '"Versions:" %} {% for code, label, v in d.languages %}<a href="{% url \'documents:download\' v.token %}" '
    'hreflang="{{ code }}" lang="{{ code }}">{{ label }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}'
    "</small>{% endif %} · <a href=\"{% url 'exchange:classification' 'document' d.document.pk %}\">"
    "{{ d.document.get_classification_display }}</a>\n"
    '  {% include "documents/_download_log.html" with log=d.document.download_log '
    "more=d.document.download_log_more document=d.document %}</li>{% endfor %}"
)


def read(reader, language, documents_qs):
    """The documents as the page reads them (two queries at most)."""
    documents = services.for_reader(documents_qs, language)
    logs = queries.download_log_for_user(reader, [d.document for d in documents])
    for entry in documents:
        entry.document.download_log, entry.document.download_log_more = logs.get(entry.document.pk, (None, False))
    return documents


def rendered(source, documents, language):
    with translation.override(language):
        return Template(source).render(Context({"documents": documents, "TIME_ZONE": "UTC"}))


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_documents_are_written_as_the_template_wrote_them(
    meeting, delegate_party, delegate_other_party, other_party, secretariat, language, django_assert_num_queries
):
    with time_machine.travel(EARLY, tick=False):
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )
        presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        original = services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("report <1> & 'co'.pdf", pdf_bytes("en")),
            language="en",
        )
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("rapport.pdf", pdf_bytes("fr")),
            language="fr",
            version_of=original,
        )
        quiet = services.upload(
            by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("annex.pdf", pdf_bytes("a"))
        )
        theirs = services.upload(
            by=secretariat, presentation=presentation, uploaded=SimpleUploadedFile("b.pdf", pdf_bytes("b"))
        )
    # a long log (more than shown, a reader without a State) and a short one
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            document=original,
            user=secretariat if i % 3 else delegate_other_party,
            state=None if i % 3 else delegate_other_party.state,
            classification=original.classification,
            accessed_at=EARLY + datetime.timedelta(minutes=i),
        )
        for i in range(queries.LOG_SHOWN + 4)
    )
    DocumentAccess.objects.create(
        document=theirs,
        user=delegate_party,
        state=delegate_party.state,
        classification=theirs.classification,
        accessed_at=EARLY,
    )
    for reader in (delegate_party, delegate_other_party, secretariat):
        documents = read(reader, language, presentation.documents.select_related("uploaded_by"))
        with django_assert_num_queries(0):  # the log's rows read all they show
            written = rendered("{% load document_rows %}{% document_items documents %}", documents, language)
        expected = rendered(TEMPLATE_ROWS, documents, language)
        assert written == expected
        assert quiet.original_name in written and 'hreflang="fr"' in written
        if reader != delegate_other_party:
            assert "download-log" in written
