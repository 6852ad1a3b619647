"""Marking downloaded PDFs: every page carries the recipient, the State, the UTC time, the
classification and the download id (ToR rule 15), drawn with reportlab and merged with pypdf."""

import hashlib
import io
import threading
import zlib
from collections import OrderedDict
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
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
        "widths": _Raw(_serialised(ArrayObject(_number(face.getCharWidth(code)) for code in subset))),
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


class _Raw(PdfObject):
    """A direct object already serialised (a subset's Widths: the same bytes for every copy)."""

    def __init__(self, data: bytes):
        self.data = data

    def write_to_stream(self, stream, encryption_key=None) -> None:
        stream.write(self.data)


def _serialised(obj) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


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
                NameObject("/Widths"): font["widths"],
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


class _Template(NamedTuple):
    """A PDF rewritten with its pages drawing a stamp that is not there yet: the file's header
    and every object (``head``, with each object's offset), the object number kept for the
    stamp's form of each page size, and the trailer's entries. Everything but the stamp."""

    head: bytes
    positions: tuple[int, ...]
    forms: dict
    root: int
    info: int | None


class _Sink:
    """Numbers the objects of one stamp after those of a :class:`_Template` (it stands in for
    the ``PdfWriter`` of :func:`_direct_forms`); each form takes the number its page size keeps."""

    def __init__(self, first: int, form_ids: list[int]):
        self.objects = {}
        self._next = first
        self._form_ids = list(form_ids)

    def _add_object(self, obj) -> IndirectObject:
        if obj.get("/Subtype") == "/Form":
            idnum = self._form_ids.pop(0)
        else:
            idnum, self._next = self._next, self._next + 1
        self.objects[idnum] = obj
        return IndirectObject(idnum, 0, self)


def _object_bytes(idnum: int, obj) -> bytes:
    out = io.BytesIO()
    out.write(b"%d 0 obj\n" % idnum)
    obj.write_to_stream(out)
    out.write(b"\nendobj\n")
    return out.getvalue()


def _read(data: bytes):
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadablePdf("encrypted")
        return list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadablePdf(str(exc)) from exc


def _template(data: bytes) -> _Template | None:
    """The :class:`_Template` of ``data``, written as :func:`stamp_pdf` writes it, or None when
    pypdf's writer would leave free object numbers (then the whole file is written per copy)."""
    pages = _read(data)
    writer = PdfWriter()
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages]
    forms = {size: writer._add_object(NullObject()) for size in dict.fromkeys(sizes)}
    before = _stream(writer, b"q")
    for page, size in zip(pages, sizes, strict=True):
        _draw_over(writer, writer.add_page(page), forms[size], before)
    writer._resolve_links()
    kept = {form.idnum for form in forms.values()}
    out = io.BytesIO()
    out.write(writer.pdf_header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for idnum, obj in enumerate(writer._objects, start=1):
        if obj is None:
            return None
        if idnum in kept:
            positions.append(-1)
            continue
        positions.append(out.tell())
        out.write(_object_bytes(idnum, obj))
    info = writer._info.indirect_reference.idnum if writer._info is not None else None
    if writer._ID is not None or writer._encryption:
        return None
    return _Template(
        out.getvalue(),
        tuple(positions),
        {size: form.idnum for size, form in forms.items()},
        writer.root_object.indirect_reference.idnum,
        info,
    )


#: Templates of the files stamped lately, by their SHA-256: a pure function of the bytes (no
#: recipient, no permission in it), kept for files up to TEMPLATE_MAX_BYTES.
_templates: OrderedDict = OrderedDict()
_templates_lock = threading.Lock()
TEMPLATES_KEPT = 32
TEMPLATE_MAX_BYTES = 4 * 1024 * 1024


def _template_for(data: bytes) -> _Template | None:
    if len(data) > TEMPLATE_MAX_BYTES:
        return _template(data)
    key = hashlib.sha256(data).digest()
    with _templates_lock:
        template = _templates.get(key)
        if template is not None:
            _templates.move_to_end(key)
            return template
    template = _template(data)
    if template is not None:
        with _templates_lock:
            _templates[key] = template
            while len(_templates) > TEMPLATES_KEPT:
                _templates.popitem(last=False)
    return template


def _stamp_from_template(template: _Template, lines: list[str]) -> bytes:
    """The file of ``template`` with its stamp's forms and fonts drawing ``lines``: only they
    are written per copy, then the cross-reference table and the trailer."""
    sink = _Sink(len(template.positions) + 1, list(template.forms.values()))
    _direct_forms(sink, list(template.forms), lines)
    positions = list(template.positions)
    parts = [template.head]
    offset = len(template.head)
    for idnum in sorted(sink.objects):
        chunk = _object_bytes(idnum, sink.objects[idnum])
        if idnum <= len(positions):
            positions[idnum - 1] = offset
        else:
            positions.append(offset)
        parts.append(chunk)
        offset += len(chunk)
    size = len(positions) + 1
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    xref.extend(b"%010d 00000 n \n" % position for position in positions)
    trailer = DictionaryObject(
        {NameObject("/Size"): NumberObject(size), NameObject("/Root"): IndirectObject(template.root, 0, None)}
    )
    if template.info is not None:
        trailer[NameObject("/Info")] = IndirectObject(template.info, 0, None)
    end = io.BytesIO()
    end.write(b"trailer\n")
    trailer.write_to_stream(end)
    end.write(b"\nstartxref\n%d\n%%%%EOF\n" % offset)
    return b"".join([*parts, *xref, end.getvalue()])


def stamp_pdf(data: bytes, lines: list[str]) -> bytes:
    """Return ``data`` (a PDF) with ``lines`` printed once at the top of every page.

    Raises :class:`UnreadablePdf` when pypdf cannot read the file. With the TrueType font, the
    file without its stamp is written once per content (:func:`_template_for`) and each copy
    adds only its own stamp.
    """
    if stamp_font() != "Helvetica":
        template = _template_for(data)
        if template is not None:
            return _stamp_from_template(template, lines)
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
