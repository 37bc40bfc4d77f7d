"""How long an application's records are kept (rules E6, T7, S4): pure date arithmetic.

Supporting documents are kept five years from 31 December of the year of the last payment to the
beneficiary (CPR art. 82(1)); where state aid applies (a partner with a de minimis declaration,
`Partner.has_state_aid`), ten years; the longest applies. Last payment 12 March 2026 → kept until
31 December 2031 (2036 with state aid).
"""
from datetime import date

YEARS = 5
STATE_AID_YEARS = 10


def retention_end(last_payment: date | None, *, state_aid: bool) -> date | None:
    """The last day records must be kept, or None while no payment has been made (nothing to count from)."""
    if last_payment is None:
        return None
    return date(last_payment.year + (STATE_AID_YEARS if state_aid else YEARS), 12, 31)


def has_ended(end: date | None, today: date) -> bool:
    return end is not None and today > end


def last_year_to_have_ended(today: date, *, state_aid: bool) -> int:
    """Retention counted from a payment in year Y has ended by `today` iff Y ≤ this year."""
    return today.year - (STATE_AID_YEARS if state_aid else YEARS) - 1
