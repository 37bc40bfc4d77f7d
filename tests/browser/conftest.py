"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which makes Django refuse
database access from "async" code; the test code itself is synchronous, so allow it.
A failing browser test leaves a screenshot in test-artifacts/.
"""
import os
import re
from pathlib import Path

import pytest

from tests.browser.accessibility import axe_violations, describe

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# `make test` runs both engines side by side; each writes its screenshots and axe findings to its own folder.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
PASSWORD = "test-password-123"  # tests.factories.UserFactory


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def check_accessibility():
    """Call `check_accessibility(page)` on any page a browser test has opened: it fails the test when
    axe-core finds a WCAG 2.1 A or AA violation there, naming the rule and the elements."""
    def check(page):
        violations = axe_violations(page)
        assert not violations, "axe-core found WCAG 2.1 A/AA violations\n" + describe(page.url, violations)

    return check


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a full-page screenshot of a failed browser test for whoever reads the CI log."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # the page may be gone; the failure itself matters more
            report.sections.append(("screenshot", f"could not save: {exc}"))


def sign_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
