"""The real database worker (django-tasks-db) processes real jobs, on SQLite and on PostgreSQL.

Everything else runs tasks in-line (tests/conftest.py, immediate_tasks); here the jobs go through
the database queue and `manage.py worker --batch` (our worker: db_worker plus the reminder
schedule) claims and runs them, as it does beside the web server in `make run`.
"""
import signal
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from applications.models import Notification
from reports import jobs
from reports.models import GeneratedDocument
from tests.conftest import move
from web.management.commands import worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--reminders-every", "0", verbosity=0)


def test_the_worker_makes_a_call_summary_pdf_from_the_queue(active, officer):
    document = jobs.request_call_summary(officer, active.call_id, lang="sv")
    queued = DBTaskResult.objects.get(task_path__endswith="render_document")
    assert queued.status == "READY"
    assert GeneratedDocument.objects.get(pk=document.pk).status == GeneratedDocument.Status.QUEUED
    run_worker()
    done = GeneratedDocument.objects.get(pk=document.pk)
    assert done.status == GeneratedDocument.Status.DONE and done.progress == 100
    assert done.pages >= 1 and done.file.read(5) == b"%PDF-"
    assert done.keep_until is not None
    assert DBTaskResult.objects.get(pk=queued.pk).status == "SUCCESSFUL"


def test_the_worker_sends_the_notification_email_once(draft, applicant, officer):
    move(draft, "submit", "start_review", "approve", by_applicant=applicant, by_officer=officer)
    assert DBTaskResult.objects.filter(task_path__endswith="send_notification_email").exists()
    mail.outbox.clear()
    run_worker()
    run_worker()  # nothing left: a second run sends nothing
    assert [m.to for m in mail.outbox if applicant.email in m.to] == [[applicant.email]]
    assert Notification.objects.get(user=applicant).emailed_at is not None
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_the_schedule_enqueues_the_reminder_job_and_the_worker_runs_it(active, applicant, fixed_clock):
    period = active.reporting_periods.get(number=1)
    fixed_clock.set(period.due_on + timedelta(days=1))
    stop = threading.Event()
    stop.set()  # one round: enqueue, then stop instead of waiting an hour
    worker.schedule(3600, stop, timedelta(minutes=30))
    assert DBTaskResult.objects.filter(task_path__endswith="scheduled_jobs_task", status="READY").count() == 1
    run_worker()
    assert list(Notification.objects.filter(user=applicant, event="claim_overdue").values_list(
        "params__days", flat=True)) == [-1]
    worker.schedule(3600, stop, timedelta(minutes=30))
    run_worker()  # the job again, the same day: no second reminder
    assert Notification.objects.filter(user=applicant, event="claim_overdue").count() == 1


def test_a_job_left_running_by_a_stopped_worker_is_done_at_the_next_start(active, officer):
    # the worker was killed in the middle of the call summary: the job stays "running" in the queue
    document = jobs.request_call_summary(officer, active.call_id, lang="en")
    abandoned = DBTaskResult.objects.get(task_path__endswith="render_document")
    DBTaskResult.objects.filter(pk=abandoned.pk).update(status="RUNNING",
                                                         started_at=abandoned.enqueued_at - timedelta(hours=1))
    jobs.request_call_summary(officer, active.call_id, lang="sv")
    recent = DBTaskResult.objects.exclude(pk=abandoned.pk).get(task_path__endswith="render_document")
    DBTaskResult.objects.filter(pk=recent.pk).update(status="RUNNING", started_at=recent.enqueued_at)
    run_worker()
    assert DBTaskResult.objects.get(pk=abandoned.pk).status == "SUCCESSFUL"
    assert GeneratedDocument.objects.get(pk=document.pk).status == GeneratedDocument.Status.DONE
    # a job that started a moment ago belongs to a worker still at it, and is left alone
    assert DBTaskResult.objects.get(pk=recent.pk).status == "RUNNING"
