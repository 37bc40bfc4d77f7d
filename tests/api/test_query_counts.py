"""No N+1: every list endpoint answers in as many queries for 200 rows as for 10 (all rows on one page)."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import AuditEvent
from ledger import journal
from ledger.journal import Leg
from ledger.models import Account, CashContribution, Claim, JournalEntry, TimeReport
from tests.api.helpers import expect, url
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DecisionFactory,
    FundingCallFactory,
    OrganisationFactory,
    PartnerFactory,
)

D = Decimal


class Rows:
    """Adds rows of one kind that the officer of `call` can see."""

    def __init__(self, call, officer):
        self.call, self.officer, self.count = call, officer, 0

    def application(self):
        self.count += 1
        application = ApplicationFactory(call=self.call, state="active")  # officers see submitted ones only
        partner = PartnerFactory(application=application, company=CompanyFactory())
        DecisionFactory(application=application, decided_by=self.officer)
        return application, partner

    def organisations(self, n):
        OrganisationFactory.create_batch(n)

    def calls(self, n):
        FundingCallFactory.create_batch(n, regional_body=self.call.regional_body)

    def applications(self, n):
        for _ in range(n):
            self.application()

    partners = applications

    def time_reports(self, n):
        _application, partner = self.application()
        claim = Claim.objects.create(application=partner.application, number=1, period_start=date(2026, 1, 1),
                                     period_end=date(2026, 6, 30), created_by=self.officer)
        TimeReport.objects.bulk_create(
            TimeReport(partner=partner, person_name=f"Person {i}", month=date(2026, 1, 1), hours=D("1.00"),
                       hourly_rate=D("800.00"), description="Arbete", reported_by=self.officer,
                       attested_by=self.officer, attested_at=timezone.now(), claim=claim if i % 2 else None)
            for i in range(n))

    def cash_contributions(self, n):
        application, _partner = self.application()
        CashContribution.objects.bulk_create(
            CashContribution(application=application, amount=D("100.00"), paid_on=date(2026, 1, 1),
                             voucher_reference=f"V{self.count}-{i}", reported_by=self.officer) for i in range(n))

    def claims(self, n):
        for _ in range(n):
            application, partner = self.application()
            claim = Claim.objects.create(application=application, number=1, period_start=date(2026, 1, 1),
                                         period_end=date(2026, 6, 30), created_by=self.officer,
                                         verified_by=self.officer, paid_by=self.officer)
            TimeReport.objects.create(partner=partner, person_name="Anna", month=date(2026, 1, 1), hours=D("1.00"),
                                      hourly_rate=D("800.00"), description="Arbete", reported_by=self.officer,
                                      claim=claim)
            CashContribution.objects.create(application=application, amount=D("1.00"), paid_on=date(2026, 1, 1),
                                            voucher_reference="V1", reported_by=self.officer, claim=claim)

    def _entry(self, application, corrects=None):
        book = journal.book_for_call(self.call)
        return journal.append(
            book, kind=JournalEntry.Kind.CORRECTION if corrects else JournalEntry.Kind.CASH_CONTRIBUTION,
            by=self.officer, application=application, corrects=corrects,
            legs=[Leg(journal.account(book, Account.Kind.TESTBED_COST, application=application), D("10.00")),
                  Leg(journal.account(book, Account.Kind.PUBLIC_CASH, application=application), D("-10.00"))])

    def entries(self, n):
        application, _partner = self.application()
        first = self._entry(application)
        for _ in range(n - 1):
            self._entry(application, corrects=first)

    def application_balances(self, n):
        for _ in range(n):
            self._entry(self.application()[0])

    def call_balances(self, n):
        for call in FundingCallFactory.create_batch(n, regional_body=self.call.regional_body):
            journal.book_for_call(call)

    def audit_events(self, n):
        application, _partner = self.application()
        AuditEvent.objects.bulk_create(
            AuditEvent(actor=self.officer, actor_name="officer", action="update", object_type="application",
                       object_id=str(application.pk), object_repr=str(application), application=application)
            for _ in range(n))


LISTS = {
    "organisations": "organisations", "calls": "calls", "applications": "applications", "partners": "partners",
    "time_reports": "time-reports", "cash_contributions": "cash-contributions", "claims": "claims",
    "entries": "ledger/entries", "application_balances": "ledger/balances/applications",
    "call_balances": "ledger/balances/calls", "audit_events": "audit/events",
}


def _rows(client, path):
    return expect(client.get(url(path) + "?page_size=200"), 200)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(LISTS))
def test_list_costs_the_same_queries_at_10_and_200_rows(api, call, officer, kind, django_assert_num_queries):
    rows, client = Rows(call, officer), api(officer)
    getattr(rows, kind)(10)
    _rows(client, LISTS[kind])  # warm: the token row, the book
    with CaptureQueriesContext(connection) as at_ten:
        small = _rows(client, LISTS[kind])
    getattr(rows, kind)(190)
    with django_assert_num_queries(len(at_ten.captured_queries)):
        large = _rows(client, LISTS[kind])
    assert len(small["results"]) >= 10 and len(large["results"]) >= 200
