"""The agreed outline as a file for delivery (ToR rule 22): plain text or PDF (reportlab).

Only :func:`briefings.services.deliverable_text` goes in: no link to a presentation, no
decision, no State list.
"""

import io
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Briefing
from .services import deliverable_text


def heading(briefing: Briefing) -> str:
    return _("Oral briefing of the Chair of the Diversion Information Exchange Forum (ToR rule 22)")


def as_text(briefing: Briefing) -> str:
    """The agreed outline with a one-line heading, as plain text."""
    text = deliverable_text(briefing)
    return f"{heading(briefing)}\n\n{text}\n"


def as_pdf(briefing: Briefing) -> bytes:
    """The agreed outline as a PDF document (bytes)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    text = deliverable_text(briefing)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=heading(briefing), author="DIEF", subject="", creator="DIEF")
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(heading(briefing)), styles["Title"])]
    if briefing.agreed_at:
        story.append(
            Paragraph(
                escape(_("Agreed on %(date)s") % {"date": date_format(briefing.agreed_at, "DATE_FORMAT")}),
                styles["Italic"],
            )
        )
    story.append(Spacer(1, 12))
    for paragraph in text.split("\n\n"):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["BodyText"]))
    doc.build(story)
    return buffer.getvalue()
