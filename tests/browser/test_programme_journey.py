"""Running a programme without Django admin, in a real Chromium (issue 16): an officer sets up and opens a
call; an applicant registers a brand-new partner company and invites its representative, who sets a
password and reports hours; the application then goes from draft to a paid claim (four eyes)."""
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, FundingCall, Membership, Organisation
from ledger.models import Claim
from tests.browser.conftest import sign_in, sign_out
from tests.browser.steps import confirm, report_and_attest_hours, report_cash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sensorer-i-Kalmar-2026"


def test_a_new_call_and_a_new_partner_company_from_draft_to_paid_without_django_admin(
        page, live_server, check_accessibility, region, officer, second_officer, applicant):
    today = date.today()
    start = (today - timedelta(days=70)).replace(day=1)
    end = today + timedelta(days=365)
    url = live_server.url

    # The officer sets up a call; the form says the matching rule in words; then opens it.
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Calls", exact=True).click()
    page.get_by_role("link", name="New call").click()
    page.get_by_label("Title", exact=True).fill("Testbäddar i vården 2026")
    page.get_by_label("Structural-fund project reference").fill("20355555")
    page.get_by_label("Fund budget (SEK)").fill("5 000 000")
    page.get_by_label("Opens on").fill(start.isoformat())
    page.get_by_label("Closes on").fill((today + timedelta(days=300)).isoformat())
    page.get_by_label("Costs eligible from").fill(start.isoformat())
    page.get_by_label("Costs eligible until").fill((today + timedelta(days=3 * 365)).isoformat())
    page.get_by_label("Fund ratio").fill("0,4")
    page.get_by_label("In-kind ratio").fill("0,5")
    expect(page.locator("[data-rule-preview]")).to_have_text(
        "The fund pays 40\u00a0% of the matched public cash; the companies' in-kind time must be worth at least "
        "50\u00a0% of the cash.")
    page.get_by_label("Maximum in-kind hourly rate (SEK)").fill("900")
    page.get_by_label("Maximum grant per application (SEK)").fill("1 000 000")
    check_accessibility(page)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("was created as a draft")).to_be_visible()
    check_accessibility(page)
    confirm(page, "Open the call")
    expect(page.locator(".badge").first).to_have_text("Open")
    call = FundingCall.objects.get(fund_project_reference="20355555")
    assert call.state == FundingCall.State.OPEN and call.regional_body == region
    sign_out(page)

    # The applicant reads the call's rules, registers a new partner company and invites its representative.
    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name="Calls", exact=True).click()
    page.get_by_role("link", name="Testbäddar i vården 2026").click()
    expect(page.locator("[data-rule]")).to_contain_text("The fund pays 40\u00a0%")
    page.get_by_role("link", name="Organisations", exact=True).click()
    page.get_by_role("link", name="Register a company").click()
    page.get_by_label("Organisation number").fill("5560360793")
    page.get_by_label("Name", exact=True).fill("Nya Sensor AB")
    page.get_by_label("Contact e-mail").fill("info@nyasensor.se")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_text("Nya Sensor AB is registered")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("E-mail address").fill("anna@nyasensor.se")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("An invitation was sent to anna@nyasensor.se")).to_be_visible()
    company = Organisation.objects.get(org_number="556036-0793")

    # … and writes the application with the new company and submits it.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Title").fill("Sensorer i hemsjukvården")
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

    # The representative follows the link in the e-mail and sets a password; they land in the company.
    invitation = next(m for m in mail.outbox if m.to == ["anna@nyasensor.se"])
    link = re.search(r"/invitations/\S+/", invitation.body).group(0)
    page.goto(f"{url}{link}")
    expect(page.get_by_text("You are invited to join Nya Sensor AB")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    page.get_by_role("heading", name="Overview").wait_for()
    membership = Membership.objects.get(user__username="anna")
    assert (membership.organisation, membership.role, membership.is_admin) == (company, "company", True)
    sign_out(page)

    # The officer reviews and approves the requested 40 % of the cash.
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name=reference).click()
    confirm(page, "Start review")
    page.get_by_role("link", name="Approve", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Granted fund amount (SEK)")).to_have_value("160000.00")
    dialog.get_by_label("Rationale").fill("Uppfyller kriterierna.")
    dialog.get_by_role("button", name=re.compile(r"^Confirm")).click()
    expect(page.locator(".badge").first).to_have_text("Approved")
    sign_out(page)

    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name=reference).click()
    confirm(page, "Accept the grant and start")
    expect(page.locator(".badge").first).to_have_text("Active")
    sign_out(page)

    # The new representative reports hours with the password they chose, and attests them.
    sign_in(page, live_server, "anna", PASSWORD)
    report_and_attest_hours(page, url, person="Anna Berg", month=start, hours="100")
    sign_out(page)

    # The applicant reports cash and claims; the officer verifies; a second officer pays.
    sign_in(page, live_server, "applicant")
    page.get_by_role("link", name=reference).click()
    report_cash(page, amount="100 000", paid_on=start + timedelta(days=9), voucher="VER-2026-0042")
    page.get_by_role("link", name="New payment claim").click()
    page.get_by_label("Period end").fill(today.isoformat())
    page.get_by_role("button", name="Create claim").click()
    confirm(page, "Submit claim")
    expect(page.locator(".badge").first).to_have_text("Submitted")
    sign_out(page)

    sign_in(page, live_server, "officer")
    page.get_by_role("link", name=f"Claim 1 of {reference}").click()
    page.get_by_role("button", name=re.compile("^Accept Anna Berg")).click()
    page.get_by_role("button", name=re.compile("^Accept VER-2026-0042")).click()
    confirm(page, "Verify claim")
    expect(page.locator(".badge").first).to_have_text("Verified")
    sign_out(page)

    sign_in(page, live_server, "officer2")
    page.get_by_role("link", name=f"Claim 1 of {reference}").click()
    confirm(page, "Pay")
    expect(page.locator(".badge").first).to_have_text("Paid")
    assert Claim.objects.get().state == Claim.State.PAID
