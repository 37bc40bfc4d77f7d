"""How figures are shown to people: SEK with grouping in the active language (1 234 567,89 kr in Swedish)."""
from django.utils import formats

from core.money import round_ore


def sek(value) -> str:
    if value is None:
        return "—"
    number = formats.number_format(round_ore(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} kr"


def hours(value) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True) + " h"


def percent(ratio) -> str:
    """A ratio as a percentage in the active language: 0.4 → "40 %", 0.125 → "12,5 %" in Swedish."""
    if ratio is None:
        return "—"
    value = (ratio * 100).normalize()
    places = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=places, use_l10n=True) + "\u00a0%"
