"""Steps the browser journeys share: confirming an action, reporting and attesting hours, reporting cash."""
import re

from playwright.sync_api import expect

from tests.factories import receipt_pdf

PDF = receipt_pdf()  # a real PDF: receipts are parsed before they are accepted


def confirm(page, action, *, comment=None):
    """Open an action's confirmation dialog, optionally write the comment, and confirm."""
    page.get_by_role("link", name=action, exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    if comment is not None:
        dialog.get_by_role("textbox").last.fill(comment)
    dialog.get_by_role("button", name=re.compile(r"^Confirm")).click()


def report_and_attest_hours(page, url, *, person, month, hours):
    """A company representative reports a person's hours for a month, then attests them (rule V6 asks)."""
    page.get_by_role("link", name="Report hours").click()
    page.get_by_label("Person").fill(person)
    page.get_by_label("Month").fill(f"{month:%Y-%m}")
    page.get_by_label("Hours", exact=True).fill(hours)
    page.get_by_label("Work description").fill("Installation av sensorer")
    page.get_by_role("button", name="Save time report").click()
    expect(page.get_by_text(f"The time report for {person} was saved")).to_be_visible()
    page.goto(f"{url}/")
    page.get_by_role("link", name=re.compile("^Attest")).first.click()
    page.locator("dialog[open]").get_by_role("button", name=re.compile(r"^Confirm")).click()
    expect(page.get_by_text("is attested")).to_be_visible()


def report_cash(page, *, amount, paid_on, voucher):
    """The applicant reports a cash contribution with its receipt, from the application page."""
    page.get_by_role("link", name="Report cash").click()
    page.get_by_label("Amount (SEK)").fill(amount)
    page.get_by_label("Payment date").fill(paid_on.isoformat())
    page.get_by_label("Voucher reference").fill(voucher)
    page.get_by_label("Receipt").set_input_files(
        files=[{"name": "kvitto.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Save cash contribution").click()
    expect(page.get_by_text(f"The cash contribution {voucher} was saved")).to_be_visible()
