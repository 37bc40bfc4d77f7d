"""Pure checks of the funding rules: given plain values, which rules fail and why.

No ORM here, so the checks are easy to property-test and the UI's live matching
check, the API and the services all ask the same questions. Each function returns
a list of readable sentences (empty when all is well); the caller raises.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.display import sek
from core.money import round_ore


@dataclass(frozen=True)
class CallPolicy:
    fund_ratio: Decimal
    inkind_ratio: Decimal
    max_hourly_rate: Decimal
    max_grant: Decimal
    eligible_from: date
    eligible_until: date
    is_open: bool


@dataclass(frozen=True)
class PartnerFacts:
    name: str
    is_company: bool
    hours: Decimal
    hourly_rate: Decimal


def submission_problems(
    *,
    applicant_is_public: bool,
    public_cash: Decimal,
    partners: list[PartnerFacts],
    start_date: date,
    end_date: date,
    policy: CallPolicy,
    budget,
) -> list[str]:
    """Everything that stops an application from being submitted (M1, M3, M4, M5, call dates).

    `budget` is the matching engine's plan of these figures (ledger.matching.PlannedBudget: inkind_ok,
    inkind_value, required_inkind, requested_fund), computed by the caller so this module stays pure.
    """
    problems = []
    if not policy.is_open:
        problems.append(_("The call is not open for applications."))
    if not applicant_is_public:
        problems.append(_("The applicant must be a public actor (municipality, region, public company or public housing company)."))  # rule M1
    if not any(p.is_company for p in partners):
        problems.append(_("At least one partner must be a company."))  # rule M1
    for partner in partners:
        if not partner.is_company:
            problems.append(_("%(name)s is not a company; only companies contribute in-kind hours.") % {"name": partner.name})  # rule M2
        if partner.hourly_rate > policy.max_hourly_rate:
            problems.append(  # rule M5
                _("The hourly rate of %(name)s (%(rate)s) is above the call's cap of %(cap)s.")
                % {"name": partner.name, "rate": sek(partner.hourly_rate), "cap": sek(policy.max_hourly_rate)}
            )
    if public_cash <= 0:
        problems.append(_("The planned public cash must be more than zero."))
    if not budget.inkind_ok:
        problems.append(  # rule M4
            _("The in-kind value %(inkind)s is less than the required %(required)s (in-kind ratio %(ratio)s × public cash).")
            % {"inkind": sek(budget.inkind_value), "required": sek(budget.required_inkind), "ratio": policy.inkind_ratio.normalize()}
        )
    if budget.requested_fund > policy.max_grant:
        problems.append(  # rule M3, M6
            _("The requested fund amount %(fund)s is above the call's maximum of %(max)s per application.")
            % {"fund": sek(budget.requested_fund), "max": sek(policy.max_grant)}
        )
    if start_date < policy.eligible_from or end_date > policy.eligible_until:
        problems.append(
            _("The project dates must lie inside the call's eligibility period, %(start)s to %(end)s.")
            % {"start": policy.eligible_from.isoformat(), "end": policy.eligible_until.isoformat()}
        )
    if end_date <= start_date:
        problems.append(_("The end date must be after the start date."))
    return problems


def approval_problems(*, requested_fund: Decimal, granted: Decimal, max_grant: Decimal,
                      remaining_budget: Decimal, rationale: str) -> list[str]:
    """Everything that stops a grant of `granted` (rule M6)."""
    problems = []
    if granted != round_ore(granted):
        problems.append(_("The granted amount must be in whole öre (two decimals)."))
    if granted <= 0:
        problems.append(_("The granted amount must be more than zero."))
    if granted > requested_fund:
        problems.append(_("The granted amount %(granted)s is more than the requested %(requested)s.")
                        % {"granted": sek(granted), "requested": sek(requested_fund)})
    if granted > max_grant:
        problems.append(_("The granted amount %(granted)s is above the call's maximum of %(max)s per application.")
                        % {"granted": sek(granted), "max": sek(max_grant)})
    if granted > remaining_budget:
        problems.append(_("The call's budget is insufficient: %(remaining)s remains, %(granted)s was asked for.")
                        % {"remaining": sek(remaining_budget), "granted": sek(granted)})
    if not (rationale or "").strip():
        problems.append(_("A decision needs a rationale."))
    return problems


HOURS_PER_YEAR = Decimal("1720")  # CPR art. 55(2), rule E3


def hourly_rate_from_salary(monthly_salary: Decimal) -> Decimal:
    """Staff hourly rate = monthly salary × 12 ÷ 1 720 (rules E3, T1): 40 000 → 279.07."""
    return round_ore(Decimal(monthly_salary) * 12 / HOURS_PER_YEAR)


def part_time_hours(share: Decimal, months: int) -> Decimal:
    """Hours behind a fixed part-time share over some months (rule T2): 50 % for six months → 430."""
    return round_ore(HOURS_PER_YEAR * Decimal(share) * Decimal(months) / 12)


def comment_problems(comment: str, *, action: str) -> list[str]:
    if not (comment or "").strip():
        return [_("A comment is required to %(action)s.") % {"action": action}]
    return []
