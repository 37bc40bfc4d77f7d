"""An amendment's increase needs the call's remaining budget (rule A2), told with the figures."""
from decimal import Decimal

import pytest

from applications.models import Amendment
from core.errors import RuleViolation
from ledger.selectors import call_uncommitted
from services import amendments
from tests.factories import FundingCallFactory

D = Decimal


@pytest.fixture
def call(region):
    # 420 000 in the call: after the 400 000 grant of the example, 20 000 remains.
    return FundingCallFactory(regional_body=region, fund_budget=D("420000.00"))


@pytest.mark.django_db
def test_amendment_increase_refused_when_call_lacks_budget(example, applicant, officer):
    # rule A2: an increase needs remaining call budget; the message gives both figures
    application, x, _y, _reps = example
    assert call_uncommitted(application.call) == D("20000.00")
    amendment = amendments.request_amendment(application, by=applicant, reason="Mer.", public_cash="450000.00",
                                             end_date=None, partners={x.pk: {"hours": "350"}})
    with pytest.raises(RuleViolation, match=r"insufficient for the increase: 20,000.00 kr remains, "
                                            r"50,000.00 kr was asked for"):
        amendments.approve_amendment(amendment, by=officer, rationale="Ja.", granted="450000.00")
    assert call_uncommitted(application.call) == D("20000.00")
    assert Amendment.objects.get(pk=amendment.pk).state == Amendment.State.REQUESTED


@pytest.mark.django_db
def test_amendment_increase_within_the_budget_is_committed(example, applicant, officer):
    # rule A2: +20 000 fits exactly
    application, x, _y, _reps = example
    amendment = amendments.request_amendment(application, by=applicant, reason="Mer.", public_cash="420000.00",
                                             end_date=None, partners={x.pk: {"hours": "310"}})
    amendments.approve_amendment(amendment, by=officer, rationale="Ja.", granted="420000.00")
    assert call_uncommitted(application.call) == D("0.00")
