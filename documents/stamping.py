"""Marking downloaded PDFs: every page carries the recipient, the State, the UTC time, the
classification and the download id (ToR rule 15), drawn with reportlab and merged with pypdf."""

import io
from functools import cache
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
STAMP_COLOUR = Color(0.6, 0.0, 0.0, alpha=0.85)


class UnreadablePdf(Exception):
    """The stored file is not a PDF pypdf can read; it is never served unmarked."""


@cache
def stamp_font() -> str:
    """DejaVu Sans when the system has it (any script in names), else Helvetica."""
    if FONT_FILE.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_FILE)))
        return "DejaVuSans"
    return "Helvetica"


def _overlay(width: float, height: float, lines: list[str]) -> PdfReader:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(width, height))
    font = stamp_font()
    size = 7 if width < 400 else 8
    page.setFillColor(STAMP_COLOUR)
    page.setFont(font, size)
    for i, line in enumerate(lines):  # once, in the top margin: a copy reads each line once
        page.drawString(18, height - 14 - i * (size + 2), line)
    page.save()
    buffer.seek(0)
    return PdfReader(buffer)


def stamp_pdf(data: bytes, lines: list[str]) -> bytes:
    """Return ``data`` (a PDF) with ``lines`` printed once at the top of every page.

    Raises :class:`UnreadablePdf` when pypdf cannot read the file.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadablePdf("encrypted")
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadablePdf(str(exc)) from exc
    writer = PdfWriter()
    overlays = {}
    for page in pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = _overlay(*size, lines).pages[0]
        page.merge_page(overlays[size])
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
