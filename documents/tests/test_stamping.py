"""The marking of a downloaded PDF (ToR rule 15): every page carries every line once, whatever
its size, its resources and the characters of the recipient's name."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
from reportlab.pdfgen import canvas

from dief.testing import pdf_text
from documents import stamping


def pdf_of_sizes(*sizes) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for i, size in enumerate(sizes):
        page.setPageSize(size)
        page.drawString(40, 100, f"page {i + 1} of the file")
        page.showPage()
    page.save()
    return buffer.getvalue()


def lines_for(name: str) -> list[str]:
    return ["CONFIDENTIAL - ToR rule 15", f"Downloaded by {name} (France) at 2099-01-05 10:00:00 UTC", "Download id 42"]


def test_every_page_of_every_size_carries_each_stamp_line_once():
    data = pdf_of_sizes((595, 842), (300, 400), (842, 595), (595, 842))
    pages = pdf_text(stamping.stamp_pdf(data, lines_for("Zoë Çelik")))
    assert len(pages) == 4
    for i, text in enumerate(pages):
        assert f"page {i + 1} of the file" in text
        for line in lines_for("Zoë Çelik"):
            assert text.count(line) == 1


def test_a_name_with_more_characters_than_one_font_subset_holds_is_stamped_whole():
    # more than 256 distinct characters: the stamp's font comes in two subsets
    name = "".join(chr(c) for c in range(0x100, 0x100 + 300) if chr(c).isalpha())[:260]
    (text,) = pdf_text(stamping.stamp_pdf(pdf_of_sizes((595, 842)), lines_for(name)))
    assert name in text


def test_each_download_carries_only_its_own_recipient_although_the_font_is_shared():
    data = pdf_of_sizes((595, 842))
    first = pdf_text(stamping.stamp_pdf(data, lines_for("Ana Pérez")))[0]
    second = pdf_text(stamping.stamp_pdf(data, lines_for("Zoë Pérez")))[0]
    third = pdf_text(stamping.stamp_pdf(data, lines_for("Ana Pérez")))[0]
    assert "Ana Pérez" in first and "Zoë" not in first
    assert "Zoë Pérez" in second and "Ana" not in second
    assert first == third


def test_a_page_that_already_names_an_xobject_like_the_stamp_keeps_its_own():
    reader = PdfReader(io.BytesIO(pdf_of_sizes((595, 842))))
    writer = PdfWriter()
    page = writer.add_page(reader.pages[0])
    own = DecodedStreamObject()
    own.set_data(b"% the file's own form")
    own.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): reader.pages[0].mediabox,
        }
    )
    resources = page["/Resources"].get_object()
    resources[NameObject("/XObject")] = DictionaryObject({NameObject("/DiefStamp"): writer._add_object(own)})
    out = io.BytesIO()
    writer.write(out)

    stamped = PdfReader(io.BytesIO(stamping.stamp_pdf(out.getvalue(), lines_for("Ana"))))
    xobjects = stamped.pages[0]["/Resources"]["/XObject"]
    assert set(xobjects) == {"/DiefStamp", "/DiefStamp1"}
    assert b"the file's own form" in xobjects["/DiefStamp"].get_object().get_data()
    assert "Downloaded by Ana" in stamped.pages[0].extract_text()


def test_a_file_pypdf_cannot_read_is_refused():
    with pytest.raises(stamping.UnreadablePdf):
        stamping.stamp_pdf(b"%PDF-1.7 not really", lines_for("Ana"))


def test_a_file_kept_without_its_stamp_gives_each_copy_its_own_stamp_and_the_same_text_as_a_full_rewrite(
    monkeypatch,
):
    data = pdf_of_sizes((595, 842), (300, 400))
    stamping._templates.clear()
    first = stamping.stamp_pdf(data, lines_for("Ana Pérez"))
    assert len(stamping._templates) == 1
    second = stamping.stamp_pdf(data, lines_for("Zoë Çelik"))  # from the kept file
    other = stamping.stamp_pdf(pdf_of_sizes((842, 595)), lines_for("Ana Pérez"))
    monkeypatch.setattr(stamping, "_template_for", lambda data: None)
    rewritten = stamping.stamp_pdf(data, lines_for("Zoë Çelik"))

    assert pdf_text(second) == pdf_text(rewritten)
    assert all("Zoë Çelik" in text and "Ana" not in text for text in pdf_text(second))
    assert all("Ana Pérez" in text for text in pdf_text(first))
    assert len(pdf_text(other)) == 1  # another file: not the kept one
    assert len(PdfReader(io.BytesIO(second), strict=True).pages) == 2
