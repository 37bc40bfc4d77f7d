"""Fixtures of the report tests: the seeded demo, a paid application, readers for PDF and XLSX."""
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from applications.models import Application

DEMO_REFERENCE = "TB-2026-0001"


@pytest.fixture
def demo(db):
    """The demo data of `manage.py seed_demo`; returns its worked-example application."""
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    return Application.objects.select_related("call").get(reference=DEMO_REFERENCE)


@pytest.fixture
def demo_user(demo, django_user_model):
    return lambda username: django_user_model.objects.get(username=username)


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space (line breaks, non-breaking spaces) as one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def pdf_pages(content: bytes) -> list[str]:
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def xlsx_sheets(content: bytes) -> dict:
    """{sheet title: [rows as tuples]} of a workbook."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def as_table(rows) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=False)) for row in body]


def money(value) -> Decimal:
    """A spreadsheet number as öre-exact Decimal."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def partner_rep(paid):
    """The company representative of the paid application's first partner (X AB)."""
    return paid.partners.order_by("id").first().company.memberships.get().user
