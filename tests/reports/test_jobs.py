"""Documents made by the worker: call summaries, long statements, their retention (rules E5, E6)."""
from datetime import timedelta

import pytest
from django.urls import reverse

from applications.models import AuditEvent
from reports import jobs
from reports.models import GeneratedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _made(django_capture_on_commit_callbacks, request, *args, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):  # the job runs once the request commits
        document = request(*args, **kwargs)
    return GeneratedDocument.objects.get(pk=document.pk)


def test_a_statement_is_made_in_the_background_and_kept(applicant, active, django_capture_on_commit_callbacks):
    document = _made(django_capture_on_commit_callbacks, jobs.request_statement, applicant, active.reference,
                     lang="sv")
    assert (document.kind, document.application, document.status) == ("statement_pdf", active, "done")
    assert document.file.read(5) == b"%PDF-" and document.pages >= 1
    assert document.keep_until == document.finished_at.date() + timedelta(days=90)
    assert AuditEvent.objects.filter(action="create", object_type="generateddocument", application=active).exists()


def test_a_statement_download_is_audited_on_the_application(client, applicant, active,
                                                            django_capture_on_commit_callbacks):
    document = _made(django_capture_on_commit_callbacks, jobs.request_statement, applicant, active.reference,
                     lang="en")
    client.force_login(applicant)
    response = client.get(reverse("reports:document_download", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'"{document.filename}"')
    assert AuditEvent.objects.filter(action="download", application=active, actor=applicant).exists()


def test_a_statement_job_is_refused_as_not_found_to_outsiders(client, outsider, active):
    client.force_login(outsider)
    response = client.post(reverse("reports:statement_job", args=[active.reference]))
    assert response.status_code == 404 and not GeneratedDocument.objects.exists()


def test_the_application_page_offers_the_background_statement_only_when_long(client, applicant, active, settings):
    from tests.scenarios import cash

    cash(active, applicant, "1000", "VER-1")
    client.force_login(applicant)
    page = reverse("web:application_detail", args=[active.reference])
    settings.STATEMENT_PDF_ITEMS_WHILE_WAITING = 1
    assert "Make the statement PDF in the background" not in client.get(page).content.decode()
    settings.STATEMENT_PDF_ITEMS_WHILE_WAITING = 0
    assert "Make the statement PDF in the background" in client.get(page).content.decode()


def test_a_document_past_its_retention_is_removed_and_the_removal_audited(officer, active, fixed_clock,
                                                                         django_capture_on_commit_callbacks):
    document = _made(django_capture_on_commit_callbacks, jobs.request_call_summary, officer, active.call_id,
                     lang="en")
    path = document.file.path
    assert jobs.purge_expired_documents(document.keep_until) == 0  # kept through its last day
    assert jobs.purge_expired_documents(document.keep_until + timedelta(days=1)) == 1
    expired = GeneratedDocument.objects.get(pk=document.pk)
    assert expired.status == "expired" and not expired.file
    import os

    assert not os.path.exists(path)
    assert AuditEvent.objects.filter(action="delete", object_type="generateddocument", actor=None).exists()
    assert jobs.purge_expired_documents(document.keep_until + timedelta(days=2)) == 0


def test_the_scheduled_job_runs_reminders_digests_and_retention(active):
    first = active.reporting_periods.get(number=1)
    assert jobs.scheduled_jobs(first.due_on - timedelta(days=14)) == {
        "reminders": 1, "digests": 0, "expired_documents": 0}
