"""The matching engine (rules M3, M4, M7, M8): the worked example to the öre, then general laws.

Pure functions: no database, no Django. The properties compare against an independent
oracle in exact rational arithmetic (fractions.Fraction) with its own half-up rounding.
"""
from decimal import Decimal, localcontext
from fractions import Fraction
from math import floor

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.matching import Payout, PlannedBudget, payout, plan

D = Decimal
HALF_ORE = D("0.005")

money = st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=D("0.0001"), max_value=D("5"), places=4, allow_nan=False, allow_infinity=False)


def pay(cv, kv, *, granted="400000.00", paid="0.00", f="1.00", k="1.00") -> Payout:
    return payout(verified_cash=D(cv), verified_inkind=D(kv), granted=D(granted), already_paid=D(paid),
                  fund_ratio=D(f), inkind_ratio=D(k))


def exact_payable(cv, kv, g, f, k) -> Decimal:
    """Oracle for rule M7: exact rationals, rounded half-up to öre once at the end (rule M8)."""
    value = min(Fraction(f) * min(Fraction(cv), Fraction(kv) / Fraction(k)), Fraction(g))
    return D(floor(value * 100 + Fraction(1, 2))) / 100


def two_decimals(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


# ---------------------------------------------------------------- the worked example (DESIGN §4)

def test_worked_example_plan():
    # rule M3, M4: 300 h × 800 + 250 h × 700 = 415 000 ≥ 1.00 × 400 000
    budget = plan(D("400000.00"), [(D("300"), D("800")), (D("250"), D("700"))],
                  fund_ratio=D("1.00"), inkind_ratio=D("1.00"))
    assert budget == PlannedBudget(inkind_value=D("415000.00"), public_cash=D("400000.00"),
                                   requested_fund=D("400000.00"), required_inkind=D("400000.00"), inkind_ok=True)


def test_worked_example_claim_1_pays_what_the_inkind_time_matches():
    # rule M7: M = min(200 000, 122 000 / 1.00) = 122 000
    first = pay("200000.00", "122000.00")
    assert first == Payout(matched_cash=D("122000.00"), cumulative_payable=D("122000.00"),
                           already_paid=D("0.00"), payment=D("122000.00"), recovery=D("0.00"))


def test_worked_example_claim_2_pays_the_rest_up_to_the_grant():
    # rule M7: min(1.00 × min(400 000, 415 000), 400 000) − 122 000 = 278 000
    second = pay("400000.00", "415000.00", paid="122000.00")
    assert (second.cumulative_payable, second.payment, second.recovery) == (D("400000.00"), D("278000.00"), D("0"))


def test_worked_example_correction_recovers_the_excess():
    # rule M7, E7: verified cash corrected down to 375 000 after 400 000 was paid
    corrected = pay("375000.00", "415000.00", paid="400000.00")
    assert (corrected.cumulative_payable, corrected.payment, corrected.recovery) == (
        D("375000.00"), D("0.00"), D("25000.00"))


def test_worked_example_claim_1_with_half_inkind_ratio():
    # rule M7: with k = 0.50, 122 000 of time matches 244 000 of cash; all 200 000 counts
    assert pay("200000.00", "122000.00", k="0.50").payment == D("200000.00")


# ---------------------------------------------------------------- plan (rules M3, M4, M8)

def test_plan_rounds_the_inkind_sum_once_not_per_partner():
    # rule M8: 0.005 + 0.005 = 0.01; rounding each first would give 0.02
    budget = plan(D("0"), [(D("0.50"), D("0.01")), (D("0.50"), D("0.01"))], fund_ratio=D("1"), inkind_ratio=D("1"))
    assert budget.inkind_value == D("0.01")


def test_plan_compares_the_exact_required_inkind_not_its_rounding():
    # rule M4: 100.00 rounds to the same öre as 100.004 but is less than it
    budget = plan(D("100.004"), [(D("1"), D("100.00"))], fund_ratio=D("1"), inkind_ratio=D("1"))
    assert budget.inkind_value == budget.required_inkind == D("100.00")
    assert budget.inkind_ok is False


def test_plan_requested_fund_follows_the_fund_ratio():
    # rule M3
    budget = plan(D("333333.33"), [], fund_ratio=D("0.40"), inkind_ratio=D("1"))
    assert budget.requested_fund == D("133333.33")
    assert budget.inkind_ok is False


def test_plan_accepts_no_partners():
    assert plan(D("0"), [], fund_ratio=D("1"), inkind_ratio=D("1")).inkind_ok is True


@pytest.mark.parametrize("ratio", [D("0"), D("-1")])
def test_plan_refuses_a_non_positive_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        plan(D("1"), [], fund_ratio=ratio, inkind_ratio=D("1"))
    with pytest.raises(ValueError, match="ratio"):
        plan(D("1"), [], fund_ratio=D("1"), inkind_ratio=ratio)


def test_plan_refuses_floats():
    # rule M8: a float has already lost the exact value
    with pytest.raises(ValueError, match="floating point"):
        plan(400000.0, [], fund_ratio=D("1"), inkind_ratio=D("1"))


@given(cash=money, partners=st.lists(st.tuples(money, money), max_size=5), f=ratios, k=ratios)
def test_plan_outputs_are_whole_ore_and_inkind_ok_is_exact(cash, partners, f, k):
    # rule M4, M8
    budget = plan(cash, partners, fund_ratio=f, inkind_ratio=k)
    assert all(two_decimals(v) for v in (budget.inkind_value, budget.public_cash, budget.requested_fund,
                                         budget.required_inkind))
    exact_inkind = sum((Fraction(h) * Fraction(r) for h, r in partners), Fraction(0))
    assert budget.inkind_ok == (exact_inkind >= Fraction(k) * Fraction(cash))


# ---------------------------------------------------------------- payout: input validation

@pytest.mark.parametrize("field", ["verified_cash", "verified_inkind", "granted", "already_paid"])
def test_payout_refuses_negative_amounts(field):
    args = dict(verified_cash=D("1"), verified_inkind=D("1"), granted=D("1"), already_paid=D("0"),
                fund_ratio=D("1"), inkind_ratio=D("1"))
    args[field] = D("-0.01")
    with pytest.raises(ValueError, match="cannot be negative"):
        payout(**args)


@pytest.mark.parametrize("field", ["fund_ratio", "inkind_ratio"])
@pytest.mark.parametrize("ratio", [D("0"), D("-0.5")])
def test_payout_refuses_non_positive_ratios(field, ratio):
    args = dict(verified_cash=D("1"), verified_inkind=D("1"), granted=D("1"), already_paid=D("0"),
                fund_ratio=D("1"), inkind_ratio=D("1"))
    args[field] = ratio
    with pytest.raises(ValueError, match="must be more than zero"):
        payout(**args)


def test_payout_refuses_already_paid_in_fractions_of_an_ore():
    with pytest.raises(ValueError, match="whole öre"):
        pay("1", "1", paid="0.001")


def test_payout_refuses_floats():
    with pytest.raises(ValueError, match="floating point"):
        payout(verified_cash=1.0, verified_inkind=D("1"), granted=D("1"), already_paid=D("0"),
               fund_ratio=D("1"), inkind_ratio=D("1"))


def test_payout_rounds_half_up_at_the_end():
    # rule M8: M = 100.01 / 2 = 50.005 exactly, which rounds half-up to 50.01
    result = pay("1000", "100.01", k="2")
    assert (result.matched_cash, result.cumulative_payable) == (D("50.01"), D("50.01"))
    # f × Cv = 0.5 × 0.01 = 0.005: half-up gives 0.01 (bankers' rounding would give 0.00)
    assert pay("0.01", "1", f="0.5").cumulative_payable == D("0.01")


# ---------------------------------------------------------------- payout: properties

@given(cv=money, kv=money, g=money, paid=money, f=ratios, k=ratios)
def test_payout_matches_the_exact_oracle(cv, kv, g, paid, f, k):
    # rule M7, M8
    result = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=paid, fund_ratio=f, inkind_ratio=k)
    assert result.cumulative_payable == exact_payable(cv, kv, g, f, k)


@given(cv=money, kv=money, g=money, paid=money, f=ratios, k=ratios)
def test_paid_after_the_claim_never_exceeds_the_grant(cv, kv, g, paid, f, k):
    # rule M7 (and M6: G is the ceiling)
    result = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=paid, fund_ratio=f, inkind_ratio=k)
    paid_after = paid + result.payment - result.recovery
    assert paid_after == result.cumulative_payable <= g


@given(cv=money, kv=money, g=money, f=ratios, k=ratios)
def test_payable_never_exceeds_fund_ratio_times_verified_cash(cv, kv, g, f, k):
    # rule M7: P ≤ f × Cv, give or take the half öre of the one rounding (rule M8)
    result = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f, inkind_ratio=k)
    with localcontext() as ctx:
        ctx.prec = 100
        assert result.cumulative_payable <= f * cv + HALF_ORE


@given(cv=money, kv=money, g=money, f=ratios, k=ratios)
def test_payable_never_exceeds_what_the_inkind_time_matches(cv, kv, g, f, k):
    # rule M7: P ≤ f × Kv / k (+ half an öre), compared without dividing: k × (P − ½ öre) ≤ f × Kv
    result = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f, inkind_ratio=k)
    with localcontext() as ctx:
        ctx.prec = 100
        assert k * (result.cumulative_payable - HALF_ORE) <= f * kv


@given(cv=money, more=money, kv=money, g=money, f=ratios, k=ratios)
def test_payable_never_falls_when_verified_cash_rises(cv, more, kv, g, f, k):
    # rule M7: monotone non-decreasing in Cv
    low = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f, inkind_ratio=k)
    high = payout(verified_cash=cv + more, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f,
                  inkind_ratio=k)
    assert low.cumulative_payable <= high.cumulative_payable


@given(cv=money, kv=money, more=money, g=money, f=ratios, k=ratios)
def test_payable_never_falls_when_verified_inkind_rises(cv, kv, more, g, f, k):
    # rule M7: monotone non-decreasing in Kv
    low = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f, inkind_ratio=k)
    high = payout(verified_cash=cv, verified_inkind=kv + more, granted=g, already_paid=D("0"), fund_ratio=f,
                  inkind_ratio=k)
    assert low.cumulative_payable <= high.cumulative_payable


@given(cv=money, cut=money, kv=money, g=money, f=ratios, k=ratios)
def test_a_correction_below_what_was_paid_recovers_exactly_the_excess(cv, cut, kv, g, f, k):
    # rule M7, E7: pay in full, then verified cash is corrected down by `cut`
    assume(cut <= cv)
    paid = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=D("0"), fund_ratio=f,
                  inkind_ratio=k).payment
    corrected = payout(verified_cash=cv - cut, verified_inkind=kv, granted=g, already_paid=paid, fund_ratio=f,
                       inkind_ratio=k)
    excess = paid - exact_payable(cv - cut, kv, g, f, k)
    assert corrected.recovery == max(excess, D("0"))
    assert corrected.payment == D("0")


@given(cv=money, kv=money, g=money, paid=money, f=ratios, k=ratios)
def test_payment_and_recovery_are_never_negative_nor_both_positive(cv, kv, g, paid, f, k):
    # rule M7, E7: an overpayment is a recovery, never a negative payment
    result = payout(verified_cash=cv, verified_inkind=kv, granted=g, already_paid=paid, fund_ratio=f, inkind_ratio=k)
    assert result.payment >= 0 and result.recovery >= 0
    assert not (result.payment > 0 and result.recovery > 0)


@given(cv=money, kv=money, g=money, paid=money, f=ratios, k=ratios,
       scale=st.sampled_from([D("1"), D("1.0"), D("1.000")]))
def test_money_outputs_always_have_exactly_two_decimals(cv, kv, g, paid, f, k, scale):
    # rule M8: whatever exponent the inputs carry (122000, 122000.0, 122000.000)
    result = payout(verified_cash=cv * scale, verified_inkind=kv * scale, granted=g * scale,
                    already_paid=paid * scale, fund_ratio=f, inkind_ratio=k)
    assert all(two_decimals(v) for v in (result.matched_cash, result.cumulative_payable, result.already_paid,
                                         result.payment, result.recovery))
