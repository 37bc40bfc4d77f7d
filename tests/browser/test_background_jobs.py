"""A call summary of 600 applications, made by the real database worker while the officer watches the
progress page, then downloaded as a PDF (issue: background jobs; the sync PDF stops at 500)."""
import io
import signal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from applications.models import AuditEvent
from reports.downloads import CALL_SUMMARY_PDF_MAX_APPLICATIONS
from reports.models import GeneratedDocument
from tests.browser.conftest import sign_in
from tests.factories import bulk_applications

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_call_summary_of_600_applications_is_made_by_the_worker_and_downloaded(
        page, live_server, call, officer, database_queue, check_accessibility):
    bulk_applications(call, 600)
    assert call.applications.count() == 600 > CALL_SUMMARY_PDF_MAX_APPLICATIONS

    sign_in(page, live_server, "officer")
    page.get_by_role("button", name="Make the call summary PDF in the background").click()
    expect(page.get_by_role("heading", name=f"Call summary: {call.title}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Queued")
    expect(page.locator("progress")).to_be_visible()
    check_accessibility(page)

    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--reminders-every", "0", verbosity=0)
    document = GeneratedDocument.objects.get()
    assert document.status == GeneratedDocument.Status.DONE

    page.reload()
    link = page.get_by_role("link", name=f"Download {document.filename}")
    expect(link).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as info:
        link.click()
    content = open(info.value.path(), "rb").read()
    reader = PdfReader(io.BytesIO(content))
    assert content[:5] == b"%PDF-" and len(reader.pages) == document.pages > 10
    # Page 1 holds the totals by state; the applications table starts on page 2 and ends on the last page.
    text = "".join(reader.pages[i].extract_text() for i in (0, 1, -1))
    assert "TB-2099-0001" in text
    assert AuditEvent.objects.filter(action="download", actor=officer, object_type="fundingcall").exists()
