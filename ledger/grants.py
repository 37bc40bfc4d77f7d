"""What an application may be granted and paid, read from its plan, its decision and its balances.

The facts the funding rules need (policy, partners, planned budget) and the matching engine's answer
for an application or a claim. Reads only: the services decide and post.
"""
from datetime import date

from django.utils import timezone

from applications import rules
from applications.models import Application, Decision, FundingCall
from core.money import ZERO

from . import matching
from .models import JournalEntry, ReviewStatus
from .selectors import application_balances


def call_policy(call: FundingCall, *, today: date | None = None) -> rules.CallPolicy:
    today = today or timezone.localdate()
    return rules.CallPolicy(
        fund_ratio=call.fund_ratio, inkind_ratio=call.inkind_ratio, max_hourly_rate=call.max_hourly_rate,
        max_grant=call.max_grant, eligible_from=call.eligible_from, eligible_until=call.eligible_until,
        is_open=call.state == FundingCall.State.OPEN and call.opens_on <= today <= call.closes_on,
    )


def partner_facts(application: Application) -> list[rules.PartnerFacts]:
    return [
        rules.PartnerFacts(name=p.company.name, is_company=p.company.is_company, hours=p.planned_hours,
                           hourly_rate=p.hourly_rate, company_id=p.company_id)
        for p in application.partners.select_related("company")
    ]


def planned_budget(application: Application) -> matching.PlannedBudget:
    return matching.plan(
        application.public_cash, [(p.planned_hours, p.hourly_rate) for p in application.partners.all()],
        fund_ratio=application.call.fund_ratio, inkind_ratio=application.call.inkind_ratio,
    )


def plan_from_facts(public_cash, partners: list[rules.PartnerFacts], policy: rules.CallPolicy):
    """The planned budget of company partners only (rule M2: only companies contribute hours)."""
    return matching.plan(public_cash, [(p.hours, p.hourly_rate) for p in partners if p.is_company],
                         fund_ratio=policy.fund_ratio, inkind_ratio=policy.inkind_ratio)


def submission_problems(application: Application) -> list[str]:
    policy = call_policy(application.call)
    partners = partner_facts(application)
    return rules.submission_problems(
        applicant_is_public=application.applicant.is_public, public_cash=application.public_cash,
        partners=partners, start_date=application.start_date, end_date=application.end_date,
        policy=policy, budget=plan_from_facts(application.public_cash, partners, policy),
    )


def latest_decision(application) -> Decision | None:
    return application.decisions.order_by("-decided_at", "-id").first()


def _payout(application, decision, *, extra_cash=ZERO, extra_inkind=ZERO) -> matching.Payout:
    balances = application_balances(application)
    return matching.payout(
        verified_cash=balances.verified_cash + extra_cash, verified_inkind=balances.verified_inkind + extra_inkind,
        granted=decision.granted_amount if decision else ZERO, already_paid=balances.net_paid,
        fund_ratio=decision.fund_ratio if decision else application.call.fund_ratio,
        inkind_ratio=decision.inkind_ratio if decision else application.call.inkind_ratio,
    )


def payout(application) -> matching.Payout:
    """What the matching engine allows now, from posted (verified) amounts (rule M7)."""
    return _payout(application, latest_decision(application))


def preview_payout(claim) -> matching.Payout:
    """What paying this claim would pay, as if its currently accepted items were posted."""
    posted = claim.journal_entries.filter(kind__in=[JournalEntry.Kind.CASH_CONTRIBUTION,
                                                    JournalEntry.Kind.INKIND_CONTRIBUTION]).exists()
    extra_cash = extra_inkind = ZERO
    if not posted:
        extra_cash = sum((c.amount for c in claim.cash_contributions.filter(review_status=ReviewStatus.ACCEPTED)),
                         ZERO)
        extra_inkind = sum((r.value for r in claim.time_reports.filter(review_status=ReviewStatus.ACCEPTED)), ZERO)
    return _payout(claim.application, latest_decision(claim.application),
                   extra_cash=extra_cash, extra_inkind=extra_inkind)
