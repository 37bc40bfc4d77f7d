"""The background worker of `make run`: django-tasks-db's db_worker, plus the reminder schedule.

Runs the queued jobs (mail, documents) and enqueues the scheduled job (reminders, daily digests,
expired documents: reports.jobs.scheduled_jobs) at start and every `--reminders-every` seconds (0:
never; in production cron runs `manage.py send_reminders` instead). Stops on SIGINT/SIGTERM.
"""
import logging
import threading

from django_tasks_db.management.commands import db_worker

from reports.jobs import scheduled_jobs_task

logger = logging.getLogger(__name__)


def schedule(every: float, stop: threading.Event) -> None:
    """Enqueue the reminder job now and then every `every` seconds until `stop` is set."""
    while True:
        try:
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
        parser.set_defaults(reload=False)

    def handle(self, *args, reminders_every=3600.0, **options):
        stop = threading.Event()
        if reminders_every > 0 and not options.get("batch"):
            threading.Thread(target=schedule, args=(reminders_every, stop), daemon=True, name="reminders").start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
