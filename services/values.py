"""Figures typed by people, turned into exact values or a field error (rule M8)."""
from decimal import Decimal

from core.errors import RuleViolation
from core.money import parse_hours, parse_money


def money_value(value, field: str, **bounds) -> Decimal:
    """An amount through the one parser (core.money): bounded, whole öre, or a RuleViolation on `field`."""
    try:
        return parse_money(value, **bounds)
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def hours_value(value, field: str, **bounds) -> Decimal:
    try:
        return parse_hours(value, **bounds)
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def raise_if(errors: dict) -> None:
    if errors:
        raise RuleViolation([m for ms in errors.values() for m in ms], errors)
