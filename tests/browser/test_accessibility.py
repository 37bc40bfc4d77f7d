"""Every page of every role, in English and Swedish, checked by axe-core for WCAG 2.1 A and AA.

One walk per role and language over the demo data (every application state): from the overview it
follows every link within the site (downloads apart), one page per kind of URL, but every application
and claim page (their content depends on the state), and it submits each empty "new" form once to
check the error state too. Pages that other issues add are reached through their links.
"""
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.browser.accessibility import axe_violations, describe, write_findings
from tests.browser.conftest import ARTIFACTS, sign_in
from web.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Documents are checked by tests/reports; the API, admin and the language switch are not pages of ours.
NOT_PAGES = re.compile(r"^/(reports|api|admin|i18n|static|media)/|/receipt/|\.(pdf|xlsx|csv|jsonl)$|^/accounts/logout")
EVERY_ONE = re.compile(r"^/applications/[^/]+/$|^/applications/[^/]+/claims/\d+/$")
# Roles of the demo data, each with the applications it sees in their states.
ROLES = ["applicant", "applicant-kalmar", "company", "officer", "auditor"]
LIMIT = 80


def kind_of(url: str) -> str:
    """Pages of one kind share a URL apart from references and numbers."""
    parts = urlsplit(url)
    path = re.sub(r"TB-\d{4}-\d+", "REF", parts.path)
    path = re.sub(r"\d+", "N", path)
    query = "&".join(sorted(p.split("=")[0] for p in parts.query.split("&") if p))
    return f"{path}?{query}"


def walk(page, base: str, findings: dict) -> int:
    seen_kinds, visited, queue = set(), set(), [f"{base}/"]
    while queue and len(visited) < LIMIT:
        url = queue.pop(0).split("#")[0]
        path = urlsplit(url).path
        if url in visited or not url.startswith(base) or NOT_PAGES.search(path):
            continue
        kind = kind_of(url)
        if kind in seen_kinds and not EVERY_ONE.search(path):
            continue
        seen_kinds.add(kind)
        visited.add(url)
        page.goto(url)
        check(page, findings)
        queue += page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        if path.endswith("/new/") and page.locator("main form[method=post]").count():
            # The error state: the form sent empty, as a keyboard user who pressed Enter too early.
            with page.expect_navigation():
                page.evaluate("""() => { const f = document.querySelector('main form[method=post]');
                                       f.noValidate = true; f.requestSubmit(); }""")
            check(page, findings, label=f"{url} (sent empty)")
    return len(visited)


def check(page, findings, label=None):
    violations = axe_violations(page)
    label = label or page.url
    if violations:
        findings[f"{page.evaluate('document.documentElement.lang')} {label}"] = violations


def test_every_page_of_every_role_in_both_languages_has_no_wcag_21_aa_violation(browser, live_server, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    settings.DEBUG = False
    base = live_server.url
    findings, pages = {}, 0
    for language in ("en", "sv"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/accounts/login/")
        check(page, findings)
        for username in ROLES:
            context.clear_cookies()
            sign_in(page, live_server, username, DEMO_PASSWORD)
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            pages += walk(page, base, findings)
            page.goto(f"{base}/applications/TB-0000-0000/")  # the not-found page
            check(page, findings)
        context.close()
    write_findings(ARTIFACTS / "axe-findings.json", findings)
    assert pages > 40, f"the walk reached only {pages} pages"
    assert not findings, f"axe-core: WCAG 2.1 A/AA violations on {len(findings)} page(s)\n" + "\n".join(
        describe(url, violations) for url, violations in findings.items())


def test_check_accessibility_fails_on_a_page_that_breaks_wcag(page, check_accessibility):
    page.set_content('<html lang="en"><body><main><img src="chart.png"><input type="text"></main></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label"} <= found
    with pytest.raises(AssertionError, match="image-alt"):
        check_accessibility(page)


def test_pages_used_before_signing_in_and_the_draft_call_form_pass_axe_in_both_languages(
        browser, live_server, region, officer, company, applicant):
    """Password reset, an invitation link and a draft call's edit page are not reached by the walk above."""
    from services import people
    from tests.factories import FundingCallFactory

    company.registered_by = applicant
    company.save()
    _, token = people.invite(organisation=company, email="ny@bolaget.se", by=applicant)
    draft_call = FundingCallFactory(regional_body=region, state="draft")
    base = live_server.url
    findings = {}
    for language in ("en", "sv"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page = context.new_page()
        for path in ("/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/done/",
                     f"/invitations/{token}/", "/invitations/not-a-token/"):
            page.goto(f"{base}{path}")
            check(page, findings)
        page.goto(f"{base}/accounts/password_reset/")
        with page.expect_navigation():
            page.evaluate("() => { const f = document.querySelector('main form[method=post]'); f.requestSubmit(); }")
        check(page, findings, label="password reset (sent empty)")
        context.clear_cookies()
        sign_in(page, live_server, "officer")
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page.goto(f"{base}/calls/{draft_call.pk}/edit/")
        check(page, findings)
        page.goto(f"{base}/calls/{draft_call.pk}/")
        check(page, findings)
        context.close()
    assert not findings, "\n".join(describe(url, violations) for url, violations in findings.items())
