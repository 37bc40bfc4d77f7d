"""Call setup figures go through the one parser (issue 15): hostile values are field errors, never stored."""
import pytest

from applications.models import FundingCall
from core.errors import RuleViolation
from services import calls
from tests.services.test_calls import fields

HOSTILE = ["1e30", "9" * 40, "NaN", "Infinity", "12345678901234567.89", "1e20", "\x1b", "0x10"]
DECIMAL_FIELDS = ["fund_budget", "max_hourly_rate", "max_grant", "four_eyes_threshold", "fund_ratio", "inkind_ratio",
                  "max_hours_per_person_month"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", DECIMAL_FIELDS)
def test_hostile_figures_in_call_setup_are_errors_on_their_field(region, officer, field):
    for value in HOSTILE:
        with pytest.raises(RuleViolation) as refused:
            calls.create_call(regional_body=region, by=officer, **fields(**{field: value}))
        assert field in refused.value.field_errors, (field, value)
    assert not FundingCall.objects.filter(regional_body=region, title="Testbäddar 2027").exists()
