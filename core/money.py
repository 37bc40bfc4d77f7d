"""The one place where money and hours are parsed, bounded and rounded (rule M8).

Money is SEK with öre (two decimals); hours carry two decimals too. Rounding is
half-up, done once, at the boundary where a figure is posted or stored. Floats
are refused: a float has already lost the exact value.

Every figure that comes from outside (a form, a serializer, a command, an import) goes
through `parse_money`, `parse_hours` or `parse_fixed`: finite, plain notation, at most the
digits its database column holds (`MONEY_DIGITS`, `HOURS_DIGITS`, the models' `max_digits`),
rounded half-up to its places, and within the bounds the caller gives. Anything else is an
`AmountError` whose message is translated and fit to be shown next to the field.
"""
import re
import sys
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

ORE = Decimal("0.01")
ZERO = Decimal("0.00")

# The database columns (applications.models.MONEY / HOURS / RATIO take their max_digits from here).
MONEY_DIGITS, MONEY_PLACES = 14, 2
HOURS_DIGITS, HOURS_PLACES = 10, 2
RATIO_DIGITS, RATIO_PLACES = 6, 4
MAX_MONEY = Decimal("999999999999.99")  # 12 digits before the decimal point, 2 after
MAX_HOURS = Decimal("99999999.99")

# Longest text we even try to read as a number: a 14-digit amount with grouping, sign and decimals
# fits in far less; a megabyte of digits is refused before Decimal() sees it.
MAX_TEXT = 40
# Plain notation only, after grouping marks are dropped: "-1234.50", "1234,5", "+7", ".5".
PLAIN = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")
# Exact arithmetic wide enough for any value a column holds, whatever the thread's context.
WIDE = Context(prec=60, rounding=ROUND_HALF_UP)


def _(message: str) -> str:
    """Translated when Django is running; this module stays stdlib-only for `python -m ledger.verify`."""
    translation = sys.modules.get("django.utils.translation")
    return translation.gettext(message) if translation is not None else message


class AmountError(ValueError):
    """A figure that cannot be accepted; str() is the translated message for the field."""


class UnreadableAmount(AmountError):
    """Not a number at all (forms answer with an example in the reader's number format)."""


def parse_decimal(value) -> Decimal:
    """Turn str/int/Decimal into a finite Decimal; refuse floats and junk with ValueError (AmountError).

    Unbounded: internal use (values read back from the ledger). Input from people and clients goes
    through `parse_money` / `parse_hours` / `parse_fixed`.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise AmountError(_("Amounts must be given as text or Decimal, not floating point."))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if len(text) > MAX_TEXT * 4:
            raise UnreadableAmount(_("Enter a number, for example 1 234,50."))
        try:
            result = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise UnreadableAmount(_("Enter a number, for example 1 234,50.")) from exc
    else:
        raise UnreadableAmount(_("Enter a number, for example 1 234,50."))
    if not result.is_finite():
        raise AmountError(_("Enter a finite number."))
    return result


def _read(value) -> Decimal:
    """A Decimal from what a person or a client gave: plain notation, never float, NaN or Infinity."""
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if len(text) > MAX_TEXT or not PLAIN.fullmatch(text):
            raise UnreadableAmount(_("Enter a number, for example 1 234,50."))
        value = text.replace(",", ".")
        if value.endswith("."):
            value += "0"
        if value.lstrip("+-").startswith("."):
            value = value[:-len(value.lstrip("+-"))] + "0" + value.lstrip("+-")
    return parse_decimal(value)


def parse_fixed(value, *, digits: int, places: int, minimum=None, maximum=None, strict=False) -> Decimal:
    """`value` as a Decimal with exactly `places` decimals, rounded half-up, within the column and bounds.

    digits/places: the column's max_digits/decimal_places; minimum/maximum: the domain's inclusive
    bounds (None: only the column's); strict: more than `places` decimals is an error instead of being
    rounded (the API: a program sends exact figures). Raises AmountError with a message for the field.
    """
    number = _read(value)
    quantum = Decimal(1).scaleb(-places)
    ceiling = Decimal(10) ** (digits - places)
    # Compare before rounding: quantize of 1e30 would overflow the context (InvalidOperation, a 500).
    if number.copy_abs() >= ceiling:
        raise AmountError(_("The number is too large: at most %(digits)s digits before the decimal point.")
                          % {"digits": digits - places})
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP, context=WIDE)
    if strict and rounded != number:
        raise AmountError(_("Give at most %(places)s decimals.") % {"places": places})
    if rounded.copy_abs() >= ceiling:  # 99…99.995 rounds up past the column
        raise AmountError(_("The number is too large: at most %(digits)s digits before the decimal point.")
                          % {"digits": digits - places})
    if rounded.is_zero():
        rounded = rounded.copy_abs()  # never a negative zero
    if minimum is not None and (rounded < minimum or number < minimum):  # -0.001 is negative as typed
        if minimum == 0:
            raise AmountError(_("The number cannot be negative."))
        raise AmountError(_("The number must be at least %(minimum)s.") % {"minimum": minimum})
    if maximum is not None and rounded > maximum:
        raise AmountError(_("The number can be at most %(maximum)s.") % {"maximum": maximum})
    return rounded


def parse_money(value, *, minimum=None, maximum=None) -> Decimal:
    """An amount of SEK: whole öre (half-up), fits the money columns (< 10¹² kr), within the bounds."""
    return parse_fixed(value, digits=MONEY_DIGITS, places=MONEY_PLACES, minimum=minimum, maximum=maximum)


def parse_hours(value, *, minimum=None, maximum=None) -> Decimal:
    """Hours with two decimals (half-up), fits the hours columns (< 10⁸ h), within the bounds."""
    return parse_fixed(value, digits=HOURS_DIGITS, places=HOURS_PLACES, minimum=minimum, maximum=maximum)


def quantize(value, places: int) -> Decimal:
    """Round an exact value half-up to `places` decimals (how the API prints every Decimal)."""
    return parse_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=WIDE)


def round_ore(value) -> Decimal:
    """Round to öre, half-up (rule M8). The only money rounding in the system."""
    return quantize(value, MONEY_PLACES)


def round_hours(value) -> Decimal:
    """Round hours to two decimals, half-up."""
    return quantize(value, HOURS_PLACES)


def format_sek(value) -> str:
    """Plain machine format: exactly two decimals, no grouping (used in hashes and exports)."""
    return f"{round_ore(value):.2f}"
