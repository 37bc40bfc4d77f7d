"""The application statement (PDF and XLSX): its figures are the ledger's, read back from the files."""
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.display import sek
from ledger.models import Book, CashContribution, JournalEntry, TimeReport
from ledger.selectors import application_balances
from reports import statement
from reports.statement import render_statement_pdf, render_statement_xlsx, statement_context
from services import claims as claim_services
from services import contributions
from tests.ledger import tamper
from tests.reports.conftest import as_table, money, pdf_pages, pdf_text, xlsx_sheets
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


def en(value) -> str:
    with translation.override("en"):
        return sek(value)


@pytest.mark.django_db
def test_demo_balances_are_the_worked_example(demo):
    balances = application_balances(demo)
    assert balances.approved == D("400000.00")
    assert balances.net_paid == D("375000.00") and balances.recovered == D("25000.00")


@pytest.mark.django_db
def test_statement_pdf_figures_equal_the_ledger(demo, demo_user):
    balances = application_balances(demo)
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert f"Fund granted {en(balances.approved)}" in text
    assert f"Fund paid (gross) {en(balances.paid)}" in text
    assert f"Fund recovered {en(balances.recovered)}" in text
    assert f"Fund paid (net) {en(balances.net_paid)}" in text
    assert f"Remaining grant {en(balances.remaining)}" in text
    assert (f"Public cash {en('400000')} {en('400000')} {en('400000')} {en(balances.verified_cash)}" in text)
    assert f"In-kind value {en('415000')} {en('415000')} {en('415000')} {en(balances.verified_inkind)}" in text
    assert "Fund paid (net) 375,000.00 kr" in text and "Fund recovered 25,000.00 kr" in text


@pytest.mark.django_db
def test_statement_pdf_in_swedish_formats_amounts_the_swedish_way(demo, demo_user):
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="sv").content)
    assert "400 000,00 kr" in text and "375 000,00 kr" in text and "25 000,00 kr" in text
    assert "375,000.00" not in text


@pytest.mark.django_db
def test_statement_pdf_numbers_every_page_x_of_y(demo, demo_user):
    rendered = render_statement_pdf(demo, by=demo_user("auditor"), lang="en")
    pages = pdf_pages(rendered.content)
    assert len(pages) == rendered.pages >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {rendered.pages}" in text


@pytest.mark.django_db
def test_statement_pdf_names_parties_call_and_fund_project(demo, demo_user):
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "Oskarshamns kommun 212000-0787" in text
    assert "Kalmar Sensorteknik AB 556036-0793" in text and "Smålandsdata AB 556677-1019" in text
    assert "Region Kalmar län 232100-0222" in text
    assert "Structural-fund project reference 20358563" in text
    assert "Testbäddar i offentlig verksamhet 2026" in text


@pytest.mark.django_db
def test_statement_pdf_shows_decision_timeline_and_generation(demo, demo_user):
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "Väl underbyggd, uppfyller alla krav." in text
    assert "Draft → Submitted" in text and "Under review → Approved" in text and "Approved → Active" in text
    assert re.search(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d \S+ by Lars Nyberg \(auditor\)", text)  # issue 20: full names


@pytest.mark.django_db
def test_statement_pdf_shows_inkind_per_partner_and_month(demo, demo_user):
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "2026-03 1 100.00 h 800.00 kr 80,000.00 kr 100.00 h 80,000.00 kr" in text
    assert "2026-04 1 60.00 h 700.00 kr 42,000.00 kr 60.00 h 42,000.00 kr" in text
    assert "Total 550.00 h 415,000.00 kr 550.00 h 415,000.00 kr" in text


@pytest.mark.django_db
def test_statement_pdf_lists_vouchers_payments_corrections_and_recoveries(demo, demo_user):
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "VER-2026-0311 2026-03-15 150,000.00 kr" in text and "VER-2026-0618" in text
    payments = JournalEntry.objects.filter(application=demo, kind="fund_payment").order_by("seq")
    assert [e.seq for e in payments] and all(f"#{e.seq} " in text for e in payments)
    correction = JournalEntry.objects.get(application=demo, kind="correction")
    # A long cell may wrap inside A4 (issue 20), so compare without the spaces of line breaks.
    assert f"#{correction.seq}" in text and f"#{correction.corrects.seq}CashVER-2026-0618" in text.replace(" ", "")
    recovery = JournalEntry.objects.get(application=demo, kind="recovery")
    assert f"#{recovery.seq}" in text and "Recovery of overpaid fund" in text


@pytest.mark.django_db
def test_statement_pdf_carries_chain_head_and_intact_verification(demo, demo_user):
    book = Book.objects.get(call=demo.call)
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert book.head_hash in re.sub(r"\s+", "", text)
    assert "intact" in text and "TAMPERED" not in text
    # No earlier run: the statement verified the whole book in full and kept the verdict.
    run = book.verification_runs.get()
    assert run.ok and run.through_seq == book.head_seq and run.head_hash == book.head_hash


@pytest.mark.django_db
def test_statement_finds_tampering_of_its_own_entries_before_the_last_full_run(paid, auditor):
    from ledger.integrity import verify_and_record

    book = Book.objects.get(call=paid.call)
    assert verify_and_record(book).ok
    victim = JournalEntry.objects.filter(application=paid, kind="fund_payment").get()
    tamper.execute("UPDATE ledger_journalentry SET memo = 'nothing to see' WHERE id = %s", [victim.pk])
    text = pdf_text(render_statement_pdf(paid, by=auditor, lang="en").content)
    assert "TAMPERED" in text and f"seq {victim.seq}" in text


@pytest.mark.django_db
def test_statement_pdf_reports_tampering_found_at_generation(paid, auditor):
    victim = JournalEntry.objects.filter(application=paid, kind="fund_payment").get()
    tamper.execute("UPDATE ledger_journalentry SET memo = 'nothing to see' WHERE id = %s", [victim.pk])
    text = pdf_text(render_statement_pdf(paid, by=auditor, lang="en").content)
    assert "TAMPERED" in text and f"seq {victim.seq}" in text


@pytest.mark.django_db
def test_statement_pdf_summarises_long_cash_lists_per_month(demo, demo_user, monkeypatch):
    monkeypatch.setattr(statement, "LIST_LIMIT", 2)
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "3 cash items, summarised per month" in text
    assert "2026-03 1 VER-2026-0311 … VER-2026-0311 150,000.00 kr 150,000.00 kr" in text
    assert "VER-2026-0311 2026-03-15" not in text


@pytest.mark.django_db
def test_statement_of_a_draft_without_ledger_renders(draft, applicant):
    text = pdf_text(render_statement_pdf(draft, by=applicant, lang="en").content)
    assert draft.reference in text and "The call has no ledger yet." in text and "No decision has been made." in text


@pytest.mark.django_db
def test_statement_queries_do_not_grow_with_entries(paid, applicant, officer, second_officer):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            statement_context(paid, by=officer)
        return len(captured)

    queries()  # the first statement of a book verifies it in full and records the run
    x = paid.partners.order_by("id").first()
    reps = {x.pk: x.company.memberships.get().user}

    def more_history(first, last):
        for n in range(first, last + 1):
            cash(paid, applicant, "1000.00", f"VER-more-{n}")
            report(x, reps, months(paid, n), "10", person=f"Person {n}")
        claim_and_pay(paid, applicant, officer, second_officer)

    more_history(1, 1)  # entries after the recorded run, which the statement re-verifies
    before = queries()
    more_history(2, 4)
    assert JournalEntry.objects.filter(application=paid).count() > 20
    assert queries() == before


@pytest.mark.django_db
def test_statement_xlsx_lists_every_item_and_equals_the_ledger(demo, demo_user):
    sheets = xlsx_sheets(render_statement_xlsx(demo, by=demo_user("auditor"), lang="en"))
    balances = application_balances(demo)
    summary = dict(sheets["Statement"][1:])
    assert money(summary["Granted fund"]) == balances.approved == D("400000.00")
    assert money(summary["Fund paid (net)"]) == balances.net_paid == D("375000.00")
    assert money(summary["Fund recovered"]) == balances.recovered == D("25000.00")
    assert money(summary["Verified public cash"]) == balances.verified_cash
    assert summary["Chain head hash"] == Book.objects.get(call=demo.call).head_hash

    reports = as_table(sheets["Time reports"])
    assert len(reports) == TimeReport.objects.filter(partner__application=demo).count()
    assert sum(money(r["Value (SEK)"]) for r in reports) == balances.verified_inkind
    vouchers = as_table(sheets["Cash items"])
    assert {r["Voucher reference"] for r in vouchers} == set(
        CashContribution.objects.filter(application=demo).values_list("voucher_reference", flat=True))

    journal = as_table(sheets["Journal"])
    paid = sum(money(r["Amount (SEK)"]) for r in journal if r["Account"].startswith("fund_paid:"))
    assert paid == balances.paid
    assert {r["Seq"] for r in journal} == set(
        JournalEntry.objects.filter(application=demo).exclude(kind="transition").values_list("seq", flat=True))
    # issue 20: people by their full names in documents, also in the journal and timeline sheets
    assert "Karin Holm" in {r["Actor"] for r in journal}
    assert "Karin Holm" in {r["Who"] for r in as_table(sheets["Timeline"])}


@pytest.mark.django_db
def test_statement_pdf_leaves_claim_transitions_of_a_long_history_to_the_claims_table(demo, demo_user, monkeypatch):
    monkeypatch.setattr(statement, "LIST_LIMIT", 2)
    text = pdf_text(render_statement_pdf(demo, by=demo_user("auditor"), lang="en").content)
    assert "6 transitions of payment claims are left out here" in text
    assert "Approved → Active" in text and "Verified → Paid" not in text


@pytest.mark.django_db
def test_statement_pdf_in_swedish_is_translated(demo, demo_user):
    rendered = render_statement_pdf(demo, by=demo_user("auditor"), lang="sv")
    assert f"Sida 1 av {rendered.pages}" in pdf_text(rendered.content)


@pytest.mark.django_db
def test_statement_xlsx_keeps_typed_formulas_as_text(paid, partner_rep, auditor):
    from openpyxl import load_workbook


    x = paid.partners.order_by("id").first()
    contributions.report_time(x, by=partner_rep, person_name="Eve", month=months(paid, 1), hours="1",
                         hourly_rate=x.hourly_rate, description='=HYPERLINK("http://example.com","x")')
    book = load_workbook(io.BytesIO(render_statement_xlsx(paid, by=auditor, lang="en")))
    cells = [row[7] for row in book["Time reports"].iter_rows(min_row=2) if row[2].value == "Eve"]
    assert cells and cells[0].data_type == "s" and cells[0].value.startswith("=HYPERLINK")


@pytest.mark.django_db
def test_statement_pdf_prints_a_hostile_title_as_text(draft, applicant):
    type(draft).objects.filter(pk=draft.pk).update(title='Evil"; } body { display: none } </style><b>x')
    draft = type(draft).objects.get(pk=draft.pk)
    text = pdf_text(render_statement_pdf(draft, by=applicant, lang="en").content)
    assert text.count('Evil"; } body { display: none } </style><b>x') >= 2  # heading and running header
    assert "Parties" in text and "Budget and outcome" in text


@pytest.mark.django_db
def test_statement_inkind_values_are_rounded_per_report_like_the_ledger(example, applicant, officer, second_officer,
                                                                       auditor):

    application, x, _y, reps = example
    for person in ("Anna", "Bo", "Cilla"):  # 7.25 h × 279.07 = 2 023.2575 → 2 023.26 each (rule T1 rate)
        item = contributions.report_time(x, by=reps[x.pk], person_name=person, month=months(application, 0),
                                    hours="7.25", hourly_rate="279.07", description="Plattformsutveckling")
        contributions.attest_time_report(item, by=reps[x.pk])
    cash(application, applicant, "10000.00", "VER-1")
    claim_and_pay(application, applicant, officer, second_officer)
    assert application_balances(application).verified_inkind == D("6069.78")  # not 6 069.77
    text = pdf_text(render_statement_pdf(application, by=auditor, lang="en").content)
    assert "Total 21.75 h 6,069.78 kr 21.75 h 6,069.78 kr" in text


@pytest.mark.django_db
def test_statement_claims_table_shows_labelled_totals_of_a_partly_accepted_claim(example, applicant, officer,
                                                                                 second_officer):
    # rules V1, E5: claimed, accepted (eligible), rejected and deducted, labelled, equal to the claim page
    application, x, _y, reps = example
    cash(application, applicant, "120000.00", "V1")
    report(x, reps, months(application, 0), "100")
    claim = claim_services.submit_claim(claim_services.create_claim(
        application, by=applicant, period_start=application.start_date, period_end=application.end_date),
        by=applicant)
    claim_services.review_item(claim, claim.cash_contributions.get(), by=officer, decision="accept",
                               eligible="100000.00", deduction_type="missing_evidence", reason="Kvitto saknas.")
    claim_services.review_item(claim, claim.time_reports.get(), by=officer, decision="reject", reason="Fel.")
    claim_services.verify_claim(claim, by=officer)
    context = statement_context(application, by=officer)
    row = context["claims"][0]
    assert (row.totals.claimed, row.totals.accepted, row.totals.rejected, row.totals.deducted) == (
        D("200000.00"), D("100000.00"), D("80000.00"), D("20000.00"))
