"""A journey after approval in a real Chromium: the applicant asks for an amendment, an officer approves it,
then accepts a claim's time report in part; every page passes axe-core (rules A1, A2, V1)."""
import re

import pytest
from playwright.sync_api import expect

from services import claims as claim_services
from tests.browser.conftest import sign_in, sign_out
from tests.scenarios import cash, months, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amendment_and_partly_accepted_claim(page, live_server, example, applicant, officer, check_accessibility):
    application, x, _y, reps = example
    reference = application.reference

    # The applicant proposes 350 h instead of 300 h for X and 450 000 in cash.
    sign_in(page, live_server, "applicant")
    page.goto(f"{live_server.url}/applications/{reference}/")
    page.get_by_role("link", name="Request an amendment").click()
    check_accessibility(page)
    page.get_by_label("Reason for the amendment").fill("Större pilot i två skolor.")
    page.get_by_label("Proposed public cash (SEK)").fill("450000")
    page.get_by_label("X AB: hours").fill("350")
    page.get_by_role("button", name="Send the amendment request").click()
    expect(page.get_by_text("Amendment 1 was sent to the regional body.")).to_be_visible()
    sign_out(page)

    # The officer sees the current plan beside the proposal and approves 450 000.
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/applications/{reference}/amendments/1/")
    expect(page.locator("[data-amendment-plan]")).to_contain_text("455,000.00 kr")
    check_accessibility(page)
    page.get_by_label("Granted fund after the amendment (SEK)").fill("450000")
    page.get_by_label("Rationale").fill("Ryms i utlysningens budget.")
    page.get_by_role("button", name="Approve the amendment").click()
    expect(page.get_by_text("the grant is now 450,000.00 kr")).to_be_visible()

    # A claim: 120 000 in cash and 100 h of X; the officer accepts the hours in part (80 h).
    cash(application, applicant, "120000.00", "V1")
    item = report(x, reps, months(application, 0), "100")
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                        period_end=application.end_date)
    claim_services.submit_claim(claim, by=applicant)
    page.goto(f"{live_server.url}/applications/{reference}/claims/{claim.number}/")
    row = page.locator(f"#item-time-{item.pk}")
    row.locator("summary").click()
    row.get_by_label("Eligible hours").fill("80")
    row.get_by_label("Error type").select_option("ineligible_period")
    row.get_by_label("Reason").fill("20 h före projektstart.")
    row.get_by_role("button", name=re.compile(r"^Accept in part")).click()
    expect(page.locator('[data-total="deducted"]')).to_have_text("16,000.00 kr")
    expect(page.locator('[data-total="accepted"]')).to_have_text("64,000.00 kr")
    check_accessibility(page)
