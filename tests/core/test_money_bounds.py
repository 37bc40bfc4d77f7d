"""The one parser (core.money): bounded by the column, half-up to two decimals, finite, or a clear error (rule M8)."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import money
from core.money import AmountError, parse_fixed, parse_hours, parse_money

D = Decimal
HOSTILE = ["1e30", "9" * 40, "NaN", "nan", "Infinity", "-inf", "12345678901234567.89", "1e20", "\x1b", "",
           "1" * 1000, "0x10", "1_000", "--5", "1.2.3", "١٢٣"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_an_amount_error_never_a_decimal_exception(text):
    with pytest.raises(AmountError):
        parse_money(text)


@pytest.mark.parametrize("value", [D("1E+30"), D("NaN"), D("Infinity"), D("-1E+999999999"), 10**40, 1.5, True, None])
def test_hostile_values_are_refused(value):
    with pytest.raises(AmountError):
        parse_money(value)


def test_the_largest_amount_the_money_column_holds_is_accepted_and_one_ore_more_is_not():
    assert parse_money("999999999999.99") == money.MAX_MONEY
    with pytest.raises(AmountError, match="too large"):
        parse_money("1000000000000.00")
    with pytest.raises(AmountError, match="too large"):
        parse_money("999999999999.995")  # rounds up past the column


def test_hours_are_bounded_by_the_hours_column():
    assert parse_hours("99999999.99") == money.MAX_HOURS
    with pytest.raises(AmountError):
        parse_hours("100000000")


def test_rounding_is_half_up_to_exactly_two_decimals():  # rule M8
    assert str(parse_money("0.005")) == "0.01"
    assert str(parse_money("2.675")) == "2.68"
    assert str(parse_money("-0.005")) == "-0.01"
    assert str(parse_money("7")) == "7.00"


def test_swedish_and_english_notation_both_read():
    assert parse_money("400 000,50") == D("400000.50")
    assert parse_money("400\u00a0000.50") == D("400000.50")


def test_minus_a_thousandth_is_zero_not_negative_zero_and_minimum_zero_refuses_real_negatives():
    assert str(parse_money("-0.001")) == "0.00"
    with pytest.raises(AmountError, match="negative"):
        parse_money("-0.01", minimum=D("0"))


def test_domain_bounds_are_checked_after_rounding():
    with pytest.raises(AmountError, match="at most 744"):
        parse_hours("744.01", maximum=D("744"))
    assert parse_hours("744.004", maximum=D("744")) == D("744.00")


def test_strict_refuses_a_third_decimal_instead_of_rounding():
    with pytest.raises(AmountError, match="at most 2 decimals"):
        parse_fixed("12.345", digits=14, places=2, strict=True)
    assert parse_fixed("12.340", digits=14, places=2, strict=True) == D("12.34")


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_every_accepted_value_fits_the_column_with_two_decimals(value):
    try:
        parsed = parse_money(value)
    except AmountError:
        return
    assert parsed.is_finite() and parsed.as_tuple().exponent == -2
    assert abs(parsed) <= money.MAX_MONEY


@given(st.text(max_size=60))
def test_no_text_raises_anything_but_an_amount_error(text):
    try:
        parse_money(text)
    except AmountError:
        pass
