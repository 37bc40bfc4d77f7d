"""Passwords: Django's validators with a minimum of 12 characters and our Swedish season/year rule."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from core.passwords import SeasonYearPasswordValidator, is_season_or_month_password


@pytest.mark.parametrize("password", ["Sommar2026", "Vinter2025!", "Hosten2024", "Hösten-2024!", "VÅREN26",
                                      "sommaren2026!!", "2026Januari", "Lösenord123", "December2025#"])
def test_season_month_and_office_words_with_a_year_are_recognised(password):
    assert is_season_or_month_password(password)


@pytest.mark.parametrize("password", ["Sommarstuga-vid-sjön", "correct horse battery staple", "Vinterväg 12 Kalmar",
                                      "Tb-2026-kalmar-lan!"])
def test_other_passwords_are_not_taken_for_season_passwords(password):
    assert not is_season_or_month_password(password)


def test_validator_refuses_with_a_reason():
    with pytest.raises(ValidationError) as refused:
        SeasonYearPasswordValidator().validate("Sommaren-2026!!")
    assert refused.value.error_list[0].code == "password_season_year"


def test_sommar2026_is_refused_by_the_configured_validators():
    with pytest.raises(ValidationError) as refused:
        validate_password("Sommar2026")
    codes = {error.code for error in refused.value.error_list}
    assert {"password_too_short", "password_season_year"} <= codes


def test_a_long_season_password_is_refused_even_though_it_is_long_enough():
    with pytest.raises(ValidationError) as refused:
        validate_password("Vintern-2025!!!")
    assert [error.code for error in refused.value.error_list] == ["password_season_year"]


def test_twelve_characters_are_the_minimum():
    with pytest.raises(ValidationError) as refused:
        validate_password("kx7#Lq2!wZ9")  # 11
    assert [error.code for error in refused.value.error_list] == ["password_too_short"]
    validate_password("kx7#Lq2!wZ9m")  # 12
