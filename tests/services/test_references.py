"""Application references come from a counter per year (issue 15, item 6), never max+1 of what exists."""
import pytest

from applications.models import ReferenceCounter
from services import drafting
from tests.factories import ApplicationFactory


@pytest.mark.django_db
def test_references_of_a_year_are_consecutive(call):
    numbers = [drafting.next_reference(call) for _ in range(3)]
    year = call.opens_on.year
    assert numbers == [f"TB-{year}-0001", f"TB-{year}-0002", f"TB-{year}-0003"]
    assert ReferenceCounter.objects.get(year=year).last == 3


@pytest.mark.django_db
def test_a_reference_that_exists_without_the_counter_is_skipped(call):
    year = call.opens_on.year
    ApplicationFactory(call=call, reference=f"TB-{year}-0041")
    assert drafting.next_reference(call) == f"TB-{year}-0042"
    assert drafting.next_reference(call) == f"TB-{year}-0043"


@pytest.mark.django_db
def test_five_digit_numbers_count_above_four_digit_ones(call):
    # As text "TB-2026-9999" sorts after "TB-2026-10000"; max+1 by text would hand out 10000 again.
    year = call.opens_on.year
    ApplicationFactory(call=call, reference=f"TB-{year}-10000")
    ApplicationFactory(call=call, reference=f"TB-{year}-9999")
    assert drafting.next_reference(call) == f"TB-{year}-10001"
