"""Receipts are parsed before they are accepted (issue 15, item 5): pypdf for PDFs, Pillow for images.

Probes: a "%PDF" header followed by HTML passed, and a PDF with JavaScript passed (only the first
bytes were checked). Downloads are attachments with nosniff (tests/web/test_bad_input.py posts them).
"""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from ledger import receipts
from services import contributions
from tests.factories import receipt_pdf


def upload(content: bytes, name="kvitto.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, fmt)
    return buffer.getvalue()


def test_a_real_pdf_png_and_jpeg_are_accepted():
    for content in (receipt_pdf(), image("PNG"), image("JPEG")):
        assert receipts.problems(upload(content)) == []


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>",
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",  # no pages, no catalogue
    b"%PDF-" + b"\x00" * 100,
])
def test_a_pdf_header_in_front_of_something_else_is_refused(content):
    assert receipts.problems(upload(content)) == ["The receipt is not a readable PDF file."]


def test_a_pdf_with_document_javascript_is_refused():
    def document_script(writer):  # what add_js wrote: a /Names /JavaScript tree in the catalogue
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hej');")})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(action)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    content = pdf_with(document_script)
    assert "JavaScript" in receipts.problems(upload(content))[0]


def test_a_pdf_whose_open_action_launches_a_program_is_refused():
    def launch(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    assert "launch action" in receipts.problems(upload(pdf_with(launch)))[0]


def test_a_pdf_whose_open_action_runs_javascript_is_refused():
    def script(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    assert "JavaScript" in receipts.problems(upload(pdf_with(script)))[0]


@pytest.mark.parametrize("content", [image("PNG")[:60], b"\x89PNG\r\n\x1a\n<html></html>", b"\xff\xd8\xff\xe0garbage"])
def test_an_image_that_does_not_decode_is_refused(content, monkeypatch):
    # WeasyPrint turns this on for the whole process when it is imported; the check must hold anyway.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert receipts.problems(upload(content, "k.png")) == ["The receipt is not a readable PNG or JPEG image."]


@pytest.mark.django_db
def test_a_receipt_is_downloaded_as_an_attachment_with_nosniff(client, applicant, officer, active):
    item = contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date,
                                     voucher_reference="V-1", receipt=upload(receipt_pdf()))
    client.force_login(officer)
    response = client.get(reverse("web:receipt_download", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
