"""Whole journeys in a real Chromium: every role does its part of one application, in the browser."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from applications.models import Application
from ledger.models import Claim
from tests.browser.conftest import sign_in, sign_out
from tests.browser.steps import confirm, report_and_attest_hours, report_cash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_one_application_from_draft_to_paid_claim_across_all_roles(
        page, live_server, call, company, applicant, company_rep, officer, second_officer, auditor):
    start = (date.today() - timedelta(days=70)).replace(day=1)
    end = date.today() + timedelta(days=365)
    url = live_server.url

    # The applicant writes the application with one company partner and submits it.
    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Title").fill("Sensorer i hemtjänsten")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(end.isoformat())
    page.get_by_label("Planned public cash (SEK)").fill("400000")
    page.get_by_label("Company").select_option(label=str(company))
    page.get_by_label("Planned hours").fill("500")
    page.get_by_label("Hourly rate (SEK)").fill("800")
    expect(page.locator("[data-all-ok]")).to_be_visible()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("was created as a draft")).to_be_visible()
    reference = Application.objects.get().reference
    confirm(page, "Submit")
    expect(page.locator(".badge").first).to_have_text("Submitted")
    sign_out(page)

    # An officer takes it up and approves the full requested amount.
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name=reference).click()
    confirm(page, "Start review")
    expect(page.locator(".badge").first).to_have_text("Under review")
    page.get_by_role("link", name="Approve", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Granted fund amount (SEK)")).to_have_value("400000.00")
    dialog.get_by_label("Rationale").fill("Uppfyller kriterierna.")
    dialog.get_by_role("button", name=re.compile(r"^Confirm")).click()
    expect(page.locator(".badge").first).to_have_text("Approved")
    expect(page.locator("[data-granted]")).to_have_text("400,000.00 kr")
    sign_out(page)

    # The applicant accepts the grant; the project starts.
    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name=reference).click()
    confirm(page, "Accept the grant and start")
    expect(page.locator(".badge").first).to_have_text("Active")
    sign_out(page)

    # The company representative reports 100 hours and attests them.
    sign_in(page, live_server, "company")
    report_and_attest_hours(page, url, person="Anna Lindqvist", month=start, hours="100")
    sign_out(page)

    # The applicant reports cash with a receipt and claims payment for both items.
    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name=reference).click()
    report_cash(page, amount="100 000", paid_on=start + timedelta(days=9), voucher="VER-2026-0001")
    page.get_by_role("link", name="New payment claim").click()
    page.get_by_label("Period end").fill(date.today().isoformat())
    expect(page.get_by_role("checkbox", name=re.compile("Anna Lindqvist"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("VER-2026-0001"))).to_be_checked()
    page.get_by_role("button", name="Create claim").click()
    confirm(page, "Submit claim")
    expect(page.locator(".badge").first).to_have_text("Submitted")
    sign_out(page)

    # The officer accepts each item, sees what will be paid, and verifies.
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name=f"Claim 1 of {reference}").click()
    page.get_by_role("button", name=re.compile("^Accept Anna Lindqvist")).click()
    page.get_by_role("button", name=re.compile("^Accept VER-2026-0001")).click()
    # rule M7: matched cash min(100 000, 80 000) = 80 000 is payable
    expect(page.locator("[data-payable]")).to_have_text("80,000.00 kr")
    confirm(page, "Verify claim")
    expect(page.locator(".badge").first).to_have_text("Verified")
    expect(page.get_by_text("another officer must pay it")).to_be_visible()
    expect(page.get_by_role("link", name="Pay", exact=True)).to_have_count(0)
    sign_out(page)

    # A second officer pays (four eyes).
    sign_in(page, live_server, "officer2")
    page.get_by_role("link", name=f"Claim 1 of {reference}").click()
    confirm(page, "Pay")
    expect(page.locator(".badge").first).to_have_text("Paid")
    assert Claim.objects.get().state == Claim.State.PAID
    sign_out(page)

    # The auditor finds the application and takes away its statement.
    sign_in(page, live_server, "auditor")
    page.get_by_role("searchbox").or_(page.get_by_label("Search")).first.fill(reference)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(reference)).first.click()
    expect(page.locator("[data-paid]")).to_have_text("80,000.00 kr")
    with page.expect_download() as download:
        page.get_by_role("link", name="Statement (PDF)").first.click()
    assert reference in download.value.suggested_filename
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_live_matching_check_reacts_to_typing(page, live_server, call, company, applicant):
    sign_in(page, live_server, "applicant")
    page.goto(f"{live_server.url}/applications/new/")
    check = page.locator("[data-matching-result]")
    page.get_by_label("Start date").fill(date.today().isoformat())
    page.get_by_label("End date").fill((date.today() + timedelta(days=200)).isoformat())
    page.get_by_label("Planned public cash (SEK)").press_sequentially("400000")
    page.get_by_label("Company").select_option(label=str(company))
    page.get_by_label("Planned hours").press_sequentially("100")
    page.get_by_label("Hourly rate (SEK)").press_sequentially("800")
    expect(check.locator("[data-value=inkind_value]")).to_have_text("80,000.00 kr")
    expect(check.locator("[data-verdict=bad]")).to_be_visible()
    expect(check.get_by_text("is less than the required 400,000.00 kr")).to_be_visible()
    page.get_by_label("Planned hours").fill("500")
    expect(check.locator("[data-value=inkind_value]")).to_have_text("400,000.00 kr")
    expect(check.locator("[data-verdict=ok]")).to_be_visible()
    expect(check.locator("[data-all-ok]")).to_be_visible()


def test_applicant_cannot_open_another_organisations_application(page, live_server, draft, outsider):
    sign_in(page, live_server, "outsider")
    response = page.goto(f"{live_server.url}/applications/{draft.reference}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(draft.title)).to_have_count(0)


def test_swedish_page_shows_swedish_amounts(page, live_server, active, applicant):
    sign_in(page, live_server, "applicant")
    page.goto(f"{live_server.url}/applications/{active.reference}/")
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Beslut")).to_be_visible()
    # A no-break space groups thousands and a comma marks decimals: 400 000,00 kr
    assert page.locator("[data-granted]").text_content().strip() == "400\u00a0000,00 kr"
