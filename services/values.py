"""Figures typed by people, turned into exact values or a field error (rule M8)."""
from decimal import Decimal

from core.errors import RuleViolation
from core.money import parse_decimal, round_hours, round_ore


def money_value(value, field: str) -> Decimal:
    try:
        return round_ore(parse_decimal(value))
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def hours_value(value, field: str) -> Decimal:
    try:
        return round_hours(parse_decimal(value))
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def raise_if(errors: dict) -> None:
    if errors:
        raise RuleViolation([m for ms in errors.values() for m in ms], errors)
