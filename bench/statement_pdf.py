"""Bench: how long an application statement takes to render, and how much of that is WeasyPrint.

    python bench/statement_pdf.py                 # the demo application TB-2026-0001
    python bench/statement_pdf.py --entries 500   # also a generated application with about 500 entries

Runs on a throw-away SQLite database (or BENCH_DATABASE_URL), loads the demo data with
seed_demo, and prints for each statement: pages, end-to-end time of the download (access,
queries, chain verification, template, layout, audit log), WeasyPrint alone on the final
HTML, and their ratio. The first render of a process is slower (fonts load); it is shown
apart and the figures are medians of the warm runs. Prints; asserts nothing.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


def month_add(first: date, n: int) -> date:
    return date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)


def generated_application(target_entries: int):
    """An active application with monthly hours of 12 people and a paid claim every quarter, made through
    the real services, until it has about `target_entries` journal entries."""
    from django.contrib.auth import get_user_model

    from applications.models import FundingCall, Organisation
    from ledger.models import JournalEntry
    from services import calls as call_services
    from services import claims as claim_services
    from services import contributions, drafting, lifecycle

    users = {u.username: u for u in get_user_model().objects.all()}
    officer, payer, who = users["officer"], users["officer2"], users["applicant-kalmar"]
    today = date.today()
    start = month_add(today.replace(day=1), -36)
    call = FundingCall.objects.create(
        regional_body=Organisation.objects.get(org_number="232100-0222"), title="Bench call",
        fund_project_reference=f"BENCH-{time.time_ns()}", fund_budget=Decimal("50000000.00"),
        opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=300), eligible_from=start,
        eligible_until=today + timedelta(days=400), max_hourly_rate=Decimal("900.00"),
        max_grant=Decimal("5000000.00"))
    call = call_services.open_call(call, by=officer)
    app = drafting.create_application(
        call=call, applicant=Organisation.objects.get(name="Kalmar kommun"), by=who, title="Bench testbed",
        start_date=start, end_date=today + timedelta(days=300), public_cash=Decimal("3000000.00"))
    companies = [("Kalmar Sensorteknik AB", "company"), ("Smålandsdata AB", "company-smalandsdata"),
                 ("Östersjö Robotik AB", "company-robotik")]
    partners = []
    for name, rep in companies:
        partner = drafting.add_partner(app, by=who, company=Organisation.objects.get(name=name),
                                       planned_hours=Decimal("4000"), hourly_rate=Decimal("800"))
        partners.append((partner, users[rep]))
    for name in ("submit", "start_review"):
        lifecycle.transition(app, name, by=officer if name == "start_review" else who, comment="Bench.")
    lifecycle.approve(app, by=officer, granted=Decimal("3000000.00"), rationale="Bench.")
    lifecycle.transition(app, "activate", by=who, comment="Bench.")
    month = 0
    while JournalEntry.objects.filter(application=app).count() < target_entries and month < 36:
        for partner, rep in partners:
            for person in ("Anna", "Bo", "Cecilia", "David"):
                report = contributions.report_time(partner, by=rep, person_name=f"{person} {partner.company.name}",
                                            month=month_add(start, month), hours=Decimal("20"),
                                            hourly_rate=partner.hourly_rate, description="Bench work")
                contributions.attest_time_report(report, by=rep)
        if month % 3 == 2:
            contributions.report_cash(app, by=who, amount=Decimal("40000.00"), paid_on=month_add(start, month),
                               voucher_reference=f"BENCH-{month:03d}")
            claim = claim_services.create_claim(app, by=who, period_start=month_add(start, month - 2),
                                        period_end=month_add(start, month + 1) - timedelta(days=1))
            claim_services.submit_claim(claim, by=who)
            for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
                claim_services.review_item(claim, item, by=officer, accept=True)
            claim_services.verify_claim(claim, by=officer)
            claim_services.pay_claim(claim, by=payer)
        month += 1
    return app


def measure(application, user, runs: int) -> dict:
    from reports import downloads
    from reports.pdf import html_to_pdf
    from reports.statement import statement_html

    def end_to_end():
        started = time.perf_counter()
        response = downloads.statement(user, application.reference, fmt="pdf", lang="sv")
        return time.perf_counter() - started, int(response["X-Report-Pages"]), len(response.content)

    first, pages, size = end_to_end()
    html = statement_html(application, by=user, lang="sv")
    totals, layouts = [], []
    for _ in range(runs):
        totals.append(end_to_end()[0])
        started = time.perf_counter()
        html_to_pdf(html)
        layouts.append(time.perf_counter() - started)
    total, layout = statistics.median(totals), statistics.median(layouts)
    return {"pages": pages, "bytes": size, "first": first, "total": total, "layout": layout,
            "ratio": total / layout, "html_kb": len(html.encode()) / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=0,
                        help="also bench a generated application with about this many journal entries")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per statement (median reported)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
        from django.contrib.auth import get_user_model

        from applications.models import Application
        from ledger.models import JournalEntry

        auditor = get_user_model().objects.get(username="auditor")
        subjects = [Application.objects.get(reference="TB-2026-0001")]
        if args.entries:
            started = time.perf_counter()
            subjects.append(generated_application(args.entries))
            print(f"(generated {subjects[-1].reference} in {time.perf_counter() - started:.1f} s)")
        for application in subjects:
            entries = JournalEntry.objects.filter(application=application).count()
            r = measure(application, auditor, args.runs)
            print(f"statement {application.reference} ({entries} entries): {r['pages']} pages, "
                  f"{r['bytes'] / 1024:.0f} KiB PDF from {r['html_kb']:.0f} KiB HTML")
            print(f"  first render in this process  {r['first']:.3f} s")
            print(f"  end to end (median of {args.runs})     {r['total']:.3f} s")
            print(f"  WeasyPrint alone, final HTML  {r['layout']:.3f} s")
            print(f"  ratio end-to-end / WeasyPrint {r['ratio']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
