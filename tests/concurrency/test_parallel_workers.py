"""Real parallel workers, each with its own database connection, against PostgreSQL (issue: production DB).

Each worker is a thread; Django gives every thread its own connection, so the
database sees N concurrent sessions. The tests commit for real (transactional_db).
"""
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from applications.models import Application, FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger.models import Claim, JournalEntry
from ledger.selectors import call_uncommitted
from services import claims as claim_services
from services import contributions, lifecycle
from tests.conftest import move
from tests.factories import ApplicationFactory, CompanyFactory, PartnerFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def run_parallel(functions):
    """Start all functions at the same instant; return (results, errors) in order."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted by the test
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def under_review(call, municipality, applicant, officer, n):
    apps = []
    for _ in range(n):
        app = ApplicationFactory(call=call, applicant=municipality)
        PartnerFactory(application=app, company=CompanyFactory())
        apps.append(move(app, "submit", "start_review", by_applicant=applicant, by_officer=officer))
    return apps


def test_concurrent_approvals_never_overcommit_the_budget(call, municipality, applicant, region):
    # N = 8 officers approve 8 applications of 400 000 at once against a budget of 1 000 000.
    assert connection.vendor == "postgresql"
    FundingCall.objects.filter(pk=call.pk).update(fund_budget=D("1000000.00"))
    officers = [member("officer", region) for _ in range(8)]
    apps = under_review(call, municipality, applicant, officers[0], 8)
    results, errors = run_parallel([
        (lambda a=a, o=o: lifecycle.approve(a, by=o, granted="400000.00", rationale="Ok."))
        for a, o in zip(apps, officers, strict=True)
    ])
    winners = [r for r in results if r is not None]
    assert len(winners) == 2
    assert all(isinstance(e, RuleViolation) and "budget is insufficient" in str(e) for e in errors if e)
    assert call_uncommitted(call) == D("200000.00")
    assert Application.objects.filter(state="approved").count() == 2
    assert Application.objects.filter(state="under_review").count() == 6
    call_command("verify_ledger")


def test_contribution_storm_keeps_the_chain_gapless(active, applicant, officer, company):
    # N = 12 workers each post a cash and an in-kind contribution into one book at the same time.
    reps = [member("company", company) for _ in range(12)]
    partner = active.partners.get()
    month = active.start_date.replace(day=1)

    def contribute(i):
        report = contributions.report_time(partner, by=reps[i], person_name=f"Person {i}", month=month, hours="10",
                                      hourly_rate="800", description="Storm")
        contributions.attest_time_report(report, by=reps[i])
        contributions.report_cash(active, by=applicant, amount="1000", paid_on=active.start_date, voucher_reference=f"S{i}")
        return report

    results, errors = run_parallel([lambda i=i: contribute(i) for i in range(12)])
    assert errors == [None] * 12
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)
    claim_services.submit_claim(claim, by=applicant)
    items = list(claim.time_reports.all()) + list(claim.cash_contributions.all())
    assert len(items) == 24

    def review(item):
        return claim_services.review_item(claim, item, by=officer, accept=True)

    _, errors = run_parallel([lambda it=it: review(it) for it in items])
    assert errors == [None] * 24
    claim_services.verify_claim(claim, by=officer)
    seqs = list(JournalEntry.objects.filter(book__call=active.call).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    call_command("verify_ledger")


def test_same_claim_paid_twice_at_once_pays_once(active, applicant, officer, second_officer, company_rep):
    partner = active.partners.get()
    report = contributions.report_time(partner, by=company_rep, person_name="A", month=active.start_date.replace(day=1),
                                  hours="100", hourly_rate="800", description="x")
    contributions.attest_time_report(report, by=company_rep)
    contributions.report_cash(active, by=applicant, amount="100000", paid_on=active.start_date, voucher_reference="P1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)
    claim_services.submit_claim(claim, by=applicant)
    for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim_services.verify_claim(claim, by=officer)
    results, errors = run_parallel([lambda: claim_services.pay_claim(claim, by=second_officer)] * 2)
    assert sum(r is not None for r in results) == 1
    assert [type(e) for e in errors if e] == [TransitionConflict]
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.PAID


def test_same_application_transitioned_by_two_users_at_once(draft, applicant, officer, second_officer):
    move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    results, errors = run_parallel([
        lambda: lifecycle.approve(draft, by=officer, granted="400000.00", rationale="Ja."),
        lambda: lifecycle.transition(draft, "reject", by=second_officer, comment="Nej."),
    ])
    assert sum(r is not None for r in results) == 1
    loser = next(e for e in errors if e)
    assert isinstance(loser, TransitionConflict) and "someone may have acted" in str(loser)
    final = Application.objects.get(pk=draft.pk)
    assert final.state in {"approved", "rejected"}
    assert final.decisions.count() == (1 if final.state == "approved" else 0)
    assert JournalEntry.objects.filter(kind="transition", payload__to__in=["approved", "rejected"]).count() == 1
    assert not isinstance(loser, NotPermitted)
