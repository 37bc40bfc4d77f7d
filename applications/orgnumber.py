"""Swedish organisation numbers (organisationsnummer), rule S2.

Ten digits NNNNNN-NNNN; the last is a Luhn check digit over the first nine; the
third digit is at least 2 for legal persons (a personal identity number has a
month there). Stored normalised with the hyphen. python-stdnum's `se.orgnr` checks the format and
the Luhn digit; the legal-entity rule (third digit) is ours.
"""
import re

from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

_PATTERN = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")


class InvalidOrganisationNumber(ValueError):
    """The text is not a valid Swedish organisation number; the message says why."""


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def normalise(value: str) -> str:
    """Return NNNNNN-NNNN or raise InvalidOrganisationNumber with a readable reason."""
    text = (value or "").strip().replace(" ", "")
    match = _PATTERN.match(text)
    if not match:
        raise InvalidOrganisationNumber(_("An organisation number has ten digits, written NNNNNN-NNNN."))
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2:
        raise InvalidOrganisationNumber(_(
            "The third digit of an organisation number is 2 or higher; this looks like a personal identity number."
        ))
    try:
        orgnr.validate(digits)
    except StdnumError as exc:
        raise InvalidOrganisationNumber(_("The check digit of this organisation number is wrong.")) from exc
    return f"{digits[:6]}-{digits[6:]}"


def with_check_digit(nine_digits: str) -> str:
    """Complete nine digits to a valid number (used for demo and test data)."""
    digits = nine_digits + str(luhn_check_digit(nine_digits))
    return f"{digits[:6]}-{digits[6:]}"
