"""Send the claim reminders due today (cron in production; the worker runs it in `make run`)."""
from datetime import date

from django.core.management.base import BaseCommand

from services.reminders import daily_jobs


class Command(BaseCommand):
    help = "Send reminders 14 and 3 days before a claim is due and on the day it passes, and the daily digests; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend it is this day (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        sent = daily_jobs(today)
        if options["verbosity"]:
            self.stdout.write(f"{sent['reminders']} reminder(s) sent, {sent['digests']} digest(s) sent")
