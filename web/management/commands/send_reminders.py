"""Send the claim reminders due today (cron in production; the worker runs it in `make run`)."""
from datetime import date

from django.core.management.base import BaseCommand

from services.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders 14 and 3 days before a claim is due and on the day it passes; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend it is this day (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        sent = send_reminders(today)
        if options["verbosity"]:
            self.stdout.write(f"{sent} reminder(s) sent")
