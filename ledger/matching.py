"""Matching engine (rules M3, M4, M7, M8): pure functions over Decimal, no database.

The web form's live check, submission rules, claims, payments and reports all call
these two functions, so every screen shows the same figures as the ledger posts.
Arithmetic runs exactly in a wide local decimal context; each money output is rounded
to öre (half-up, `money.round_ore`) once, at the end (rule M8).
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from core.money import ZERO, parse_decimal, round_ore

# Wide enough that sums and products of any realistic amounts are exact. The one division
# (Kv / k) is a ratio of short decimals: it either terminates within these digits or lies
# far from any half-öre boundary, so rounding it to öre gives the exact answer.
_PRECISION = 100


@dataclass(frozen=True)
class PlannedBudget:
    """The application's plan as the rules see it (M3, M4)."""

    inkind_value: Decimal
    public_cash: Decimal
    requested_fund: Decimal
    required_inkind: Decimal
    inkind_ok: bool


@dataclass(frozen=True)
class Payout:
    """What a claim pays now, or recovers, given everything verified so far (M7, E7)."""

    matched_cash: Decimal
    cumulative_payable: Decimal
    already_paid: Decimal
    payment: Decimal
    recovery: Decimal


def _ratio(value, name: str) -> Decimal:
    ratio = parse_decimal(value)
    if ratio <= 0:
        raise ValueError(f"The {name} must be more than zero, not {ratio}.")
    return ratio


def _amount(value, name: str) -> Decimal:
    amount = parse_decimal(value)
    if amount < 0:
        raise ValueError(f"The {name} cannot be negative ({amount}).")
    return amount


def plan(public_cash, partners: Iterable[tuple], *, fund_ratio, inkind_ratio) -> PlannedBudget:
    """Planned in-kind value K, requested fund F and whether K covers k × C (rules M3, M4).

    `partners` are (hours, hourly_rate) pairs. Negative figures are computed, not refused:
    the live form check shows them, and `applications.rules` says in words what is wrong.
    """
    f, k = _ratio(fund_ratio, "fund ratio"), _ratio(inkind_ratio, "in-kind ratio")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        cash = parse_decimal(public_cash)
        # rule M4: K = Σ hours × rate, summed exactly and rounded once, not per partner (rule M8).
        exact_inkind = sum((parse_decimal(hours) * parse_decimal(rate) for hours, rate in partners), Decimal(0))
        required = k * cash
        return PlannedBudget(
            inkind_value=round_ore(exact_inkind),
            public_cash=round_ore(cash),
            requested_fund=round_ore(f * cash),  # rule M3
            required_inkind=round_ore(required),
            inkind_ok=exact_inkind >= required,  # rule M4: the exact product, not its rounding
        )


def payout(*, verified_cash, verified_inkind, granted, already_paid, fund_ratio, inkind_ratio,
           advance=ZERO, final=False) -> Payout:
    """Cumulative payable P = min(f × min(Cv, Kv / k), G); pay P − paid, or recover paid − P (rules M7, E7).

    Works on cumulative verified totals, so a correction that lowers them simply turns the
    next difference negative: that excess is a recovery, never a negative payment.

    `already_paid` includes any advance (rule T6), so the advance is offset against the following
    payments: a claim pays only what P exceeds everything paid so far. While the project runs, the
    advance itself is not recovered (paid may exceed P by at most the advance); when it ends
    (`final`: the final claim, closing or termination) whatever P does not cover is recovered.
    """
    cv, kv = _amount(verified_cash, "verified cash"), _amount(verified_inkind, "verified in-kind value")
    g, f, k = _amount(granted, "granted amount"), _ratio(fund_ratio, "fund ratio"), _ratio(inkind_ratio, "in-kind ratio")
    given_paid = _amount(already_paid, "amount already paid")
    a = _amount(advance, "advance")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        paid = round_ore(given_paid)  # what was paid was posted, so it is whole öre already
        if paid != given_paid:
            raise ValueError(f"The amount already paid must be in whole öre, not {given_paid}.")
        matched = min(cv, kv / k)  # rule M7: cash counts only as far as in-kind time matches it
        payable = round_ore(min(f * matched, g))  # rule M7, rounded once (rule M8)
        delta = payable - paid
        # rule T6: while the project runs, paid may stand above P by the advance; at the end it may not.
        floor = payable if final else max(payable, min(round_ore(a), paid))
        excess = paid - floor
        return Payout(
            matched_cash=round_ore(matched),
            cumulative_payable=payable,
            already_paid=paid,
            payment=delta if delta > 0 else ZERO,
            recovery=excess if excess > 0 else ZERO,  # rule E7
        )


@dataclass(frozen=True)
class CommitmentMove:
    """What approving an amendment does to the commitment (rules A2, A3)."""

    difference: Decimal       # added to the application's commitment (negative: released to the call)
    lacks_budget: bool        # an increase larger than what the call has left (A2)
    below_paid: bool          # the new grant is less than what is already paid (A3)

    @property
    def allowed(self) -> bool:
        return not (self.lacks_budget or self.below_paid)


def commitment_move(*, granted_now, granted_new, net_paid, call_uncommitted) -> CommitmentMove:
    """The commitment moves by the difference between the grants; an increase needs the call's budget,
    and the new grant may not go below what is paid, so an allowed move never leaves a negative
    commitment on the application nor on the call."""
    now, new = _amount(granted_now, "current grant"), _amount(granted_new, "new grant")
    paid, left = _amount(net_paid, "amount paid"), _amount(call_uncommitted, "call's uncommitted budget")
    difference = new - now
    return CommitmentMove(difference=difference, lacks_budget=difference > left, below_paid=new < paid)
