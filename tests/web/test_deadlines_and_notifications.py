"""Due dates, the payment clock and case age on the pages; the bell, notifications and preferences;
the call summary made by the worker with a progress page (rules D1, D2, T5)."""
from datetime import timedelta

import pytest
from django.urls import reverse

from applications.models import Application, AuditEvent, Notification, NotificationPreference
from ledger.models import Claim
from reports.models import GeneratedDocument
from services import lifecycle, notifications
from tests.conftest import move
from tests.factories import ApplicationFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _page(client, path, lang="en"):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- due dates (rule D1)
def test_the_application_page_lists_the_periods_with_their_due_dates(as_user, applicant, active, fixed_clock):
    first = active.reporting_periods.get(number=1)
    fixed_clock.set(first.due_on - timedelta(days=12))
    html = _page(as_user(applicant), reverse("web:application_detail", args=[active.reference]))
    assert "Reporting periods and claim due dates" in html
    assert "due in 12 days" in html and "(final claim)" in html


def test_an_overdue_period_is_shown_in_swedish(as_user, applicant, active, fixed_clock):
    first = active.reporting_periods.get(number=1)
    fixed_clock.set(first.due_on + timedelta(days=3))
    html = _page(as_user(applicant), reverse("web:application_detail", args=[active.reference]), lang="sv")
    assert "försenad 3 dagar" in html


def test_a_partner_company_does_not_see_the_claim_due_dates(as_user, company_rep, active):  # rule P1
    html = _page(as_user(company_rep), reverse("web:application_detail", args=[active.reference]))
    assert "Reporting periods and claim due dates" not in html


def test_the_applicants_dashboard_shows_the_next_claim_due(as_user, applicant, active, fixed_clock):  # D1
    first = active.reporting_periods.get(number=1)
    fixed_clock.set(first.due_on - timedelta(days=12))
    assert "due in 12 days" in _page(as_user(applicant), "/")
    fixed_clock.set(first.due_on + timedelta(days=1))
    assert "försenad 1 dag" in _page(as_user(applicant), "/", lang="sv")


# ---------------------------------------------------------------- the payment clock (rules D2, T5)
def test_the_officer_sees_the_days_left_of_80(as_user, officer, submitted_claim, fixed_clock):
    fixed_clock.advance(days=10)
    html = _page(as_user(officer), "/")
    assert "70 days left of 80" in html and "10 days ago" in html
    assert "70 dagar kvar av 80" in _page(as_user(officer), "/", lang="sv")


def test_the_clock_warns_from_day_60_and_counts_claims_beyond_80(as_user, officer, submitted_claim, fixed_clock):
    fixed_clock.advance(days=61)
    html = _page(as_user(officer), "/")
    assert 'payment-clock warning">19 days left of 80' in html
    assert "1 past day 60" in html
    fixed_clock.advance(days=25)
    section = as_user(officer).get("/").context["officer"]
    (call, _balance), = section["budgets"]
    assert call.clock_counts == {"within": 0, "beyond": 1, "warning": 0}
    assert "6 days beyond the 80" in _page(as_user(officer), "/")


def test_claims_to_verify_are_sorted_by_days_left(as_user, officer, submitted_claim, fixed_clock, call):
    # A second claim submitted 30 days earlier has fewer days left and comes first.
    other = ApplicationFactory(call=call, state=Application.State.ACTIVE)
    older = Claim.objects.create(application=other, number=1, period_start=other.start_date,
                                 period_end=other.start_date + timedelta(days=30), created_by=officer)
    Claim.objects.filter(pk=older.pk).update(state=Claim.State.SUBMITTED, submitted_at=fixed_clock.now(),
                                             clock_started_at=fixed_clock.now() - timedelta(days=30))
    to_verify = as_user(officer).get("/").context["officer"]["to_verify"]
    assert [c.pk for c in to_verify] == [older.pk, submitted_claim.pk]
    assert [c.clock.days_left for c in to_verify] == [50, 80]


def test_a_returned_claim_shows_its_paused_clock_on_the_application_page(as_user, officer, applicant,
                                                                         submitted_claim, fixed_clock):
    from services import claims as claim_services

    fixed_clock.advance(days=5)
    claim_services.return_claim(submitted_claim, by=officer, reason="Bifoga kvitton.")
    fixed_clock.advance(days=20)
    html = _page(as_user(officer), reverse("web:application_detail", args=[submitted_claim.application.reference]))
    assert "75 days left of 80 (paused while returned)" in html


# ---------------------------------------------------------------- case age
def test_the_review_queue_shows_days_since_submission_oldest_first(as_user, officer, applicant, call, municipality,
                                                                   fixed_clock):
    newer, older = (ApplicationFactory(call=call, applicant=municipality) for _ in range(2))
    for application in (newer, older):
        PartnerFactory(application=application)
    move(older, "submit", by_applicant=applicant, by_officer=officer)
    fixed_clock.advance(days=9)
    move(newer, "submit", by_applicant=applicant, by_officer=officer)
    fixed_clock.advance(days=3)
    queue = as_user(officer).get("/").context["officer"]["queue"]
    assert [(a.pk, a.case_age) for a in queue] == [(older.pk, 12), (newer.pk, 3)]
    assert AuditEvent.objects.filter(application=older, to_state="submitted").exists()


# ---------------------------------------------------------------- the bell, the list and the preferences
def test_the_bell_counts_unread_notifications_and_the_list_marks_them_read(as_user, applicant, officer, draft):
    move(draft, "submit", "start_review", "request_changes", by_applicant=applicant, by_officer=officer)
    client = as_user(applicant)
    assert "Notifications, 1 unread" in _page(client, "/")
    html = _page(client, reverse("web:notification_list"), lang="sv")
    assert f"/applications/{draft.reference}/" in html
    client.post(reverse("web:notifications_read"))
    assert "Notifications, 0 unread" in _page(client, "/")
    assert not Notification.objects.filter(user=applicant, read_at__isnull=True).exists()


def test_one_sees_only_ones_own_notifications(as_user, applicant, officer, outsider, draft):
    move(draft, "submit", by_applicant=applicant, by_officer=officer)
    assert draft.reference not in _page(as_user(outsider), reverse("web:notification_list"))
    assert draft.reference in _page(as_user(officer), reverse("web:notification_list"))


def test_preferences_choose_events_email_digest_and_language(as_user, applicant, active):
    client = as_user(applicant)
    response = client.post(reverse("web:notification_preferences"), {
        "wanted_events": ["claim_due", "claim_overdue"], "language": "sv", "digest": "on"})
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=applicant)
    assert (saved.language, saved.email, saved.digest) == ("sv", False, True)
    assert "claim_returned" in saved.muted_events and "claim_due" not in saved.muted_events
    notifications.after_amendment(active, outcome="approved")
    assert not Notification.objects.filter(user=applicant, event="amendment_decided").exists()


def test_preferences_refuse_an_unknown_event_with_a_form_error(as_user, applicant):
    response = as_user(applicant).post(reverse("web:notification_preferences"),
                                       {"wanted_events": ["no_such_event"], "language": "en"})
    assert response.status_code == 200 and response.context["form"].errors["wanted_events"]


# ---------------------------------------------------------------- the call summary made by the worker
def test_the_call_summary_job_shows_the_document_page_with_a_download(as_user, officer, active,
                                                                      django_capture_on_commit_callbacks):
    client = as_user(officer)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs once the request commits
        response = client.post(reverse("reports:call_summary_job", args=[active.call_id]))
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:document_detail",
                                                                           args=[document.pk])
    assert document.status == "done" and document.keep_until is not None
    html = _page(client, response["Location"])
    assert f"Download {document.filename}" in html and "<progress" not in html
    download = client.get(reverse("reports:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(action="download", object_type="fundingcall").exists()


def test_a_document_is_not_found_for_those_who_may_not_have_it(as_user, officer, second_officer, applicant,
                                                                outsider, active):
    as_user(officer).post(reverse("reports:call_summary_job", args=[active.call_id]))
    document = GeneratedDocument.objects.get()
    for user in (applicant, outsider, second_officer):
        assert as_user(user).get(reverse("reports:document_detail", args=[document.pk])).status_code == 404
        assert as_user(user).get(reverse("reports:document_download", args=[document.pk])).status_code == 404


def test_a_document_still_being_made_shows_its_progress(as_user, officer, active):
    document = GeneratedDocument.objects.create(call=active.call, language="en", requested_by=officer,
                                                filename="x.pdf", status="running", progress=40)
    client = as_user(officer)
    html = _page(client, reverse("reports:document_detail", args=[document.pk]))
    assert '<progress max="100" value="40"' in html and "web/document.js" in html and "Check again" in html
    assert 'http-equiv="refresh"' not in html  # no timed refresh (WCAG 2.2.1): the script polls instead
    status = client.get(reverse("reports:document_detail", args=[document.pk]), {"format": "json"}).json()
    assert status == {"status": "running", "label": "Being made", "progress": 40, "pending": True}
    assert client.get(reverse("reports:document_download", args=[document.pk])).status_code == 404


def test_approving_notifies_in_the_app_even_without_email(as_user, applicant, officer, draft):
    NotificationPreference.objects.create(user=applicant, email=False)
    move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    lifecycle.approve(Application.objects.get(pk=draft.pk), by=officer, granted=draft.public_cash, rationale="Bra.")
    assert "Notifications, 1 unread" in _page(as_user(applicant), "/")


def test_an_auditor_can_have_the_call_summary_made_in_the_background(as_user, auditor, active):
    client = as_user(auditor)
    assert "Make the call summary PDF in the background" in _page(client, "/")
    response = client.post(reverse("reports:call_summary_job", args=[active.call_id]))
    assert response.status_code == 302 and GeneratedDocument.objects.get().requested_by == auditor
