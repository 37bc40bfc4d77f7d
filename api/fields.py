"""Decimal fields of the API: parsed and printed by the money module, never by DRF's defaults.

DRF's DecimalField rounds half-even when it prints and reads "1e30" or forty 9s into a value
no column holds. `DecimalField` here reads through `core.money.parse_fixed` (finite, plain
notation, at most the column's digits, rounded half-up, within `min_value`/`max_value`) and
prints through `core.money.quantize` (half-up, exactly `decimal_places`), so the API shows
the same öre as the statement. Every serializer uses it (`ModelSerializer` maps model
DecimalFields to it); tests/api/test_bad_input.py checks that no DRF DecimalField is left.
"""
from decimal import Decimal

from django.db import models
from rest_framework import serializers
from rest_framework.settings import api_settings

from core import money
from core.text import control_character_problem

MONEY = {"max_digits": money.MONEY_DIGITS, "decimal_places": money.MONEY_PLACES}
HOURS = {"max_digits": money.HOURS_DIGITS, "decimal_places": money.HOURS_PLACES}


class DecimalField(serializers.DecimalField):
    """A Decimal in and out through core.money: the one parser and half-up rounding."""

    def __init__(self, max_digits=money.MONEY_DIGITS, decimal_places=money.MONEY_PLACES, **kwargs):
        super().__init__(max_digits, decimal_places, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        try:
            return money.parse_fixed(data, digits=self.max_digits, places=self.decimal_places,
                                     minimum=self.min_value, maximum=self.max_value, strict=True)
        except money.AmountError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc

    def to_representation(self, value):
        if value is None:
            return None
        rounded = money.quantize(value, self.decimal_places)
        as_text = getattr(self, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        return f"{rounded:.{self.decimal_places}f}" if as_text else rounded

    def quantize(self, value):  # DRF's own rounding (half-even) is never used
        return money.quantize(value, self.decimal_places)


def money_field(**kwargs) -> DecimalField:
    return DecimalField(**MONEY, **kwargs)


def hours_field(**kwargs) -> DecimalField:
    return DecimalField(**HOURS, **kwargs)


class TextChecks:
    """Every text field of a serializer refuses control characters (core.text).

    A field is multi-line (tab, LF and CR allowed) when it may be longer than 200 characters or has no
    limit: descriptions, reasons, comments; titles, names and references are single-line.
    """

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        errors = {}
        for name, field in self.fields.items():
            if field.read_only or not isinstance(field, serializers.CharField) or field.source not in value:
                continue
            limit = getattr(field, "max_length", None)
            problem = control_character_problem(value[field.source], multiline=limit is None or limit > 200)
            if problem:
                errors[name] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class Serializer(TextChecks, serializers.Serializer):
    pass


class ModelSerializer(TextChecks, serializers.ModelSerializer):
    """ModelSerializer whose model DecimalFields become the money module's DecimalField."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DecimalField: DecimalField}
