"""Staff rates (E3, T1, T2), the fund ratio ceiling (E1) and the call's own life cycle."""
from decimal import Decimal

import pytest
from django.db import IntegrityError

from applications import rules
from applications.models import FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger.models import Book
from services import calls as call_services
from tests.factories import FundingCallFactory


def test_hourly_rate_from_monthly_salary():
    # rule T1: 40 000 SEK/month × 12 ÷ 1 720 = 279.069… → 279.07
    assert rules.hourly_rate_from_salary(Decimal("40000")) == Decimal("279.07")


def test_part_time_hours():
    # rule T2: 50 % for six months = 430 h
    assert rules.part_time_hours(Decimal("0.5"), 6) == Decimal("430.00")


@pytest.mark.django_db
def test_fund_ratio_above_one_is_refused_by_the_database():
    # rule E1: public support may not exceed the cash expenditure
    with pytest.raises(IntegrityError):
        FundingCallFactory(fund_ratio=Decimal("1.01"))


@pytest.mark.django_db
def test_call_life_cycle(region, officer, applicant):
    call = FundingCallFactory(regional_body=region, state=FundingCall.State.DRAFT)
    with pytest.raises(NotPermitted):
        call_services.transition_call(call, "open", by=applicant)
    call = call_services.transition_call(call, "open", by=officer)
    assert call.state == FundingCall.State.OPEN
    assert Book.objects.get(call=call).head_seq == 1  # the opening budget entry
    with pytest.raises(TransitionConflict):
        call_services.transition_call(call, "archive", by=officer)
    call = call_services.transition_call(call, "close", by=officer)
    call = call_services.transition_call(call, "archive", by=officer)
    assert call.state == FundingCall.State.ARCHIVED


@pytest.mark.django_db
def test_call_with_running_applications_cannot_be_archived(active, officer):
    call = call_services.transition_call(active.call, "close", by=officer)
    with pytest.raises(RuleViolation, match="every application"):
        call_services.transition_call(call, "archive", by=officer)
