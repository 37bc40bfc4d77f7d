"""The matching engine with advances and partial verification (rules T6, M7, V1, E7): laws over sequences.

A sequence of claims (each adding verified cash and in-kind, the eligible parts only), some corrections
lowering them, an advance paid first, then the end of the project. Paying what `payout` says and
recovering what it says must keep every law below after every step.
"""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import round_ore
from ledger.matching import payout

D = Decimal
ZERO = D("0.00")

money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
ratios = st.sampled_from([D("0.40"), D("0.50"), D("1.00"), D("0.3333")])
steps = st.lists(st.tuples(money, money, st.booleans()), min_size=1, max_size=6)


def _run(granted, advance_share, f, k, claims):
    """Pay an advance, then every claim; a step with `True` is a correction lowering the verified sums."""
    advance = round_ore(min(granted * advance_share, D("400000")))
    paid, cv, kv = advance, ZERO, ZERO
    history = []
    for cash, inkind, correction in claims:
        if correction:
            cv, kv = max(ZERO, cv - cash), max(ZERO, kv - inkind)
        else:
            cv, kv = cv + cash, kv + inkind
        result = payout(verified_cash=cv, verified_inkind=kv, granted=granted, already_paid=paid,
                        fund_ratio=f, inkind_ratio=k, advance=advance)
        paid = paid + result.payment - result.recovery
        history.append((result, paid, cv, kv))
    end = payout(verified_cash=cv, verified_inkind=kv, granted=granted, already_paid=paid,
                 fund_ratio=f, inkind_ratio=k, advance=advance, final=True)
    return advance, history, end, paid - end.recovery + end.payment, cv, kv


@given(money, st.sampled_from([ZERO, D("0.25"), D("0.50")]), ratios, ratios, steps)
def test_payments_never_exceed_the_grant_nor_go_negative(granted, share, f, k, claims):
    # rules T6, M7: total paid ≤ G after every step; no payment or recovery is ever negative
    advance, history, end, _final_paid, _cv, _kv = _run(granted, share, f, k, claims)
    assert advance <= granted
    for result, paid, _cv2, _kv2 in history:
        assert result.payment >= 0 and result.recovery >= 0
        assert not (result.payment > 0 and result.recovery > 0)
        assert ZERO <= paid <= granted


@given(money, st.sampled_from([ZERO, D("0.25"), D("0.50")]), ratios, ratios, steps)
def test_while_running_paid_stands_above_payable_by_at_most_the_advance(granted, share, f, k, claims):
    # rule T6: the advance is offset, never paid twice: paid ≤ max(P, advance)
    advance, history, _end, _paid, _cv, _kv = _run(granted, share, f, k, claims)
    for result, paid, _cv2, _kv2 in history:
        assert paid <= max(result.cumulative_payable, advance)


@given(money, st.sampled_from([ZERO, D("0.25"), D("0.50")]), ratios, ratios, steps)
def test_at_the_end_paid_is_exactly_what_verified_costs_allow(granted, share, f, k, claims):
    # rules T6, M7, E7: at the end an unrecovered advance is recovered: paid = P ≤ f × Cv and ≤ f × Kv / k
    _advance, _history, end, final_paid, cv, kv = _run(granted, share, f, k, claims)
    assert final_paid == end.cumulative_payable
    assert final_paid <= granted
    assert final_paid <= round_ore(f * cv) and final_paid <= round_ore(f * kv / k) + D("0.01")


def test_advance_is_offset_against_the_next_payment():
    # rule T6: advance 150 000; claim P = 100 000 pays nothing; then P = 297 000 pays 147 000
    first = payout(verified_cash=D("100000"), verified_inkind=D("106000"), granted=D("450000"),
                   already_paid=D("150000.00"), fund_ratio=D("1"), inkind_ratio=D("1"), advance=D("150000"))
    assert (first.payment, first.recovery) == (ZERO, ZERO)
    second = payout(verified_cash=D("400000"), verified_inkind=D("297000"), granted=D("450000"),
                    already_paid=D("150000.00"), fund_ratio=D("1"), inkind_ratio=D("1"), advance=D("150000"))
    assert (second.cumulative_payable, second.payment) == (D("297000.00"), D("147000.00"))


def test_terminated_project_recovers_the_uncovered_advance():
    # rule T6: advance 150 000, verified costs allow 100 000 → 50 000 recovered at the end
    end = payout(verified_cash=D("100000"), verified_inkind=D("106000"), granted=D("400000"),
                 already_paid=D("150000.00"), fund_ratio=D("1"), inkind_ratio=D("1"), advance=D("150000"), final=True)
    assert (end.payment, end.recovery) == (ZERO, D("50000.00"))
