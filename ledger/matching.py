"""Matching engine (rules M3, M4, M7, M8): pure functions over Decimal, no database."""
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .money import ZERO, parse_decimal, round_ore


@dataclass(frozen=True)
class PlannedBudget:
    inkind_value: Decimal
    public_cash: Decimal
    requested_fund: Decimal
    required_inkind: Decimal
    inkind_ok: bool


@dataclass(frozen=True)
class Payout:
    matched_cash: Decimal
    cumulative_payable: Decimal
    already_paid: Decimal
    payment: Decimal
    recovery: Decimal


def plan(public_cash, partners, *, fund_ratio, inkind_ratio) -> PlannedBudget:
    with localcontext() as ctx:
        ctx.prec = 50
        cash = parse_decimal(public_cash)
        f, k = parse_decimal(fund_ratio), parse_decimal(inkind_ratio)
        exact_k = sum((parse_decimal(h) * parse_decimal(r) for h, r in partners), Decimal(0))
        required = k * cash
        return PlannedBudget(inkind_value=round_ore(exact_k), public_cash=round_ore(cash),
                             requested_fund=round_ore(f * cash), required_inkind=round_ore(required),
                             inkind_ok=exact_k >= required)


def payout(*, verified_cash, verified_inkind, granted, already_paid, fund_ratio, inkind_ratio) -> Payout:
    with localcontext() as ctx:
        ctx.prec = 50
        cv, kv = parse_decimal(verified_cash), parse_decimal(verified_inkind)
        g, paid = parse_decimal(granted), parse_decimal(already_paid)
        f, k = parse_decimal(fund_ratio), parse_decimal(inkind_ratio)
        if f <= 0 or k <= 0:
            raise ValueError("Ratios must be positive.")
        matched = min(cv, kv / k)
        payable = round_ore(min(f * matched, g))
        delta = payable - paid
        return Payout(matched_cash=round_ore(matched), cumulative_payable=payable, already_paid=round_ore(paid),
                      payment=delta if delta > 0 else ZERO, recovery=-delta if delta < 0 else ZERO)
