"""The one place where money and hours are parsed and rounded (rule M8).

Money is SEK with öre (two decimals); hours carry two decimals too. Rounding is
half-up, done once, at the boundary where a figure is posted or stored. Floats
are refused: a float has already lost the exact value.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


def parse_decimal(value) -> Decimal:
    """Turn str/int/Decimal into Decimal; refuse floats and junk with ValueError."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("Amounts must be given as text or Decimal, not floating point.")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a number.") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number.")
    return result


def round_ore(value) -> Decimal:
    """Round to öre, half-up (rule M8). The only money rounding in the system."""
    return parse_decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def round_hours(value) -> Decimal:
    """Round hours to two decimals, half-up."""
    return parse_decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def format_sek(value) -> str:
    """Plain machine format: exactly two decimals, no grouping (used in hashes and exports)."""
    return f"{round_ore(value):.2f}"
