"""Scenarios shared by ledger, API and report tests: the worked example and its steps."""
from datetime import date
from decimal import Decimal

from services import claims as claim_services
from services import contributions
from tests.conftest import move
from tests.factories import CompanyFactory, PartnerFactory, member

D = Decimal


def worked_example(draft, applicant, officer):
    """The issue's example: C 400 000; X 300 h × 800 and Y 250 h × 700 (K 415 000); granted 400 000.

    Returns (application, partner X, partner Y, {partner pk: company representative}).
    """
    draft.partners.all().delete()
    x_company, y_company = CompanyFactory(name="X AB"), CompanyFactory(name="Y AB")
    x = PartnerFactory(application=draft, company=x_company, planned_hours=D("300"), hourly_rate=D("800"))
    y = PartnerFactory(application=draft, company=y_company, planned_hours=D("250"), hourly_rate=D("700"))
    application = move(draft, "submit", "start_review", "approve", "activate", by_applicant=applicant,
                       by_officer=officer, granted="400000.00")
    reps = {x.pk: member("company", x_company), y.pk: member("company", y_company)}
    return application, x, y, reps


def months(application, n):
    start = application.start_date.replace(day=1)
    return date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)


def report(partner, reps, month, hours, person="Anna"):
    item = contributions.report_time(partner, by=reps[partner.pk], person_name=person, month=month, hours=hours,
                                hourly_rate=partner.hourly_rate, description="Plattformsutveckling")
    return contributions.attest_time_report(item, by=reps[partner.pk])


def cash(application, applicant, amount, voucher):
    return contributions.report_cash(application, by=applicant, amount=amount, paid_on=application.start_date,
                                voucher_reference=voucher)


def claim_and_pay(application, applicant, officer, payer, final=False):
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                  period_end=application.end_date, is_final=final)
    claim_services.submit_claim(claim, by=applicant)
    for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim = claim_services.verify_claim(claim, by=officer)
    return claim_services.pay_claim(claim, by=payer)


