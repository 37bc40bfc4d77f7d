"""Decimal fields of the API: parsed and printed by the money module, never by DRF's defaults.

DRF's DecimalField rounds half-even when it prints and reads "1e30" or forty 9s into a value
no column holds. `DecimalField` here takes exactly what the schema says — a string matching
`pattern` (an optional minus when negatives are allowed, at most the column's digits before the
point, at most `decimal_places` after it; no JSON numbers, spaces or commas) — reads it through
`core.money.parse_fixed` (within `min_value`/`max_value`) and prints through
`core.money.quantize` (half-up, exactly `decimal_places`), so the API shows the same öre as the
statement. Every serializer uses it (`ModelSerializer` maps model
DecimalFields to it); tests/api/test_bad_input.py checks that no DRF DecimalField is left.
"""
import copy
import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from core import money
from core.text import control_character_problem

DIGITS = re.compile(r"-?[0-9]+(\.[0-9]+)?")
MONEY = {"max_digits": money.MONEY_DIGITS, "decimal_places": money.MONEY_PLACES}
HOURS = {"max_digits": money.HOURS_DIGITS, "decimal_places": money.HOURS_PLACES}


class DecimalField(serializers.DecimalField):
    """A Decimal in and out through core.money: the one parser and half-up rounding."""

    default_error_messages = {
        "not_text": _("Give the number as text, for example \"1234.50\"."),
        "format": _("Write the number with digits and at most {places} decimals after a point, "
                    "for example \"1234.50\"."),
    }

    def __init__(self, max_digits=money.MONEY_DIGITS, decimal_places=money.MONEY_PLACES, **kwargs):
        super().__init__(max_digits, decimal_places, **kwargs)

    @property
    def pattern(self) -> str:
        """The regular expression (ECMA and Python alike) a value must match, as the schema says."""
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        whole = self.max_digits - self.decimal_places
        return rf"^{sign}[0-9]{{1,{whole}}}(\.[0-9]{{1,{self.decimal_places}}})?$"

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        if not DIGITS.fullmatch(data):
            self.fail("format", places=self.decimal_places)
        try:  # the money module's words for a figure too large, too precise or out of bounds
            value = money.parse_fixed(data, digits=self.max_digits, places=self.decimal_places,
                                      minimum=self.min_value, maximum=self.max_value, strict=True)
        except money.AmountError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc
        if not re.fullmatch(self.pattern.strip("^$"), data):  # e.g. "1.500": exact, but not as documented
            self.fail("format", places=self.decimal_places)
        return value

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
    """ModelSerializer whose model DecimalFields become the money module's DecimalField.

    Its fields are built from the model once per class and copied for each instance, as DRF copies
    declared fields: building them (model introspection, labels, validators) was most of a detail
    response and a fifth of a list page (bench/, measurement 3). Labels and messages stay lazy
    translations, so a copy speaks the language of the request that uses it."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DecimalField: DecimalField}

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)
