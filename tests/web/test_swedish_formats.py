"""Dates, numbers and journal memos in the reader's language (issue 20, deliverable 1)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from ledger import labels

MOMENT = datetime(2026, 12, 4, 19, 31, tzinfo=ZoneInfo("UTC"))  # 20:31 in Stockholm


@pytest.mark.parametrize("language", ["sv", "en"])
def test_short_date_and_time_are_iso_in_both_languages(language):
    with translation.override(language):
        text = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"when": MOMENT}))
    assert text == "2026-12-04 20:31"  # not 12/04/2026 8:31 p.m.


@pytest.mark.parametrize("language, expected", [("sv", "Ange ett tal, till exempel 1\u00a0234,50."),
                                                ("en", "Enter a number, for example 1,234.50.")])
def test_number_hint_is_written_in_the_languages_own_format(language, expected):
    from django import forms

    from web.forms import MoneyField

    with translation.override(language), pytest.raises(forms.ValidationError) as error:
        MoneyField().clean("fyrahundra")
    assert error.value.messages == [expected]


@pytest.mark.parametrize("memo, expected", [
    ("application under_review → approved", "Ansökan: Under handläggning → Beviljad"),
    ("claim submitted → verified", "Utbetalningsansökan: Inskickad → Verifierad"),
    ("Payment of claim 1 of TB-2026-0009", "Utbetalning av utbetalningsansökan 1 för TB-2026-0009"),
    ("Grant to TB-2026-0009", "Stöd till TB-2026-0009"),
    ("Cash V1", "Kontantinsats V1"),
    ("Correction of #12: fel belopp", "Rättelse av nr 12: fel belopp"),
    ("Kalmar Sensorteknik AB: Anna 2026-05", "Kalmar Sensorteknik AB: Anna 2026-05"),
])
def test_journal_memos_are_shown_in_swedish(memo, expected):
    with translation.override("sv"):
        assert labels.memo_in_words(memo) == expected
