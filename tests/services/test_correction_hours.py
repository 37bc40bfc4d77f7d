"""Correction hours are bounded by the corrected entry and signed like the amount (rules E7, T10; issue 15).

Probe: a correction of -5000 h on a 100 h entry was accepted (201) and pushed the verified hours negative.
"""
from decimal import Decimal

import pytest

from core.errors import RuleViolation
from ledger.models import JournalEntry
from ledger.selectors import application_balances
from services import corrections

D = Decimal


def entry(kind):
    return JournalEntry.objects.get(kind=kind)


@pytest.mark.django_db
@pytest.mark.parametrize("hours", ["-5000", "-1", "100.01", "5000", "1e30"])
def test_hours_beyond_the_entry_or_negative_are_refused_on_the_hours_field(paid, officer, hours):
    with pytest.raises(RuleViolation) as refused:
        corrections.record_correction(entry(JournalEntry.Kind.INKIND_CONTRIBUTION), by=officer, amount="800.00",
                                      reason="Fel timmar.", hours=hours)
    assert "hours" in refused.value.field_errors
    assert application_balances(paid).verified_hours == D("100.00")


@pytest.mark.django_db
def test_corrections_together_cannot_take_away_more_hours_than_the_entry_had(paid, officer):
    inkind = entry(JournalEntry.Kind.INKIND_CONTRIBUTION)
    corrections.record_correction(inkind, by=officer, amount="48000.00", reason="Del ej stödberättigande.", hours="60")
    with pytest.raises(RuleViolation, match="At most 40.00 hours"):
        corrections.record_correction(inkind, by=officer, amount="800.00", reason="Mer.", hours="41")
    corrections.record_correction(inkind, by=officer, amount="32000.00", reason="Resten.", hours="40")
    assert application_balances(paid).verified_hours == D("0.00")


@pytest.mark.django_db
def test_a_cash_entry_takes_no_hours(paid, officer):
    with pytest.raises(RuleViolation, match="no hours") as refused:
        corrections.record_correction(entry(JournalEntry.Kind.CASH_CONTRIBUTION), by=officer, amount="100.00",
                                      reason="Fel.", hours="5")
    assert set(refused.value.field_errors) == {"hours"}
