"""Marking downloaded PDFs: every page carries the recipient, the State, the UTC time, the
classification and the download id (ToR rule 15), drawn with reportlab and merged with pypdf."""

import io
import zlib
from functools import cache, lru_cache
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap
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


def _form(writer: PdfWriter, overlay: PageObject, width: float, height: float) -> IndirectObject:
    """The overlay page as a form XObject of ``writer`` with its own resources: drawn on a page
    by one ``Do``, it needs no renaming of the page's resources and no parsing of its content."""
    return _form_of(
        writer, overlay.get_contents().get_data(), overlay["/Resources"].get_object().clone(writer), width, height
    )


def _form_of(writer: PdfWriter, content: bytes, resources, width: float, height: float) -> IndirectObject:
    form = DecodedStreamObject()
    form.set_data(content)
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(form)


class _Encoding:
    """The key of one stamp's character assignments in the TrueType font (reportlab keeps
    them per document, in a weak dictionary)."""


@lru_cache(maxsize=256)
def _subset_font(subset: tuple[int, ...], n: int) -> dict:
    """The embedded TrueType subset ``n`` of DejaVu Sans for the characters ``subset`` (reportlab's
    subsetting, its Widths, ToUnicode map and descriptor), compressed. The same characters give
    the same font, whoever downloads: only the stamp's text, never kept, is per download."""
    face = pdfmetrics.getFont(stamp_font()).face
    font_file = face.makeSubset(list(subset))
    base_font = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("latin-1")
    return {
        "base_font": base_font,
        "widths": tuple(face.getCharWidth(code) for code in subset),
        "to_unicode": zlib.compress(makeToUnicodeCMap(base_font, list(subset)).encode("latin-1")),
        "font_file": zlib.compress(font_file),
        "length1": len(font_file),
        "flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
        "bbox": tuple(face.bbox),
        "ascent": face.ascent,
        "cap_height": face.capHeight,
        "descent": face.descent,
        "italic_angle": face.italicAngle,
        "stem_v": face.stemV,
        "missing_width": face.defaultWidth,
    }


def _number(value):
    return FloatObject(value) if isinstance(value, float) else NumberObject(value)


def _compressed(writer: PdfWriter, data: bytes, **entries) -> IndirectObject:
    stream = StreamObject()
    stream.set_data(data)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream)


def _font_object(writer: PdfWriter, subset: tuple[int, ...], n: int) -> IndirectObject:
    font = _subset_font(subset, n)
    base_font = NameObject("/" + font["base_font"])
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/Ascent"): _number(font["ascent"]),
            NameObject("/CapHeight"): _number(font["cap_height"]),
            NameObject("/Descent"): _number(font["descent"]),
            NameObject("/Flags"): NumberObject(font["flags"]),
            NameObject("/FontBBox"): ArrayObject(_number(v) for v in font["bbox"]),
            NameObject("/FontName"): base_font,
            NameObject("/ItalicAngle"): _number(font["italic_angle"]),
            NameObject("/StemV"): _number(font["stem_v"]),
            NameObject("/FontFile2"): _compressed(writer, font["font_file"], Length1=NumberObject(font["length1"])),
            NameObject("/MissingWidth"): _number(font["missing_width"]),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/TrueType"),
                NameObject("/BaseFont"): base_font,
                NameObject("/FirstChar"): NumberObject(0),
                NameObject("/LastChar"): NumberObject(len(subset) - 1),
                NameObject("/Widths"): ArrayObject(_number(w) for w in font["widths"]),
                NameObject("/ToUnicode"): _compressed(writer, font["to_unicode"]),
                NameObject("/FontDescriptor"): writer._add_object(descriptor),
            }
        )
    )


def _direct_forms(writer: PdfWriter, sizes, lines: list[str]) -> dict:
    """One form XObject per page size drawing ``lines`` as :func:`_overlay` does, written
    straight into ``writer``: the TrueType subset comes from :func:`_subset_font`, and nothing
    is drawn by a canvas, serialised and parsed back."""
    font = pdfmetrics.getFont(stamp_font())
    key = _Encoding()
    chunks = [font.splitString(line, key) for line in lines]
    subsets = [tuple(subset) for subset in font.state[key].subsets]
    del font.state[key]
    fonts = DictionaryObject(
        {NameObject(f"/F{n}"): _font_object(writer, subset, n) for n, subset in enumerate(subsets)}
    )
    resources = DictionaryObject(
        {
            NameObject("/Font"): fonts,
            NameObject("/ExtGState"): DictionaryObject(
                {NameObject("/G0"): DictionaryObject({NameObject("/ca"): FloatObject(STAMP_COLOUR.alpha)})}
            ),
        }
    )
    colour = f"{STAMP_COLOUR.red:g} {STAMP_COLOUR.green:g} {STAMP_COLOUR.blue:g} rg /G0 gs"
    forms = {}
    for width, height in sizes:
        size = 7 if width < 400 else 8
        ops = [colour]
        for i, line in enumerate(chunks):  # once, in the top margin: a copy reads each line once
            y = height - 14 - i * (size + 2)
            shown = " ".join(f"/F{n} {size} Tf <{text.hex()}> Tj" for n, text in line)
            ops.append(f"BT 1 0 0 1 18 {y:g} Tm {shown} ET")
        forms[(width, height)] = _form_of(writer, "\n".join(ops).encode("ascii"), resources, width, height)
    return forms


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _draw_over(writer: PdfWriter, page: PageObject, form: IndirectObject, before: IndirectObject) -> None:
    """Draw ``form`` over ``page``: the page's own content is wrapped in ``q``/``Q`` (its
    graphics state cannot reach the stamp) and the form is drawn last, as pypdf's
    ``merge_page`` would, without parsing either content stream."""
    resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    name, n = "/DiefStamp", 0
    while name in xobjects:
        n += 1
        name = f"/DiefStamp{n}"
    xobjects[NameObject(name)] = form
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = page.get("/Contents")
    own = []
    if contents is not None:
        resolved = contents.get_object()
        own = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    stamp = _stream(writer, b"Q q 1 0 0 1 0 0 cm " + name.encode("ascii") + b" Do Q")
    page[NameObject("/Contents")] = ArrayObject([before, *own, stamp])


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
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages]
    if stamp_font() == "Helvetica":  # no TrueType font on this system: reportlab draws it
        forms = {size: _form(writer, _overlay(*size, lines).pages[0], *size) for size in dict.fromkeys(sizes)}
    else:
        forms = _direct_forms(writer, dict.fromkeys(sizes), lines)
    before = _stream(writer, b"q")
    for page, size in zip(pages, sizes, strict=True):
        _draw_over(writer, writer.add_page(page), forms[size], before)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
