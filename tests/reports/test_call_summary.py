"""The call summary (PDF and XLSX): every application's figures and the call's budget equal the ledger's."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications.models import Application
from core.display import sek
from ledger.selectors import balances_by_application, call_balances
from reports.call_summary import call_summary_context, render_call_summary_pdf, render_call_summary_xlsx
from tests.factories import ApplicationFactory, PartnerFactory
from tests.reports.conftest import as_table, money, pdf_text, xlsx_sheets


def en(value) -> str:
    with translation.override("en"):
        return sek(value)


@pytest.mark.django_db
def test_call_summary_xlsx_rows_equal_the_ledger(demo, demo_user):
    sheets = xlsx_sheets(render_call_summary_xlsx(demo.call, by=demo_user("officer"), lang="en"))
    applications = list(Application.objects.filter(call=demo.call))
    balances = balances_by_application(applications)
    rows = {row["Reference"]: row for row in as_table(sheets["Applications"])}
    assert set(rows) == {a.reference for a in applications}
    for application in applications:
        row, b = rows[application.reference], balances[application.pk]
        assert row["State"] == application.get_state_display()
        assert money(row["Approved (SEK)"]) == b.approved
        assert money(row["Paid (SEK)"]) == b.net_paid
        assert money(row["Remaining (SEK)"]) == b.remaining
    worked = rows["TB-2026-0001"]
    assert (money(worked["Approved (SEK)"]), money(worked["Paid (SEK)"]), money(worked["Recovered (SEK)"])) == (
        Decimal("400000.00"), Decimal("375000.00"), Decimal("25000.00"))
    assert money(worked["Matching ratio (verified in-kind per krona of cash)"]) == Decimal("1.11")


@pytest.mark.django_db
def test_call_summary_xlsx_budget_equals_call_balances(demo, demo_user):
    sheets = xlsx_sheets(render_call_summary_xlsx(demo.call, by=demo_user("auditor"), lang="en"))
    summary = dict(sheets["Call"][1:])
    cb = call_balances(demo.call)
    assert money(summary["Fund budget"]) == cb.budget == Decimal("10000000.00")
    assert money(summary["Granted"]) == cb.totals.approved == Decimal("1250000.00")
    assert money(summary["Paid"]) == cb.totals.net_paid
    assert money(summary["Committed (granted, not yet paid)"]) == cb.totals.committed
    assert money(summary["Remaining budget (uncommitted)"]) == cb.uncommitted == Decimal("8750000.00")


@pytest.mark.django_db
def test_call_summary_pdf_shows_every_application_and_the_budget(demo, demo_user):
    text = pdf_text(render_call_summary_pdf(demo.call, by=demo_user("officer"), lang="en").content)
    cb = call_balances(demo.call)
    for reference in Application.objects.filter(call=demo.call).values_list("reference", flat=True):
        assert reference in text
    assert f"Fund budget {en(cb.budget)}" in text
    assert f"Committed (granted, not yet paid) {en(cb.totals.committed)}" in text
    assert f"Paid (net of recoveries) {en(cb.totals.net_paid)}" in text
    assert f"Remaining budget {en(cb.uncommitted)}" in text and "Equals the fund budget." in text
    assert "Page 1 of" in text and "Structural-fund project reference 20358563" in text


@pytest.mark.django_db
def test_call_summary_queries_do_not_grow_with_applications(paid, officer):
    call = paid.call

    def queries():
        with CaptureQueriesContext(connection) as captured:
            call_summary_context(call, by=officer)
        return len(captured)

    before = queries()
    for _ in range(5):
        PartnerFactory(application=ApplicationFactory(call=call))
    assert Application.objects.filter(call=call).count() == 6
    assert queries() == before
