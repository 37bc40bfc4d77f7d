"""Password rules of our own, beside Django's validators (settings.AUTH_PASSWORD_VALIDATORS).

Django's common-password list is English; the guesses that work in a Swedish office are a season or a
month with the year ("Sommar2026", "Vinter2025!", "Hösten2024") and a few words like "Lösenord1".
"""
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Seasons and months in Swedish (with their definite forms) and English, and the office favourites.
WORDS = (
    "var varen sommar sommaren host hosten vinter vintern "
    "spring summer autumn fall winter "
    "januari februari mars april maj juni juli augusti september oktober november december "
    "january february march may june july august october "
    "losenord losen valkommen hemligt sverige password welcome"
).split()
ALTERNATIVES = "|".join(sorted(set(WORDS), key=len, reverse=True))
PATTERN = re.compile(rf"^\d{{0,4}}(?:{ALTERNATIVES})\d{{0,4}}$")


def normalise(password: str) -> str:
    """Lower case, å/ä/ö as a/a/o, and only letters and digits left ("Hösten-2024!" → "hosten2024")."""
    decomposed = unicodedata.normalize("NFKD", password.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain)


def is_season_or_month_password(password: str) -> bool:
    return bool(PATTERN.match(normalise(password)))


class SeasonYearPasswordValidator:
    """Refuses a season, month or common word with a year or a few digits, whatever the case and symbols."""

    def validate(self, password, user=None):
        if is_season_or_month_password(password):
            raise ValidationError(
                _("This password is a season, month or common word with a year; it is among the first guesses."),
                code="password_season_year",
            )

    def get_help_text(self):
        return _("Your password can't be a season, month or common word with a year (like Sommar2026).")
