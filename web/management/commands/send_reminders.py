"""The scheduled job: claim reminders, daily digests, expired documents (cron in production; the worker in `make run`)."""
from datetime import date

from django.core.management.base import BaseCommand

from reports.jobs import scheduled_jobs


class Command(BaseCommand):
    help = "Send reminders 14 and 3 days before a claim is due and on the day it passes, the daily digests, and remove expired documents; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend it is this day (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        sent = scheduled_jobs(today)
        if options["verbosity"]:
            self.stdout.write(f"{sent['reminders']} reminder(s) sent, {sent['digests']} digest(s) sent, "
                              f"{sent['expired_documents']} expired document(s) removed")
