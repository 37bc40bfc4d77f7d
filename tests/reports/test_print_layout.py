"""Printed reports fit their paper (issue 20, deliverable 5): every table's right edge lies inside the
page's content box, in Swedish and English, measured on WeasyPrint's own layout; the call summary's
first page is a summary, not an applications table cut after two rows."""
import io

import pytest
from django.utils import translation
from pypdf import PdfReader
from weasyprint import HTML

from reports import call_summary, pdf, statement
from tests.reports.conftest import pdf_text

TOLERANCE = 0.5  # CSS px


def overflowing_tables(html: str) -> list[str]:
    """Tables (and their cells) whose right edge passes the right edge of the page's content box."""
    document = HTML(string=html).render()
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        right = page_box.margin_width() - page_box.margin_right - page_box.padding_right - page_box.border_right_width
        for box in page_box.descendants():
            if getattr(box, "element_tag", None) not in ("table", "td", "th"):
                continue
            edge = box.position_x + box.margin_width()
            if edge > right + TOLERANCE:
                found.append(f"page {number}: <{box.element_tag}> ends at {edge:.1f} > {right:.1f}")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_statement_table_fits_a4(lang, demo, demo_user):
    html = statement.statement_html(demo, by=demo_user("auditor"), lang=lang)
    assert "<table" in html
    assert overflowing_tables(html) == []


def _call_summary_html(call, user, lang):
    from django.template.loader import render_to_string

    with translation.override(lang):
        context = call_summary.call_summary_context(call, by=user)
        context["page_counter"] = pdf.page_counter_css()
        return render_to_string("reports/call_summary.html", context)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_call_summary_table_fits_its_page(lang, demo, demo_user):
    assert overflowing_tables(_call_summary_html(demo.call, demo_user("officer"), lang)) == []


@pytest.mark.django_db
def test_call_summary_does_not_start_the_applications_table_at_the_foot_of_page_one(demo, demo_user):
    rendered = call_summary.render_call_summary_pdf(demo.call, by=demo_user("officer"), lang="sv")
    first = " ".join((PdfReader(io.BytesIO(rendered.content)).pages[0].extract_text() or "").split())
    assert "Ansökningar per status" in first and demo.reference not in first
    assert demo.reference in pdf_text(rendered.content)
