"""A record as a PDF (reportlab), before the per-download marking of documents.downloads."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from dief.typography import colon
from documents.stamping import stamp_font
from states.names import state_names

from .models import Record


def record_pdf(record: Record) -> bytes:
    """The record's rule 18 fields and rule 19 types on A4 pages; returns the PDF bytes."""
    styles = getSampleStyleSheet()
    font = stamp_font()
    for style in styles.byName.values():
        style.fontName = font
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, topMargin=60, bottomMargin=60, title=f"DIEF record {record.pk}")
    story = [
        Paragraph(escape(record.marking), styles["Heading3"]),
        Paragraph(escape(record.title), styles["Title"]),
        Paragraph(escape(f"{_('Provider')}{colon()} {record.provider_state.local_name}"), styles["Normal"]),
        Paragraph(escape(f"{_('Shared at')}{colon()} {record.created_at:%Y-%m-%d %H:%M} UTC"), styles["Normal"]),
        Spacer(1, 8),
        Paragraph(escape(_("Types of information (ToR rule 19)")), styles["Heading4"]),
    ]
    story += [Paragraph(escape(label), styles["Normal"]) for label in record.type_labels]
    for field in (
        "diversion_details",
        "discovery_details",
        "discovery_timeliness",
        "ways_and_methods",
        "actors_involved",
        "routes",
    ):
        value = getattr(record, field)
        if value:
            story.append(
                Paragraph(escape(str(Record._meta.get_field(field).verbose_name).capitalize()), styles["Heading4"])
            )
            story += [Paragraph(escape(line), styles["Normal"]) for line in value.splitlines() if line.strip()]
    if record.investigation_status:
        story.append(
            Paragraph(
                escape(f"{_('Investigation')}{colon()} {record.get_investigation_status_display()}"), styles["Normal"]
            )
        )
    countries = state_names(record.countries.all())
    if countries:
        story.append(Paragraph(escape(f"{_('Countries concerned')}{colon()} {countries}"), styles["Normal"]))
    doc.build(story)
    return buffer.getvalue()
