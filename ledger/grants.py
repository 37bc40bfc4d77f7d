"""What an application may be granted and paid, read from its plan, its decision and its balances.

The facts the funding rules need (policy, partners, planned budget) and the matching engine's answer
for an application or a claim. Reads only: the services decide and post.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from applications import rules
from applications.models import Application, Decision, FundingCall
from core.display import hours as show_hours
from core.money import ZERO, round_ore

from . import matching
from .models import Claim, JournalEntry, ReviewStatus, TimeReport
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


def _payout(application, decision, *, extra_cash=ZERO, extra_inkind=ZERO, final=False) -> matching.Payout:
    balances = application_balances(application)
    return matching.payout(
        verified_cash=balances.verified_cash + extra_cash, verified_inkind=balances.verified_inkind + extra_inkind,
        granted=decision.granted_amount if decision else ZERO, already_paid=balances.net_paid,
        fund_ratio=decision.fund_ratio if decision else application.call.fund_ratio,
        inkind_ratio=decision.inkind_ratio if decision else application.call.inkind_ratio,
        advance=balances.advanced, final=final,
    )


def payout(application, *, final: bool = False) -> matching.Payout:
    """What the matching engine allows now, from posted (verified) amounts (rules M7, T6).

    `final`: the project ends (final claim, closing, termination), so an advance that verified
    costs do not cover is recovered too.
    """
    return _payout(application, latest_decision(application), final=final)


def preview_payout(claim) -> matching.Payout:
    """What paying this claim would pay, as if its currently accepted items were posted."""
    posted = claim.journal_entries.filter(kind__in=[JournalEntry.Kind.CASH_CONTRIBUTION,
                                                    JournalEntry.Kind.INKIND_CONTRIBUTION]).exists()
    extra_cash = extra_inkind = ZERO
    if not posted:
        # rule V1: only the eligible part of an accepted item counts.
        extra_cash = sum((c.eligible_value for c in claim.cash_contributions.filter(review_status=ReviewStatus.ACCEPTED)),
                         ZERO)
        extra_inkind = sum((r.eligible_value for r in claim.time_reports.filter(review_status=ReviewStatus.ACCEPTED)),
                           ZERO)
    return _payout(claim.application, latest_decision(claim.application),
                   extra_cash=extra_cash, extra_inkind=extra_inkind, final=claim.is_final)


@dataclass(frozen=True)
class AdvancePosition:
    """How far an advance is offset (rule T6): the part verified costs now cover, and the rest, which
    later payments absorb first and which is recovered if the project ends without covering it."""

    advanced: Decimal
    covered: Decimal
    uncovered: Decimal


def advance_position(application) -> AdvancePosition:
    """The advance of `application` against its posted (verified) figures."""
    balances = application_balances(application)
    if balances.advanced <= ZERO:
        return AdvancePosition(ZERO, ZERO, ZERO)
    payable = payout(application).cumulative_payable
    uncovered = min(balances.advanced, max(ZERO, balances.net_paid - payable))
    return AdvancePosition(advanced=balances.advanced, covered=balances.advanced - uncovered, uncovered=uncovered)


@dataclass(frozen=True)
class ClaimTotals:
    """A claim's figures as every channel shows them (page, API, statement), labelled (rules V1, V2, V3)."""

    claimed: Decimal     # everything in the claim, as reported
    accepted: Decimal    # the eligible part of accepted items (what counts as verified)
    rejected: Decimal    # items rejected in full
    deducted: Decimal    # the part of accepted items found ineligible
    parked: Decimal      # items carried to the next claim
    pending: Decimal     # not yet decided
    payable: Decimal | None  # what the claim pays (fixed at verification and payment)
    recovery: Decimal | None
    items: int
    checked: int         # items marked as checked on the spot or in a sample (rule V3)


def claim_items(claim: Claim) -> list:
    """The claim's items, with the ones parked out of it (rule V2) shown where they were parked.

    Uses the claim's prefetched relations when the caller prefetched them (the API's lists).
    """
    return [*claim.time_reports.all(), *(i for i in claim.parked_timereport.all() if i.claim_id != claim.pk),
            *claim.cash_contributions.all(),
            *(i for i in claim.parked_cashcontribution.all() if i.claim_id != claim.pk)]


def _status_in(item, claim: Claim) -> str:
    """An item parked out of this claim counts as parked here whatever it became later."""
    if item.claim_id != claim.pk:
        return ReviewStatus.PARKED
    return item.review_status


def claim_totals(claim: Claim, items: list | None = None) -> ClaimTotals:
    items = claim_items(claim) if items is None else items
    totals = dict.fromkeys(["claimed", "accepted", "rejected", "deducted", "parked", "pending"], ZERO)
    for item in items:
        status = _status_in(item, claim)
        totals["claimed"] += item.claimed_value
        if status == ReviewStatus.ACCEPTED:
            totals["accepted"] += item.eligible_value
            totals["deducted"] += item.deduction
        elif status == ReviewStatus.REJECTED:
            totals["rejected"] += item.claimed_value
        elif status == ReviewStatus.PARKED:
            totals["parked"] += item.claimed_value
        else:
            totals["pending"] += item.claimed_value
    return ClaimTotals(**{k: round_ore(v) for k, v in totals.items()}, payable=claim.payable_amount,
                       recovery=claim.recovery_amount, items=len(items),
                       checked=sum(1 for i in items if i.sampled))


def annual_hours_limit(year: int, start: date, end: date) -> Decimal:
    """Hours behind the rate in `year` for the project's months in it (rules V5, T1, T2): 1 720 pro rata."""
    months = sum(1 for m in range(1, 13) if date(year, m, 1) >= start.replace(day=1) and date(year, m, 1) <= end)
    return round_ore(rules.HOURS_PER_YEAR * months / 12)


def claim_warnings(claim: Claim, *, annual_only: bool = False) -> dict:
    """{(kind, item id): [warning, …]} for accepted hours above plan or annual hours (rule V5).

    Counts the hours already verified in earlier claims plus the eligible hours accepted in this one.
    `annual_only`: just the annual-hours warnings, which the officer must deduct or explain (rule V5).
    """
    application = claim.application
    reports = [r for r in claim.time_reports.select_related("partner__company")
               if r.review_status == ReviewStatus.ACCEPTED]
    earlier = TimeReport.objects.filter(partner__application=application, review_status=ReviewStatus.ACCEPTED,
                                        claim__isnull=False).exclude(claim=claim)
    # Hours verified earlier (the eligible part, rule V1), per partner and per person and year.
    by_partner, by_person = {}, {}
    for r in earlier:
        by_partner[r.partner_id] = by_partner.get(r.partner_id, ZERO) + r.verified_hours
        key = (r.partner_id, r.person_name.lower(), r.month.year)
        by_person[key] = by_person.get(key, ZERO) + r.verified_hours
    warnings: dict = {}
    for r in reports:
        by_partner[r.partner_id] = by_partner.get(r.partner_id, ZERO) + r.verified_hours
        key = (r.partner_id, r.person_name.lower(), r.month.year)
        by_person[key] = by_person.get(key, ZERO) + r.verified_hours
    for r in reports:
        found = []
        planned = r.partner.planned_hours
        if by_partner[r.partner_id] > planned and not annual_only:
            found.append(_("%(company)s would have %(verified)s verified against %(planned)s planned.")
                         % {"company": r.partner.company.name, "verified": show_hours(by_partner[r.partner_id]),
                            "planned": show_hours(planned)})
        limit = annual_hours_limit(r.month.year, application.start_date, application.end_date)
        total = by_person[(r.partner_id, r.person_name.lower(), r.month.year)]
        if total > limit:
            found.append(_("%(person)s would have %(total)s in %(year)s; the annual hours behind the rate are "
                           "%(limit)s (1 720 pro rata, rule V5).")
                         % {"person": r.person_name, "total": show_hours(total), "year": r.month.year,
                            "limit": show_hours(limit)})
        if found:
            warnings[("time", r.pk)] = found
    return warnings
