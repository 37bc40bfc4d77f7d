"""Organisation numbers with real valid and invalid examples (rules S2, T9)."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from applications.orgnumber import InvalidOrganisationNumber, luhn_check_digit, normalise
from tests.factories import OrganisationFactory


@pytest.mark.parametrize("raw, expected", [
    ("212000-0142", "212000-0142"),   # a municipality (T9)
    ("556036-0793", "556036-0793"),   # a limited company (T9)
    ("5560360793", "556036-0793"),    # without hyphen
    (" 556036-0793 ", "556036-0793"),
    ("16556036-0793", "556036-0793"),  # with the century-style prefix 16
])
def test_valid_numbers_are_normalised(raw, expected):
    assert normalise(raw) == expected


def test_third_digit_below_two_is_refused_even_with_a_valid_check_digit():
    # 200000-0006 passes Luhn but is not a legal entity (T9, rule S2).
    assert luhn_check_digit("200000000") == 6
    with pytest.raises(InvalidOrganisationNumber, match="third digit"):
        normalise("200000-0006")


def test_wrong_check_digit_is_refused():
    with pytest.raises(InvalidOrganisationNumber, match="check digit"):
        normalise("556036-0794")  # T9


@pytest.mark.parametrize("raw", ["", "556036-079", "55603607931", "abcdef-ghij", "556036_0793"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(InvalidOrganisationNumber, match="ten digits"):
        normalise(raw)


@pytest.mark.django_db
def test_organisation_is_stored_normalised_and_unique():
    org = OrganisationFactory(org_number="5560360793")
    assert org.org_number == "556036-0793"
    with pytest.raises(IntegrityError):
        OrganisationFactory(org_number="556036-0793")


@pytest.mark.django_db
def test_model_validation_reports_the_reason_on_the_field():
    org = OrganisationFactory.build(org_number="556036-0794")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert "check digit" in str(info.value.message_dict["org_number"])
