"""Notifications of every claim event, decisions and amendments; e-mail by preference, language and digest."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from applications.models import Notification, NotificationPreference
from ledger.models import Claim
from services import claims as claim_services
from services import contributions, lifecycle, notifications
from tests.conftest import ROLES, move
from tests.factories import member

pytestmark = pytest.mark.django_db


def _events(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("event", flat=True))


@pytest.fixture
def claim(active, applicant, company_rep, fixed_clock):
    partner = active.partners.get()
    fixed_clock.set(active.start_date + timedelta(days=70))
    report = contributions.report_time(partner, by=company_rep, person_name="Anna Lindqvist",
                                       month=active.start_date, hours=Decimal("10"),
                                       hourly_rate=partner.hourly_rate, description="Sensorer")
    contributions.attest_time_report(report, by=member(ROLES.COMPANY, partner.company, "attester"))
    return claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                       period_end=active.start_date + timedelta(days=60))


def test_a_submitted_claim_notifies_the_calls_officers(claim, applicant, officer, second_officer):
    claim_services.submit_claim(claim, by=applicant)
    assert _events(officer)[-1] == "claim_submitted" and _events(second_officer)[-1] == "claim_submitted"
    assert "claim_submitted" not in _events(applicant)


def test_a_returned_claim_notifies_the_applicant_with_the_reason(claim, applicant, officer):
    claim_services.submit_claim(claim, by=applicant)
    claim_services.return_claim(claim, by=officer, reason="Bifoga lönebesked.")
    notification = Notification.objects.filter(user=applicant).latest("id")
    assert notification.event == "claim_returned" and notification.params["comment"] == "Bifoga lönebesked."
    assert notification.link == f"/applications/{claim.application.reference}/claims/{claim.number}/"


def test_verified_and_paid_claims_notify_the_applicant(claim, applicant, officer, second_officer):
    claim_services.submit_claim(claim, by=applicant)
    for item in claim.time_reports.all():
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim_services.verify_claim(claim, by=officer)
    claim_services.pay_claim(Claim.objects.get(pk=claim.pk), by=second_officer)
    assert _events(applicant)[-2:] == ["claim_verified", "claim_paid"]


def test_decisions_notify_the_applicant(draft, applicant, officer):
    move(draft, "submit", "start_review", "approve", by_applicant=applicant, by_officer=officer)
    assert _events(officer) == ["application_submitted"]
    assert _events(applicant) == ["application_decided"]
    assert Notification.objects.get(user=applicant).params["state"] == "approved"


def test_an_amendment_request_notifies_the_officers_and_its_decision_the_applicant(active, applicant, officer):
    notifications.after_amendment(active, requested=True, comment="Förlängning med sex månader.")
    notifications.after_amendment(active, outcome="approved")
    assert _events(officer)[-1] == "amendment_requested"
    decided = Notification.objects.filter(user=applicant).latest("id")
    assert decided.event == "amendment_decided"
    assert notifications.render(decided)[0] == f"{active.reference}: amendment approved"


def test_the_email_goes_by_the_worker_after_commit_in_the_recipients_language(
        draft, applicant, officer, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://ledger.example.se"
    NotificationPreference.objects.create(user=applicant, language="sv")
    move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.approve(draft, by=officer, granted=Decimal("400000.00"), rationale="Bra.")
    [message] = mail.outbox
    assert message.to == [applicant.email]
    assert "beviljad" in message.subject.lower()
    assert f"https://ledger.example.se/applications/{draft.reference}/" in message.body
    assert Notification.objects.get(user=applicant).emailed_at is not None


def test_nothing_is_written_before_the_transaction_commits(draft, applicant, officer,
                                                            django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(draft, "submit", by_applicant=applicant, by_officer=officer)
    assert mail.outbox == [] and len(callbacks) >= 1


def test_an_email_is_sent_once_even_if_the_job_runs_twice(draft, applicant, officer):
    move(draft, "submit", "start_review", "approve", by_applicant=applicant, by_officer=officer)
    notification = Notification.objects.get(user=applicant)
    mail.outbox.clear()
    assert notifications.send_notification_email.call(notification.pk) is True
    assert notifications.send_notification_email.call(notification.pk) is False
    assert len(mail.outbox) == 1


def test_in_app_only_sends_no_email(draft, applicant, officer, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=applicant, email=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        move(draft, "submit", "start_review", "approve", by_applicant=applicant, by_officer=officer)
    assert _events(applicant) == ["application_decided"]
    assert [m for m in mail.outbox if applicant.email in m.to] == []


def test_a_muted_event_is_neither_shown_nor_sent(draft, applicant, officer):
    NotificationPreference.objects.create(user=applicant, muted_events=["application_decided"])
    move(draft, "submit", "start_review", "approve", by_applicant=applicant, by_officer=officer)
    assert _events(applicant) == []


def test_the_daily_digest_sends_one_email_the_next_day_once(draft, applicant, officer, fixed_clock,
                                                            django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=applicant, digest=True, language="sv")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        move(draft, "submit", "start_review", "request_changes", by_applicant=applicant, by_officer=officer)
        notifications.after_amendment(draft, outcome="rejected")
    assert [m for m in mail.outbox if applicant.email in m.to] == []  # not one e-mail per event
    today = fixed_clock.today()
    assert notifications.send_digests(today) == 0  # today's notifications wait for tomorrow
    assert notifications.send_digests(today + timedelta(days=1)) == 1
    assert notifications.send_digests(today + timedelta(days=1)) == 0
    [digest] = [m for m in mail.outbox if applicant.email in m.to]
    assert digest.subject == "Testbed Ledger: 2 aviseringar"
    assert digest.body.count(draft.reference) >= 2
    assert not Notification.objects.filter(user=applicant, emailed_at__isnull=True).exists()


def test_a_key_makes_a_notification_idempotent(active, applicant):
    for _ in range(3):
        notifications.notify([applicant], "claim_due", application=active, key="k-1",
                             params=notifications.application_params(active) | {"due": "2027-01-01",
                                                                                 "period_end": "2026-12-01",
                                                                                 "days": 3})
    assert _events(applicant).count("claim_due") == 1
