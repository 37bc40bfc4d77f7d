"""Keyboard only (issue 20, deliverable 6): an applicant writes and submits an application and an
auditor verifies the ledger with Tab, typing and Enter alone; every element that takes the focus
shows it (WCAG 2.4.7), and axe-core finds nothing on the pages passed through."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from applications.models import Application
from ledger.models import VerificationRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  return {name: (el.getAttribute('aria-label') || el.labels?.[0]?.innerText || el.innerText || el.value || '').trim(),
          tag: el.tagName, visible, outline: style.outlineStyle + ' ' + style.outlineWidth, type: el.type};
}"""


def tab_to(page, name: str, *, limit: int = 120) -> None:
    """Press Tab until the focused element's name matches; every stop must show the focus."""
    pattern = re.compile(name)
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        # A date field's own parts (day, month, year, the calendar button) carry Chromium's focus ring.
        assert focused["visible"] or focused["type"] in ("date", "month"), f"no visible focus on {focused}"
        if pattern.search(focused["name"]):
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def follow(page) -> None:
    """Press Enter on a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_submit_and_verify_with_the_keyboard_alone(page, live_server, call, company, applicant, auditor,
                                                   check_accessibility):
    start = (date.today() - timedelta(days=30)).replace(day=1)
    end = date.today() + timedelta(days=365)
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "^Username")
    page.keyboard.type("applicant")
    tab_to(page, "^Password")
    page.keyboard.type("test-password-123")
    follow(page)
    page.get_by_role("heading", name="Overview").wait_for()

    tab_to(page, "^New application$")
    follow(page)
    page.get_by_role("heading", name=re.compile("application", re.I)).first.wait_for()
    check_accessibility(page)
    for label, text in (("^Title", "Sensorer i hemtjänsten"), ("^Start date", start.strftime("%m%d%Y")),
                        ("^End date", end.strftime("%m%d%Y")), (r"^Planned public cash", "400000")):
        tab_to(page, label)
        page.keyboard.type(text)
    tab_to(page, "^Company")
    page.keyboard.type(company.name[:6])  # a select takes its option by typing
    tab_to(page, "^Planned hours")
    page.keyboard.type("500")
    tab_to(page, r"^Hourly rate")
    page.keyboard.type("800")
    expect(page.locator("[data-all-ok]")).to_be_visible()
    tab_to(page, "^Save as draft$")
    follow(page)
    expect(page.get_by_text("was created as a draft")).to_be_visible()
    reference = Application.objects.get().reference

    tab_to(page, "^Submit$")
    page.keyboard.press("Enter")  # opens the confirmation dialog, which takes the focus
    expect(page.locator("dialog[open]")).to_be_visible()
    tab_to(page, "^Confirm: Submit$", limit=20)
    follow(page)
    expect(page.locator(".badge").first).to_have_text("Submitted")
    assert Application.objects.get(reference=reference).state == "submitted"
    check_accessibility(page)
    tab_to(page, "^Sign out$")
    follow(page)
    page.get_by_role("heading", name="Sign in").wait_for()

    tab_to(page, "^Username")
    page.keyboard.type("auditor")
    tab_to(page, "^Password")
    page.keyboard.type("test-password-123")
    follow(page)
    page.get_by_role("heading", name="Overview").wait_for()
    tab_to(page, "^Ledger$")
    follow(page)
    tab_to(page, "^Verify now")
    follow(page)
    expect(page.get_by_text("Intact.")).to_be_visible()
    assert VerificationRun.objects.filter(ok=True).exists()
    check_accessibility(page)
