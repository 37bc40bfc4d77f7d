"""Pure checks of the funding rules: given plain values, which rules fail and why.

No ORM here, so the checks are easy to property-test and the UI's live matching
check, the API and the services all ask the same questions. Each function returns
a list of readable sentences (empty when all is well); the caller raises.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.display import percent, sek
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
    company_id: int | None = None  # to tell the same company named twice from two companies


def draft_problems(*, public_cash: Decimal | None, partners: list[PartnerFacts], start_date: date | None,
                   end_date: date | None) -> dict[str, list[str]]:
    """Every problem that stops the figures from being saved at all, by field, all at once.

    Keys: "public_cash", "end_date", and "partners-<i>-<field>" for the i-th partner row, so the
    form save and the live check (and submission) report the same things in the same words.
    """
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if public_cash is not None and public_cash < 0:
        add("public_cash", _("The public cash cannot be negative."))
    if start_date and end_date and end_date <= start_date:
        add("end_date", _("The end date must be after the start date."))
    seen = set()
    for i, partner in enumerate(partners):
        if partner.hours < 0:
            add(f"partners-{i}-planned_hours", _("Hours cannot be negative."))
        if partner.hourly_rate < 0:
            add(f"partners-{i}-hourly_rate", _("The hourly rate cannot be negative."))
        if partner.company_id is not None:
            if partner.company_id in seen:
                add(f"partners-{i}-company",
                    _("%(name)s is already a partner in this application.") % {"name": partner.name})
            seen.add(partner.company_id)
    return problems


def flat(problems: dict[str, list[str]]) -> list[str]:
    """The messages of a by-field problem dict, each once, in order."""
    out = []
    for messages in problems.values():
        out += [m for m in messages if m not in out]
    return out


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
    problems = flat(draft_problems(public_cash=public_cash, partners=partners, start_date=start_date,
                                   end_date=end_date))
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
    if public_cash == 0:
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


# ---------------------------------------------------------------- setting up a call
MAX_HOURS_IN_A_MONTH = Decimal("744")  # 31 days × 24 hours
REPORTING_PERIOD_MONTHS = (3, 6)  # rule S3
MAX_GRACE_DAYS = 365


def _decimals(value: Decimal) -> int:
    return max(0, -value.as_tuple().exponent)


# Rule T6: the programme's limits of an advance; a call's own limits lie within them.
ADVANCE_CAP = Decimal("400000.00")
ADVANCE_RATIO_CAP = Decimal("0.5")


def call_problems(values: dict) -> dict[str, list[str]]:
    """Every problem of a call's settings, by field (empty when the call may be saved).

    `values` holds every field of the call, already parsed (Decimal, date, int, bool; None when
    missing). The checks mirror the database constraints and add what a person needs explained.
    """
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    required = ("title", "fund_project_reference", "fund_budget", "opens_on", "closes_on", "eligible_from",
                "eligible_until", "fund_ratio", "inkind_ratio", "max_hourly_rate", "max_grant",
                "max_hours_per_person_month", "reporting_period_months", "grace_days", "max_advance",
                "max_advance_ratio")
    for field in required:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            add(field, _("This field is required."))
    v = values.get
    if v("title") and len(v("title")) > 200:
        add("title", _("The title can have at most 200 characters."))
    if v("fund_project_reference") and len(v("fund_project_reference")) > 50:
        add("fund_project_reference", _("The project reference can have at most 50 characters."))
    for field in ("fund_budget", "max_hourly_rate", "max_grant", "four_eyes_threshold"):
        amount = v(field)
        if amount is None:
            continue
        if _decimals(amount) > 2:
            add(field, _("Give the amount in whole öre (at most two decimals)."))
        if amount >= Decimal("1e12"):
            add(field, _("The amount is too large."))
    if v("fund_budget") is not None and v("fund_budget") <= 0:
        add("fund_budget", _("The fund budget must be more than zero."))
    if v("max_hourly_rate") is not None and v("max_hourly_rate") <= 0:
        add("max_hourly_rate", _("The hourly rate cap must be more than zero."))
    if v("max_grant") is not None:
        if v("max_grant") <= 0:
            add("max_grant", _("The maximum grant must be more than zero."))
        elif v("fund_budget") is not None and v("max_grant") > v("fund_budget"):
            add("max_grant", _("The maximum grant per application cannot be more than the fund budget (%(budget)s).")
                % {"budget": sek(v("fund_budget"))})
    # rule T6: a call may set stricter advance limits than the programme's, never looser ones.
    if v("max_advance") is not None:
        if _decimals(v("max_advance")) > 2:
            add("max_advance", _("Give the amount in whole öre (at most two decimals)."))
        if v("max_advance") < 0:
            add("max_advance", _("The maximum advance cannot be negative; 0 means no advances."))
        elif v("max_advance") > ADVANCE_CAP:
            add("max_advance", _("An advance can be at most %(cap)s (rule T6).") % {"cap": sek(ADVANCE_CAP)})
    if v("max_advance_ratio") is not None:
        if _decimals(v("max_advance_ratio")) > 4:
            add("max_advance_ratio", _("Give the ratio with at most four decimals, for example 0.4."))
        if not (0 <= v("max_advance_ratio") <= ADVANCE_RATIO_CAP):
            add("max_advance_ratio", _("An advance can be at most half the grant: give a share from 0 to 0.5 "
                                       "(rule T6)."))
    if v("four_eyes_threshold") is not None and v("four_eyes_threshold") < 0:
        add("four_eyes_threshold", _("The four-eyes threshold cannot be negative; leave it empty for none."))
    for field in ("fund_ratio", "inkind_ratio"):
        ratio = v(field)
        if ratio is not None and _decimals(ratio) > 4:
            add(field, _("Give the ratio with at most four decimals, for example 0.4."))
    if v("fund_ratio") is not None:
        if v("fund_ratio") <= 0:
            add("fund_ratio", _("The fund ratio must be more than zero."))
        elif v("fund_ratio") > 1:  # rule E1
            add("fund_ratio", _("The fund ratio can be at most 1: the fund may not pay more than the public cash it matches."))
    if v("inkind_ratio") is not None:
        if v("inkind_ratio") <= 0:
            add("inkind_ratio", _("The in-kind ratio must be more than zero."))
        elif v("inkind_ratio") > 10:
            add("inkind_ratio", _("The in-kind ratio can be at most 10."))
    hours_cap = v("max_hours_per_person_month")
    if hours_cap is not None:
        if _decimals(hours_cap) > 2:
            add("max_hours_per_person_month", _("Give the hours with at most two decimals."))
        if hours_cap <= 0:
            add("max_hours_per_person_month", _("The maximum hours per person and month must be more than zero."))
        elif hours_cap > MAX_HOURS_IN_A_MONTH:
            add("max_hours_per_person_month", _("A month has at most 744 hours."))
    period = v("reporting_period_months")
    if period is not None and not REPORTING_PERIOD_MONTHS[0] <= period <= REPORTING_PERIOD_MONTHS[1]:
        add("reporting_period_months", _("A reporting period is 3 to 6 months long (rule S3)."))
    grace = v("grace_days")
    if grace is not None and not 0 <= grace <= MAX_GRACE_DAYS:
        add("grace_days", _("The grace period is 0 to 365 days."))
    if v("opens_on") and v("closes_on") and v("closes_on") < v("opens_on"):
        add("closes_on", _("The call cannot close before it opens."))
    if v("eligible_from") and v("eligible_until"):
        if v("eligible_until") <= v("eligible_from"):
            add("eligible_until", _("The eligibility period must end after it starts."))
        elif v("closes_on") and v("closes_on") > v("eligible_until"):
            add("closes_on", _("The call must close before its eligibility period ends."))
    return problems


def matching_rule_in_words(fund_ratio, inkind_ratio) -> str:
    """The call's matching rule (M3, M4) as a sentence for the call form and the call page."""
    return _("The fund pays %(fund)s of the matched public cash; the companies' in-kind time must be worth "
             "at least %(inkind)s of the cash.") % {"fund": percent(fund_ratio), "inkind": percent(inkind_ratio)}
