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
