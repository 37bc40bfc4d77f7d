"""Amendments never create negative commitments (rules A2, A3): a law over sequences of amendments.

A call with a budget; a first grant; then payments and amendments in any order. Applying only the
moves `commitment_move` allows must keep the application's outstanding commitment and the call's
uncommitted budget at zero or more after every step, and the two must always add up to the budget
less what was paid.
"""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.matching import commitment_move

D = Decimal
ZERO = D("0.00")

money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
# ("pay", amount) pays up to the commitment; ("amend", grant) asks for a new grant.
steps = st.lists(st.tuples(st.sampled_from(["pay", "amend"]), money), min_size=1, max_size=10)


@given(budget=money, first_share=st.decimals(min_value=0, max_value=1, places=2), steps=steps)
def test_allowed_amendments_never_leave_a_negative_commitment(budget, first_share, steps):
    granted = (budget * first_share).quantize(D("0.01"))
    uncommitted, paid = budget - granted, ZERO
    for kind, amount in steps:
        if kind == "pay":
            paid += min(amount, granted - paid)
        else:
            move = commitment_move(granted_now=granted, granted_new=amount, net_paid=paid,
                                   call_uncommitted=uncommitted)
            assert move.difference == amount - granted
            if move.allowed:
                granted, uncommitted = granted + move.difference, uncommitted - move.difference
        assert granted - paid >= ZERO        # the application's outstanding commitment
        assert uncommitted >= ZERO            # the call's budget
        assert uncommitted + granted == budget


@given(granted=money, paid=money, left=money, new=money)
def test_a_move_is_refused_exactly_when_it_would_go_negative(granted, paid, left, new):
    move = commitment_move(granted_now=granted, granted_new=new, net_paid=paid, call_uncommitted=left)
    assert move.lacks_budget == (left - move.difference < 0)   # rule A2
    assert move.below_paid == (new - paid < 0)                 # rule A3
