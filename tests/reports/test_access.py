"""Who may download what (auditors everything, officers their calls, parties their own; else 404), and the log."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from knox.models import AuthToken

from applications.models import AuditEvent
from ledger.models import Book
from tests.factories import (
    ApplicationFactory,
    FundingCallFactory,
    PartnerFactory,
    RegionalBodyFactory,
    member,
)


@pytest.fixture
def book(paid):
    return Book.objects.get(call=paid.call)


@pytest.fixture
def other_officer():
    return member("officer", RegionalBodyFactory(name="Region Norrbotten"), "officer-north")

ROOT = Path(__file__).resolve().parents[2]


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def statement_xlsx(application):
    return reverse("reports:statement_xlsx", kwargs={"reference": application.reference})


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "officer", "applicant", "partner_rep"])
def test_statement_is_served_to_those_who_may_see_the_application(client, paid, who, request):
    response = get(client, request.getfixturevalue(who), statement_xlsx(paid))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="statement-{paid.reference}-en.xlsx"' in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "other_officer", "company_rep"])
def test_statement_is_404_for_everyone_else(client, paid, who, request):
    assert get(client, request.getfixturevalue(who), statement_xlsx(paid)).status_code == 404


@pytest.mark.django_db
def test_unknown_reference_is_404(client, auditor):
    url = reverse("reports:statement_pdf", kwargs={"reference": "TB-1999-0001"})
    assert get(client, auditor, url).status_code == 404


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_sign_in(client, paid):
    response = client.get(statement_xlsx(paid))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_statement_pdf_is_served_in_the_language_asked_for(client, paid, applicant):
    url = reverse("reports:statement_pdf", kwargs={"reference": paid.reference})
    response = get(client, applicant, url, lang="sv")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and int(response["X-Report-Pages"]) >= 1
    assert f"statement-{paid.reference}-sv.pdf" in response["Content-Disposition"]


@pytest.mark.django_db
def test_unknown_language_is_a_400_that_says_so(client, paid, auditor):
    url = reverse("reports:statement_pdf", kwargs={"reference": paid.reference})
    response = get(client, auditor, url, lang="de")
    assert response.status_code == 400 and b"Unknown language de" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("auditor", 200), ("officer", 200), ("other_officer", 404),
                                        ("applicant", 404), ("partner_rep", 404)])
def test_call_summary_is_for_auditors_and_the_calls_officers(client, paid, who, status, request):
    url = reverse("reports:call_summary_xlsx", kwargs={"call_id": paid.call_id})
    assert get(client, request.getfixturevalue(who), url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("auditor", 200), ("officer", 200), ("other_officer", 404),
                                        ("applicant", 404), ("partner_rep", 404)])
def test_whole_book_is_for_auditors_and_the_calls_officers(client, book, who, status, request):
    url = reverse("reports:journal_jsonl", kwargs={"book_id": book.pk})
    assert get(client, request.getfixturevalue(who), url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "partner_rep"])
def test_parties_get_their_own_applications_slice(client, paid, book, who, request):
    user = request.getfixturevalue(who)
    url = reverse("reports:journal_jsonl", kwargs={"book_id": book.pk})
    response = get(client, user, url, application=paid.reference)
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body and all(f'"application":"{paid.reference}"' in line for line in body.splitlines()[1:])
    slice_url = reverse("reports:application_journal_jsonl", kwargs={"reference": paid.reference})
    assert b"".join(get(client, user, slice_url).streaming_content).decode() == body


@pytest.mark.django_db
def test_slice_of_someone_elses_application_is_404(client, paid, book, outsider):
    url = reverse("reports:journal_jsonl", kwargs={"book_id": book.pk})
    assert get(client, outsider, url, application=paid.reference).status_code == 404
    slice_url = reverse("reports:application_journal_csv", kwargs={"reference": paid.reference})
    assert get(client, outsider, slice_url).status_code == 404


@pytest.mark.django_db
def test_slice_of_an_application_in_another_book_is_404(client, paid, auditor):
    other_call = FundingCallFactory(regional_body=paid.call.regional_body)
    other_book = Book.objects.create(call=other_call)
    url = reverse("reports:journal_csv", kwargs={"book_id": other_book.pk})
    assert get(client, auditor, url, application=paid.reference).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [("auditor", 200), ("officer", 200), ("applicant", 404),
                                        ("partner_rep", 404), ("outsider", 404)])
def test_audit_trail_is_for_auditors_and_officers(client, paid, who, status, request):
    assert get(client, request.getfixturevalue(who), reverse("reports:audit_trail_csv")).status_code == status


@pytest.mark.django_db
def test_officers_audit_trail_leaves_out_other_regions(client, paid, officer, other_officer):
    foreign_call = FundingCallFactory(regional_body=other_officer.memberships.get().organisation)
    foreign = ApplicationFactory(call=foreign_call, reference="TB-2026-0999")
    PartnerFactory(application=foreign)
    AuditEvent.objects.create(actor_name="x", action="create", object_type="application", object_id=str(foreign.pk),
                              object_repr=str(foreign), application=foreign)
    body = b"".join(get(client, officer, reverse("reports:audit_trail_csv")).streaming_content).decode()
    assert paid.reference in body and "TB-2026-0999" not in body


@pytest.mark.django_db
def test_every_download_is_written_to_the_audit_log(client, paid, book, auditor):
    downloads = [
        reverse("reports:statement_pdf", kwargs={"reference": paid.reference}),
        reverse("reports:statement_xlsx", kwargs={"reference": paid.reference}),
        reverse("reports:call_summary_pdf", kwargs={"call_id": paid.call_id}),
        reverse("reports:call_summary_xlsx", kwargs={"call_id": paid.call_id}),
        reverse("reports:journal_jsonl", kwargs={"book_id": book.pk}),
        reverse("reports:journal_csv", kwargs={"book_id": book.pk}),
        reverse("reports:application_journal_jsonl", kwargs={"reference": paid.reference}),
        reverse("reports:audit_trail_csv"),
    ]
    for url in downloads:
        assert get(client, auditor, url).status_code == 200
    logged = list(AuditEvent.objects.filter(action="download").order_by("id"))
    assert len(logged) == len(downloads)
    assert {e.actor_id for e in logged} == {auditor.pk}
    assert [e.comment for e in logged] == [
        f"statement-{paid.reference}-en.pdf", f"statement-{paid.reference}-en.xlsx",
        f"call-{paid.call_id}-summary-en.pdf", f"call-{paid.call_id}-summary-en.xlsx",
        f"journal-book{book.pk}.jsonl", f"journal-book{book.pk}.csv",
        f"journal-book{book.pk}-{paid.reference}.jsonl", "audit-trail.csv"]
    assert logged[0].application_id == paid.pk and logged[0].object_type == "application"


@pytest.mark.django_db
def test_refused_download_is_not_logged(client, paid, outsider):
    get(client, outsider, statement_xlsx(paid))
    assert not AuditEvent.objects.filter(action="download").exists()


# ---------------------------------------------------------------- the API serves the same files
@pytest.mark.django_db
def test_api_with_a_token_serves_the_same_journal(client, book, auditor):
    _instance, token = AuthToken.objects.create(user=auditor)
    api = client.get(f"/api/v1/reports/books/{book.pk}/journal.jsonl", HTTP_AUTHORIZATION=f"Token {token}",
                     HTTP_ACCEPT="application/json")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/jsonl")
    web = get(client, auditor, reverse("reports:journal_jsonl", kwargs={"book_id": book.pk}))
    assert b"".join(api.streaming_content) == b"".join(web.streaming_content)


@pytest.mark.django_db
def test_api_statement_pdf_with_session(client, paid, applicant):
    response = get(client, applicant, f"/api/v1/reports/applications/{paid.reference}/statement.pdf", lang="en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="download", actor=applicant).count() == 1


@pytest.mark.django_db
def test_api_hides_other_applications_with_404(client, paid, outsider):
    _instance, token = AuthToken.objects.create(user=outsider)
    response = client.get(f"/api/v1/reports/applications/{paid.reference}/statement.xlsx",
                          HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_api_refuses_anonymous_users(client, paid):
    response = client.get(f"/api/v1/reports/applications/{paid.reference}/statement.xlsx")
    assert response.status_code in (401, 403)


@pytest.mark.django_db
def test_api_unknown_language_is_a_400_with_messages(client, paid, auditor):
    response = get(client, auditor, f"/api/v1/reports/calls/{paid.call_id}/summary.pdf", lang="fi")
    assert response.status_code == 400 and "Unknown language fi" in response.json()["messages"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "partner_rep"])
def test_slice_downloaded_from_the_ui_verifies_offline_with_no_flags(client, paid, who, request, tmp_path):
    """Issue 14: the file a party downloads is checked by `python -m ledger.verify FILE`, nothing more."""
    user = request.getfixturevalue(who)
    slice_url = reverse("reports:application_journal_jsonl", kwargs={"reference": paid.reference})
    path = tmp_path / "slice.jsonl"
    path.write_bytes(b"".join(get(client, user, slice_url).streaming_content))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "ledger.verify", str(path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified by inclusion proofs against signed checkpoint" in result.stdout
