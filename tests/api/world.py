"""A call with objects of every kind, for permission and fuzz tests of the API.

Built through the services: the worked example's application A (approved 400 000, active) with a
cash item carrying a receipt, attested hours of both partners, one paid claim (so the ledger has
contributions and a payment) and one submitted claim; plus organisation B's application in the
same call, which A's people must never see.
"""
from dataclasses import dataclass

from applications.models import Application, Partner
from ledger.models import CashContribution, Claim, JournalEntry, TimeReport
from services import claims as claim_services
from services import contributions
from tests.api.helpers import receipt
from tests.factories import ApplicationFactory, MunicipalityFactory, PartnerFactory, member
from tests.scenarios import cash, claim_and_pay, months, report, worked_example


@dataclass
class World:
    application: Application       # A: active, with ledger history
    x: Partner
    y: Partner
    reps: dict                      # partner pk → company representative
    cash_item: CashContribution     # with a receipt, in the paid claim
    x_report: TimeReport
    y_report: TimeReport
    paid_claim: Claim
    open_claim: Claim               # submitted, items pending review
    entry: JournalEntry             # a cash contribution entry of A
    other: Application              # B's application in the same call
    other_applicant: object


def build_world(draft, applicant, officer, second_officer, call) -> World:
    application, x, y, reps = worked_example(draft, applicant, officer)
    cash_item = contributions.report_cash(application, by=applicant, amount="150000.00", paid_on=application.start_date,
                                     voucher_reference="V1", receipt=receipt())
    x_report = report(x, reps, months(application, 0), "100")
    y_report = report(y, reps, months(application, 0), "60", person="Bo")
    paid = claim_and_pay(application, applicant, officer, second_officer)
    cash(application, applicant, "50000.00", "V2")
    report(x, reps, months(application, 1), "20")
    open_claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                       period_end=application.end_date)
    claim_services.submit_claim(open_claim, by=applicant)
    other_org = MunicipalityFactory(name="Annan kommun")
    other = ApplicationFactory(call=call, applicant=other_org)
    PartnerFactory(application=other, company=x.company)
    entry = paid.journal_entries.get(kind=JournalEntry.Kind.CASH_CONTRIBUTION)
    return World(application=application, x=x, y=y, reps=reps, cash_item=cash_item, x_report=x_report,
                 y_report=y_report, paid_claim=paid, open_claim=open_claim, entry=entry, other=other,
                 other_applicant=member("applicant", other_org, "other-applicant"))
