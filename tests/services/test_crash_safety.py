"""A failure half-way leaves nothing behind: no partial entry, no state change (runs on both engines)."""
from decimal import Decimal

import pytest

from applications.models import Application, AuditEvent, Decision
from ledger import journal, rows
from ledger.journal import Leg
from ledger.models import Account, Book, JournalEntry, Posting
from services import claims as claim_services
from services import contributions, effects, lifecycle


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_crash_after_first_leg_leaves_no_partial_entry(call, officer, monkeypatch):
    book = journal.book_for_call(call, by=officer)
    before = (JournalEntry.objects.count(), Posting.objects.count(), Book.objects.get().head_hash)
    real_insert = rows.insert

    def first_leg_then_crash(objs, **kwargs):
        if objs and isinstance(objs[0], Posting):
            real_insert(objs[:1], **kwargs)
            raise Crash("power cut after the first leg")
        real_insert(objs, **kwargs)

    monkeypatch.setattr(rows, "insert", first_leg_then_crash)
    budget = journal.account(book, Account.Kind.FUND_BUDGET)
    source = journal.account(book, Account.Kind.FUND_SOURCE)
    with pytest.raises(Crash):
        journal.append(book, kind="correction", by=officer, legs=[Leg(budget, Decimal("1")), Leg(source, Decimal("-1"))])
    assert (JournalEntry.objects.count(), Posting.objects.count(), Book.objects.get().head_hash) == before


@pytest.mark.django_db
def test_crash_in_approval_side_effects_leaves_no_state_change(draft, applicant, officer, monkeypatch):
    lifecycle.transition(draft, "submit", by=applicant)
    lifecycle.transition(draft, "start_review", by=officer)
    entries = JournalEntry.objects.count()

    def crash(*args, **kwargs):
        raise Crash("crash while chaining the transition")

    # The decision and the commitment are written before the transition is chained.
    monkeypatch.setattr(journal, "record_transition", crash)
    with pytest.raises(Crash):
        lifecycle.approve(draft, by=officer, granted="400000.00", rationale="Ok.")
    assert Application.objects.get(pk=draft.pk).state == Application.State.UNDER_REVIEW
    assert not Decision.objects.exists()
    assert JournalEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(to_state="approved").exists()


@pytest.mark.django_db
def test_crash_while_paying_leaves_the_claim_verified(active, applicant, officer, second_officer, company_rep,
                                                      monkeypatch):
    from ledger.models import Claim

    partner = active.partners.get()
    report = contributions.report_time(partner, by=company_rep, person_name="A", month=active.start_date.replace(day=1),
                                  hours="10", hourly_rate="800", description="x")
    contributions.attest_time_report(report, by=company_rep)
    contributions.report_cash(active, by=applicant, amount="8000", paid_on=active.start_date, voucher_reference="C1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)
    claim_services.submit_claim(claim, by=applicant)
    for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim_services.verify_claim(claim, by=officer)
    monkeypatch.setattr(effects, "log_event", lambda **kw: (_ for _ in ()).throw(Crash("crash")))
    with pytest.raises(Crash):
        claim_services.pay_claim(claim, by=second_officer)
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.VERIFIED
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).exists()
