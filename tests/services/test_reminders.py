"""Reminders 14 and 3 days before a claim is due and on the day it passes, each sent once (rule D1)."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from applications.models import Notification, NotificationPreference, Reminder
from services.reminders import daily_jobs, send_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(active):
    return active.reporting_periods.get(number=1)


def _reminders(applicant):
    return list(Notification.objects.filter(user=applicant, event__in=["claim_due", "claim_overdue"])
                .order_by("id").values_list("event", "params__days"))


def test_nothing_is_sent_more_than_14_days_before(period, applicant):  # rule D1
    assert send_reminders(period.due_on - timedelta(days=15)) == 0
    assert _reminders(applicant) == []


def test_the_first_reminder_goes_14_days_before_the_due_date(period, applicant,
                                                             django_capture_on_commit_callbacks):  # rule D1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(period.due_on - timedelta(days=14)) == 1
    assert _reminders(applicant) == [("claim_due", 14)]
    assert len(mail.outbox) == 1 and applicant.email in mail.outbox[0].to


def test_the_second_reminder_goes_3_days_before(period, applicant):  # rule D1
    send_reminders(period.due_on - timedelta(days=14))
    assert send_reminders(period.due_on - timedelta(days=3)) == 1
    assert _reminders(applicant) == [("claim_due", 14), ("claim_due", 3)]


def test_an_overdue_reminder_goes_once_the_due_date_has_passed(period, applicant):  # rule D1
    send_reminders(period.due_on - timedelta(days=3))
    assert send_reminders(period.due_on) == 0  # the day itself: the 3-day reminder was enough
    assert send_reminders(period.due_on + timedelta(days=1)) == 1
    assert _reminders(applicant)[-1][0] == "claim_overdue"


def test_running_the_job_again_sends_nothing_more(period, applicant, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    day = period.due_on - timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            send_reminders(day)
        for offset in range(1, 14):  # every day up to the 3-day reminder, several times a day
            send_reminders(day + timedelta(days=offset))
            send_reminders(day + timedelta(days=offset))
    assert _reminders(applicant) == [("claim_due", 14), ("claim_due", 3)]
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(period=period).count() == 2


def test_a_missed_run_sends_only_the_most_urgent_reminder(period, applicant):  # rule D1
    assert send_reminders(period.due_on + timedelta(days=10)) == 1
    assert _reminders(applicant) == [("claim_overdue", -10)]
    assert send_reminders(period.due_on + timedelta(days=11)) == 0


def test_a_submitted_claim_stops_the_reminders(period, applicant, monkeypatch):  # rule D1
    from services import deadlines

    monkeypatch.setattr(deadlines, "unclaimed_periods", lambda periods=None: periods.none())
    from services import reminders

    monkeypatch.setattr(reminders, "unclaimed_periods", deadlines.unclaimed_periods)
    assert send_reminders(period.due_on + timedelta(days=1)) == 0


def test_a_muted_reminder_is_recorded_but_not_shown(period, applicant):
    NotificationPreference.objects.create(user=applicant, muted_events=["claim_due"])
    send_reminders(period.due_on - timedelta(days=14))
    assert _reminders(applicant) == []
    assert Reminder.objects.filter(period=period, days_before=14).exists()  # not sent later either


def test_the_reminder_email_is_in_the_recipients_language_with_a_link(period, applicant, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://ledger.example.se"
    NotificationPreference.objects.create(user=applicant, language="sv")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(period.due_on + timedelta(days=1))
    [message] = mail.outbox
    assert "är försenad" in message.subject
    assert f"https://ledger.example.se/applications/{period.application.reference}/" in message.body


def test_the_command_runs_the_job_for_a_given_day(period, applicant):
    out = StringIO()
    call_command("send_reminders", "--today", (period.due_on - timedelta(days=3)).isoformat(), stdout=out)
    assert "1 reminder(s) sent" in out.getvalue()
    call_command("send_reminders", "--today", (period.due_on - timedelta(days=3)).isoformat(), stdout=out)
    assert "0 reminder(s) sent" in out.getvalue()


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--today"):
        call_command("send_reminders", "--today", "2027-02-30")


def test_daily_jobs_send_reminders_and_digests(period, applicant):
    assert daily_jobs(period.due_on - timedelta(days=14)) == {"reminders": 1, "digests": 0}
