"""The OpenAPI schema and the Swagger UI: served locally, working under the strict Content-Security-Policy."""
import os
import re

import pytest
import yaml
from django.test import Client

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def client(client):
    """The schema and the docs are for signed-in users (issue 15)."""
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.mark.django_db
def test_schema_is_refused_to_anonymous_users():
    assert Client().get("/api/schema/").status_code == 401


@pytest.mark.django_db
def test_docs_page_sends_anonymous_users_to_sign_in():
    response = Client().get("/api/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/api/docs/")


@pytest.mark.django_db
def test_schema_is_openapi_3_and_lists_every_resource(client):
    response = client.get("/api/schema/")
    schema = yaml.safe_load(response.content)
    assert response.status_code == 200 and schema["openapi"].startswith("3.")
    for path in ("organisations/", "calls/", "applications/", "applications/{id}/transitions/{name}/",
                 "partners/", "time-reports/", "cash-contributions/", "claims/",
                 "claims/{id}/items/{kind}/{item_id}/review/", "ledger/entries/", "ledger/entries/{id}/corrections/",
                 "ledger/balances/applications/", "ledger/balances/calls/", "audit/events/", "auth/token/"):
        assert f"/api/v1/{path}" in schema["paths"], path


@pytest.mark.django_db
def test_schema_documents_error_bodies(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    transition = schema["paths"]["/api/v1/applications/{id}/transitions/{name}/"]["post"]
    refs = {code: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for code, r in transition["responses"].items()}
    assert refs == {"200": "Application", "400": "ValidationError", "401": "ErrorDetail", "403": "ErrorDetail",
                    "404": "ErrorDetail", "409": "ErrorDetail", "415": "ErrorDetail", "422": "ErrorDetail"}
    assert any(p["name"] == "Idempotency-Key" for p in transition["parameters"])


@pytest.mark.django_db
def test_docs_page_has_no_inline_script_and_only_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script>", page)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_under_the_content_security_policy(live_server):
    from playwright.sync_api import sync_playwright

    problems, foreign = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(live_server.url) or r.url.startswith("data:")
                else foreign.append(r.url))
        UserFactory(username="reader")
        page.goto(f"{live_server.url}/api/docs/")
        page.get_by_label("Username").fill("reader")
        page.get_by_label("Password").fill("test-password-123")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Testbed Ledger API").first.wait_for(timeout=15_000)
        page.locator("#operations-applications-applications_transition").wait_for(timeout=15_000)
        browser.close()
    assert problems == [] and foreign == []
