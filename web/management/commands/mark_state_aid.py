"""manage.py mark_state_aid --application REF --company ORGNR [--clear] [--comment TEXT]

Records that a partner company benefits from the testbed as state aid (a de minimis declaration is on
file, rules S4, T8): the application's records are then kept ten years after the last payment (rule T7).
"""
from django.core.management.base import BaseCommand, CommandError

from applications.models import Partner
from services import retention


class Command(BaseCommand):
    help = "Mark (or clear) state aid for a partner of an application (rules S4, T7, T8)."

    def add_arguments(self, parser):
        parser.add_argument("--application", required=True, help="the application's reference")
        parser.add_argument("--company", required=True, help="the partner company's organisation number")
        parser.add_argument("--clear", action="store_true", help="remove the mark instead")
        parser.add_argument("--comment", default="", help="why (e.g. the declaration's reference)")

    def handle(self, *args, application, company, clear, comment, **options):
        partner = Partner.objects.filter(application__reference=application, company__org_number=company).first()
        if partner is None:
            raise CommandError(f"{company} is not a partner of {application}.")
        retention.mark_state_aid(partner, by=None, has_state_aid=not clear, comment=comment)
        self.stdout.write(f"{company} in {application}: state aid {'cleared' if clear else 'recorded'}.")
