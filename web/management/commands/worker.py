"""The background worker of `make run`: django-tasks-db's db_worker, plus the reminder schedule.

Runs the queued jobs (mail, documents) and enqueues the scheduled job (reminders, daily digests,
expired documents: reports.jobs.scheduled_jobs) at start and every `--reminders-every` seconds (0:
never; in production cron runs `manage.py send_reminders` instead). Stops on SIGINT/SIGTERM.

A job still "running" long after it started belongs to a worker that was stopped in the middle of it
(a second Ctrl-C, a killed container): it is put back in the queue at start and with every schedule
tick, so a document someone waits for is made after all. Every job of ours may run twice safely
(documents skip what is done, e-mails what was sent, reminders what was told).
"""
import logging
import threading
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from reports.jobs import scheduled_jobs_task

logger = logging.getLogger(__name__)


def requeue_stale(older_than: timedelta) -> int:
    """Put back in the queue the jobs left running by a worker that stopped in the middle of them."""
    stale = DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - older_than)
    count = stale.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Put %s job(s) left running by a stopped worker back in the queue", count)
    return count


def schedule(every: float, stop: threading.Event, stale_after: timedelta) -> None:
    """Enqueue the reminder job now and then every `every` seconds until `stop` is set."""
    while True:
        try:
            requeue_stale(stale_after)
            scheduled_jobs_task.enqueue()
        except Exception:  # a locked database, say: try again next time
            logger.exception("Could not enqueue the reminder job")
        if stop.wait(every):
            return


class Command(db_worker.Command):
    help = "Run the background jobs (django-tasks database worker) and schedule the reminders."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--reminders-every", type=float, default=3600.0,
                            help="Seconds between reminder runs; 0 turns the schedule off (default 3600).")
        parser.add_argument("--stale-after", type=float, default=1800.0,
                            help="Seconds after which a job still running is taken as abandoned by a stopped "
                                 "worker and queued again (default 1800; the longest document takes minutes).")
        parser.set_defaults(reload=False)

    def handle(self, *args, reminders_every=3600.0, stale_after=1800.0, **options):
        stop = threading.Event()
        stale = timedelta(seconds=stale_after)
        requeue_stale(stale)
        if reminders_every > 0 and not options.get("batch"):
            threading.Thread(target=schedule, args=(reminders_every, stop, stale), daemon=True,
                             name="reminders").start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
