"""manage.py seed_demo: the demo call of Region Kalmar län, its parties, users and applications.

Idempotent: everything is looked up by natural key first, and the application
histories are played (through the real services) only when they are not there yet.
Refuses to run when DEBUG is off, so demo users never reach production.
"""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from applications.models import Application, FundingCall, Membership, Organisation
from ledger import journal
from ledger.models import JournalEntry
from services import advances, amendments, contributions, corrections, deadlines, drafting, lifecycle
from services import calls as call_services
from services import claims as claim_services

D = Decimal
DEMO_PASSWORD = "testbed-demo-2026"

ORGANISATIONS = [
    # name, organisation number, kind
    ("Region Kalmar län", "232100-0222", Organisation.Kind.REGIONAL_BODY),
    ("Ekonomistyrningsverket", "202100-5026", Organisation.Kind.AUDIT_AUTHORITY),
    ("Oskarshamns kommun", "212000-0787", Organisation.Kind.MUNICIPALITY),
    ("Kalmar kommun", "212000-0837", Organisation.Kind.MUNICIPALITY),
    ("Västerviks kommun", "212000-0886", Organisation.Kind.MUNICIPALITY),
    ("Kalmarhem AB", "556000-4425", Organisation.Kind.PUBLIC_HOUSING),
    ("Kalmar Sensorteknik AB", "556036-0793", Organisation.Kind.COMPANY),
    ("Smålandsdata AB", "556677-1019", Organisation.Kind.COMPANY),
    ("Östersjö Robotik AB", "559012-3450", Organisation.Kind.COMPANY),
    ("Glasriket Digital AB", "556789-0123", Organisation.Kind.COMPANY),
]

# username, organisation, role, shown at start-up
USERS = [
    ("applicant", "Oskarshamns kommun", Membership.Role.APPLICANT, True),
    ("company", "Kalmar Sensorteknik AB", Membership.Role.COMPANY, True),
    ("officer", "Region Kalmar län", Membership.Role.OFFICER, True),
    ("auditor", "Ekonomistyrningsverket", Membership.Role.AUDITOR, True),
    ("officer2", "Region Kalmar län", Membership.Role.OFFICER, True),
    ("company2", "Kalmar Sensorteknik AB", Membership.Role.COMPANY, True),
    ("applicant-kalmar", "Kalmar kommun", Membership.Role.APPLICANT, False),
    ("applicant-vastervik", "Västerviks kommun", Membership.Role.APPLICANT, False),
    ("applicant-kalmarhem", "Kalmarhem AB", Membership.Role.APPLICANT, False),
    ("company-smalandsdata", "Smålandsdata AB", Membership.Role.COMPANY, False),
    ("company-robotik", "Östersjö Robotik AB", Membership.Role.COMPANY, False),
    ("company-glasriket", "Glasriket Digital AB", Membership.Role.COMPANY, False),
]
# Organisation admins (they invite people to their organisation and end memberships).
ADMINS = {"applicant", "company"}
# What each shown login is for in a full journey, for the table `make run` prints.
PURPOSE = {
    "applicant": "applies; organisation admin",
    "company": "reports hours; organisation admin",
    "company2": "second company user (attests, rule V6)",
    "officer": "reviews, approves, verifies; sets up calls",
    "officer2": "second officer: pays (four eyes)",
    "auditor": "reads everything, verifies the ledger",
}


def logins_table() -> list[str]:
    """The demo logins as a short table (printed by seed_demo and, after the address, by `rundemo`)."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, org, role, shown in USERS:
        if shown:
            lines.append(f"  {username:<10} {Membership.Role(role).label:<24} {org:<24} {PURPOSE.get(username, '')}")
    lines.append(f"  {'admin':<10} {'Django admin':<24} {'(superuser)':<24}")
    return lines

# First and last names: documents and timelines name people, not usernames.
FULL_NAMES = {
    "applicant": ("Maria", "Lindqvist"), "company": ("Johan", "Ek"), "officer": ("Karin", "Holm"),
    "auditor": ("Lars", "Nyberg"), "officer2": ("Erik", "Sandberg"), "company2": ("Ida", "Ek"),
    "applicant-kalmar": ("Sara", "Berg"),
    "applicant-vastervik": ("Anders", "Lund"), "applicant-kalmarhem": ("Eva", "Strand"),
    "company-smalandsdata": ("Nils", "Åberg"), "company-robotik": ("Lina", "Öhman"),
    "company-glasriket": ("Per", "Glas"),
}


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo users must never reach production.")
        with transaction.atomic():
            orgs = self._organisations()
            users = self._users(orgs)
            call = self._call(orgs, users)
            created = self._applications(call, orgs, users)
            # Demo databases made before reporting periods existed get them now (rule D1; idempotent).
            for application in Application.objects.filter(state__in=deadlines.CLAIMING_STATES,
                                                          reporting_periods__isnull=True):
                deadlines.generate_periods(application)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data {'loaded' if created else 'already present'}: {Application.objects.count()} applications, "
                f"{JournalEntry.objects.count()} journal entries."))
        if options["verbosity"] >= 1:
            for line in logins_table():
                self.stdout.write(line)

    def _organisations(self):
        orgs = {}
        for name, number, kind in ORGANISATIONS:
            orgs[name], _ = Organisation.objects.get_or_create(org_number=number, defaults={"name": name, "kind": kind})
        return orgs

    def _users(self, orgs):
        User = get_user_model()
        users = {}
        for username, org, role, _shown in USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.se"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            first, last = FULL_NAMES.get(username, ("", ""))
            if (user.first_name, user.last_name) != (first, last):
                user.first_name, user.last_name = first, last
                user.save(update_fields=["first_name", "last_name"])
            membership, _ = Membership.objects.get_or_create(user=user, organisation=orgs[org], role=role,
                                                             ended_at=None)
            if username in ADMINS and not membership.is_admin:
                membership.is_admin = True
                membership.save(update_fields=["is_admin"])
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@example.se", "is_staff": True, "is_superuser": True})
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        return users

    def _call(self, orgs, users):
        call, created = FundingCall.objects.get_or_create(
            fund_project_reference="20358563",
            defaults=dict(
                regional_body=orgs["Region Kalmar län"], title="Testbäddar i offentlig verksamhet 2026",
                fund_budget=D("10000000.00"), opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31),
                eligible_from=date(2026, 1, 1), eligible_until=date(2028, 12, 31), fund_ratio=D("1.00"),
                inkind_ratio=D("1.00"), max_hourly_rate=D("900.00"), max_grant=D("2000000.00"),
            ),
        )
        if call.state == FundingCall.State.DRAFT:
            call = call_services.open_call(call, by=users["officer"])
        journal.book_for_call(call, by=users["officer"])
        return call

    def _application(self, call, orgs, users, *, applicant, title, cash, partners, start, end):
        org = orgs[applicant]
        who = next(u for u, o, r, _ in USERS if o == applicant and r == Membership.Role.APPLICANT)
        app = drafting.create_application(
            call=call, applicant=org, by=users[who], title=title, start_date=start, end_date=end, public_cash=cash,
            needs_analysis="Behovet är beskrivet i kommunens digitaliseringsstrategi.",
            testbed_description="En testbädd där företag och verksamhet utvecklar lösningar tillsammans.",
        )
        for company, hours, rate in partners:
            drafting.add_partner(app, by=users[who], company=orgs[company], planned_hours=hours, hourly_rate=rate,
                                 role_description="Utvecklar och driftar plattformen.")
        return app, users[who]

    def _applications(self, call, orgs, users) -> bool:
        if Application.objects.filter(call=call).exists():
            return False
        officer, officer2 = users["officer"], users["officer2"]

        def step(app, actor, name, comment="Hanterat."):
            lifecycle.transition(app, name, by=actor, comment=comment)

        # 1. The worked example: active, two claims paid, one correction and its recovery.
        app, who = self._application(
            call, orgs, users, applicant="Oskarshamns kommun", title="Trygghetslarm med sensorer i hemtjänsten",
            cash=D("400000.00"), partners=[("Kalmar Sensorteknik AB", D("300"), D("800")),
                                           ("Smålandsdata AB", D("250"), D("700"))],
            start=date(2026, 2, 1), end=date(2027, 1, 31))
        step(app, who, "submit")
        step(app, officer, "start_review")
        lifecycle.approve(app, by=officer, granted=D("400000.00"), rationale="Väl underbyggd, uppfyller alla krav.")
        step(app, who, "activate", "Vi accepterar beslutet.")
        x, y = app.partners.order_by("id")
        reps = {x.pk: users["company"], y.pk: users["company-smalandsdata"]}

        def hours(partner, person, month, h, text="Utveckling av sensorplattformen"):
            report = contributions.report_time(partner, by=reps[partner.pk], person_name=person, month=month,
                                                 hours=h, hourly_rate=partner.hourly_rate, description=text)
            contributions.attest_time_report(report, by=reps[partner.pk])

        def cash(amount, paid_on, voucher):
            contributions.report_cash(app, by=who, amount=amount, paid_on=paid_on, voucher_reference=voucher)

        def claim(start, end, final=False):
            c = claim_services.create_claim(app, by=who, period_start=start, period_end=end, is_final=final)
            claim_services.submit_claim(c, by=who)
            for item in list(c.time_reports.all()) + list(c.cash_contributions.all()):
                claim_services.review_item(c, item, by=officer, accept=True)
            claim_services.verify_claim(c, by=officer)
            return claim_services.pay_claim(c, by=officer2)

        cash(D("150000.00"), date(2026, 3, 15), "VER-2026-0311")
        cash(D("50000.00"), date(2026, 4, 20), "VER-2026-0412")
        hours(x, "Anna Lindqvist", date(2026, 3, 1), D("100"))
        hours(y, "Erik Johansson", date(2026, 4, 1), D("60"))
        claim(date(2026, 2, 1), date(2026, 4, 30))
        cash(D("200000.00"), date(2026, 6, 10), "VER-2026-0618")
        hours(x, "Anna Lindqvist", date(2026, 5, 1), D("100"))
        hours(x, "Anna Lindqvist", date(2026, 6, 1), D("100"))
        hours(y, "Erik Johansson", date(2026, 5, 1), D("95"))
        hours(y, "Erik Johansson", date(2026, 6, 1), D("95"))
        second = claim(date(2026, 5, 1), date(2026, 7, 31))
        entry = second.journal_entries.get(kind=JournalEntry.Kind.CASH_CONTRIBUTION)
        corrections.record_correction(entry, by=officer, amount=D("25000.00"),
                                          reason="Del av fakturan avser utrustning utanför projektet.")
        # An amendment waiting for the officer (rule A1): 50 more hours for Kalmar Sensorteknik.
        amendments.request_amendment(app, by=who, reason="Fler timmar för integrationen med larmcentralen.",
                                     public_cash=None, end_date=None, partners={x.pk: {"hours": D("350")}})

        # 2. Draft.
        self._application(call, orgs, users, applicant="Kalmar kommun", title="Digital skolskjuts",
                          cash=D("300000.00"), partners=[("Östersjö Robotik AB", D("400"), D("750"))],
                          start=date(2027, 1, 1), end=date(2027, 12, 31))
        # 3. Submitted.
        app, who = self._application(call, orgs, users, applicant="Västerviks kommun", title="Smart vattenmätning",
                                     cash=D("250000.00"), partners=[("Glasriket Digital AB", D("350"), D("800"))],
                                     start=date(2027, 1, 1), end=date(2027, 12, 31))
        step(app, who, "submit")
        # 4. Under review.
        app, who = self._application(call, orgs, users, applicant="Kalmarhem AB", title="Energistyrning i bostäder",
                                     cash=D("500000.00"),
                                     partners=[("Kalmar Sensorteknik AB", D("400"), D("850")),
                                               ("Smålandsdata AB", D("300"), D("600"))],
                                     start=date(2027, 2, 1), end=date(2028, 1, 31))
        step(app, who, "submit")
        step(app, officer, "start_review")
        # 5. Changes requested.
        app, who = self._application(call, orgs, users, applicant="Oskarshamns kommun", title="Digitala bibliotek",
                                     cash=D("150000.00"), partners=[("Smålandsdata AB", D("200"), D("800"))],
                                     start=date(2027, 1, 1), end=date(2027, 6, 30))
        step(app, who, "submit")
        step(app, officer, "start_review")
        step(app, officer, "request_changes", "Beskriv hur testbädden ska utvärderas.")
        # 6. Approved, not yet started.
        app, who = self._application(call, orgs, users, applicant="Kalmar kommun", title="Sensorer i äldreboenden",
                                     cash=D("600000.00"), partners=[("Kalmar Sensorteknik AB", D("700"), D("900"))],
                                     start=date(2027, 1, 1), end=date(2027, 12, 31))
        step(app, who, "submit")
        step(app, officer, "start_review")
        lifecycle.approve(app, by=officer, granted=D("550000.00"), rationale="Beviljas med reducerat belopp.")
        # An advance before the start (rule T6): half the grant would be 275 000; the call allows 400 000.
        advances.pay_advance(app, by=officer, amount=D("200000.00"), reason="Uppstart av testbädden.")
        # 7. Rejected.
        app, who = self._application(call, orgs, users, applicant="Västerviks kommun", title="Drönarleveranser",
                                     cash=D("200000.00"), partners=[("Östersjö Robotik AB", D("250"), D("850"))],
                                     start=date(2027, 1, 1), end=date(2027, 12, 31))
        step(app, who, "submit")
        step(app, officer, "start_review")
        step(app, officer, "reject", "Testbädden ligger utanför utlysningens inriktning.")
        # 8. Withdrawn.
        app, who = self._application(call, orgs, users, applicant="Kalmarhem AB", title="Tvättstuga som tjänst",
                                     cash=D("100000.00"), partners=[("Glasriket Digital AB", D("150"), D("700"))],
                                     start=date(2027, 1, 1), end=date(2027, 6, 30))
        step(app, who, "withdraw", "Vi prioriterar om.")
        # 9. Active, its first claim submitted and waiting for verification: the 80-day clock runs (rule T5).
        app, who = self._application(call, orgs, users, applicant="Kalmar kommun", title="Digital hemtjänstplanering",
                                     cash=D("200000.00"), partners=[("Östersjö Robotik AB", D("300"), D("800"))],
                                     start=date(2026, 3, 1), end=date(2027, 2, 28))
        step(app, who, "submit")
        step(app, officer, "start_review")
        lifecycle.approve(app, by=officer, granted=D("200000.00"), rationale="Uppfyller kriterierna.")
        step(app, who, "activate", "Vi accepterar beslutet.")
        contributions.report_cash(app, by=who, amount=D("50000.00"), paid_on=date(2026, 4, 15),
                                  voucher_reference="VER-2026-0415")
        robotik = users["company-robotik"]
        report = contributions.report_time(app.partners.get(), by=robotik, person_name="Sara Holm",
                                           month=date(2026, 4, 1), hours=D("60"), hourly_rate=D("800"),
                                           description="Integration med planeringssystemet")
        contributions.attest_time_report(report, by=robotik)
        claim_services.submit_claim(claim_services.create_claim(app, by=who, period_start=date(2026, 3, 1),
                                                                period_end=date(2026, 8, 31)), by=who)
        # 10. Active, its first claim (due 30 July 2026) not submitted: the reminder job sends one reminder.
        app, who = self._application(call, orgs, users, applicant="Oskarshamns kommun", title="Uppkopplade lekplatser",
                                     cash=D("100000.00"), partners=[("Glasriket Digital AB", D("150"), D("700"))],
                                     start=date(2026, 1, 1), end=date(2026, 12, 31))
        step(app, who, "submit")
        step(app, officer, "start_review")
        lifecycle.approve(app, by=officer, granted=D("100000.00"), rationale="Uppfyller kriterierna.")
        step(app, who, "activate", "Vi accepterar beslutet.")
        return True
