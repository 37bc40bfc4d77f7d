"""Property tests of the ledger through the real services: whatever the sequence of contributions,
claims and corrections, the books balance, the chain verifies and payments respect the matching rule."""
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.integrity import verify_book
from ledger.models import Book, JournalEntry, Posting
from ledger.selectors import application_balances, call_uncommitted
from services import claims as claim_services
from services import contributions, corrections

D = Decimal

cash_amounts = st.decimals(min_value=D("0.01"), max_value=D("150000"), places=2)
hour_counts = st.decimals(min_value=D("0.25"), max_value=D("150"), places=2)
rounds = st.lists(st.tuples(st.lists(cash_amounts, max_size=3), st.lists(hour_counts, max_size=3),
                            st.booleans()), min_size=1, max_size=3)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=rounds)
def test_any_history_balances_verifies_and_respects_matching(plan, active, applicant, officer, second_officer,
                                                              company_rep):
    try:
        with transaction.atomic():
            _play(plan, active, applicant, officer, second_officer, company_rep)
            raise Rollback
    except Rollback:
        pass


def _play(plan, application, applicant, officer, payer, rep):
    partner = application.partners.get()
    decision = application.decisions.get()
    month = application.start_date.replace(day=1)
    voucher = 0
    for person, (cash_items, hour_items, correct) in enumerate(plan):
        for amount in cash_items:
            voucher += 1
            contributions.report_cash(application, by=applicant, amount=amount, paid_on=application.start_date,
                                 voucher_reference=f"P{voucher}")
        for index, hours in enumerate(hour_items):
            # One report per person keeps each person under the monthly hours cap, which has its own tests.
            report = contributions.report_time(partner, by=rep, person_name=f"Person {person}-{index}", month=month,
                                          hours=hours, hourly_rate=partner.hourly_rate, description="x")
            contributions.attest_time_report(report, by=rep)
        if not cash_items and not hour_items:
            continue
        claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                      period_end=application.end_date)
        claim_services.submit_claim(claim, by=applicant)
        for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
            # rule V5: hours above the pro-rata annual hours are accepted only with an explanation
            claim_services.review_item(claim, item, by=officer, accept=True, reason="Timmarna är styrkta.")
        claim_services.verify_claim(claim, by=officer)
        claim_services.pay_claim(claim, by=payer)
        if correct and cash_items:
            entry = claim.journal_entries.filter(kind=JournalEntry.Kind.CASH_CONTRIBUTION).first()
            corrections.record_correction(entry, by=officer, amount=cash_items[0], reason="Ej stödberättigande.")

        balances = application_balances(application)
        book = Book.objects.get(call=application.call)
        # Double entry: every book sums to zero, and so does every entry.
        assert Posting.objects.filter(entry__book=book).aggregate(s=Sum("amount"))["s"] == 0
        # Rule M7: cumulative net payment never exceeds the grant nor f × the matched cash.
        f, k = decision.fund_ratio, decision.inkind_ratio
        assert D("0") <= balances.net_paid <= decision.granted_amount
        assert balances.net_paid <= f * min(balances.verified_cash, balances.verified_inkind / k) + D("0.005")
        # The commitment is what remains of the grant; the call budget never goes below zero.
        assert balances.committed == decision.granted_amount - balances.net_paid
        assert call_uncommitted(application.call) >= 0
        assert verify_book(book).ok


@pytest.mark.django_db
@pytest.mark.parametrize("entries", [10, 1000])
def test_balance_queries_do_not_grow_with_entries(entries, active, applicant, officer, django_assert_num_queries):
    from ledger import journal
    from ledger.journal import Leg
    from ledger.models import Account
    from ledger.selectors import call_balances

    book = journal.book_for_call(active.call)
    cost = journal.account(book, Account.Kind.TESTBED_COST, application=active)
    cash = journal.account(book, Account.Kind.PUBLIC_CASH, application=active)
    for _ in range(entries):
        journal.append(book, kind=JournalEntry.Kind.CASH_CONTRIBUTION, by=officer, application=active,
                       legs=[Leg(cost, D("1.00")), Leg(cash, D("-1.00"))])
    with django_assert_num_queries(1):
        balances = application_balances(active)
    assert balances.verified_cash == D(entries)
    with django_assert_num_queries(1):
        call_balances(active.call)
