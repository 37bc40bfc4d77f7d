"""Calls for applications: officers of a regional body set them up (create, edit while a draft) and
open (which opens the call's book with its fund budget), close and archive them."""
import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from applications import rules
from applications.models import Application, FundingCall, Organisation
from applications.permissions import OFFICER, org_ids
from core import money
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from ledger import journal

from .effects import diff, log_event

CALL_TRANSITIONS = ("open", "close", "archive")

TEXT_FIELDS = ("title", "fund_project_reference")
DECIMAL_FIELDS = ("fund_budget", "fund_ratio", "inkind_ratio", "max_hourly_rate", "max_grant",
                  "max_hours_per_person_month", "four_eyes_threshold", "max_advance", "max_advance_ratio")
HOURS_FIELDS = ("max_hours_per_person_month",)
RATIO_FIELDS = ("fund_ratio", "inkind_ratio", "max_advance_ratio")
DATE_FIELDS = ("opens_on", "closes_on", "eligible_from", "eligible_until")
INTEGER_FIELDS = ("reporting_period_months", "grace_days")
BOOLEAN_FIELDS = ("four_eyes", "attestation_by_second_user")
CALL_FIELDS = TEXT_FIELDS + DECIMAL_FIELDS + DATE_FIELDS + INTEGER_FIELDS + BOOLEAN_FIELDS


def _parse(fields: dict) -> tuple[dict, dict]:
    """Plain values of the known fields, and the field errors of those that are not values at all."""
    values, errors = {}, {}
    for name, value in fields.items():
        if name not in CALL_FIELDS:
            continue
        if value in (None, "") and name not in BOOLEAN_FIELDS:
            values[name] = None
            continue
        try:
            if name in TEXT_FIELDS:
                values[name] = str(value).strip()
            elif name in DECIMAL_FIELDS:
                # Bounded by the one parser (finite, fits the column); kept as typed, so an officer's extra
                # decimal is refused by the rules ("whole öre") rather than silently rounded.
                if name in HOURS_FIELDS:
                    money.parse_hours(value)
                elif name in RATIO_FIELDS:
                    money.parse_fixed(value, digits=money.RATIO_DIGITS, places=money.RATIO_PLACES)
                else:
                    money.parse_money(value)
                values[name] = money.parse_decimal(value)
            elif name in DATE_FIELDS:
                values[name] = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
            elif name in INTEGER_FIELDS:
                if isinstance(value, bool) or isinstance(value, float):
                    raise ValueError(value)
                values[name] = int(value)
            else:
                values[name] = bool(value)
        except money.AmountError as exc:
            errors[name] = [str(exc)]
        except (ValueError, TypeError):
            errors[name] = [_("Enter a valid value.")]
    return values, errors


def _validated(values: dict, *, parse_errors: dict, call_pk=None) -> None:
    problems = rules.call_problems(values)
    for field, messages in parse_errors.items():
        problems[field] = messages
    reference = values.get("fund_project_reference")
    if reference and "fund_project_reference" not in problems:
        taken = FundingCall.objects.filter(fund_project_reference=reference).exclude(pk=call_pk).exists()
        if taken:
            problems["fund_project_reference"] = [_("Another call already has this project reference.")]
    if problems:
        messages = [m for field_messages in problems.values() for m in field_messages]
        raise RuleViolation(messages, problems)


def _require_officer_of(body: Organisation, by) -> None:
    if body.kind != Organisation.Kind.REGIONAL_BODY or body.pk not in org_ids(by, OFFICER):
        raise NotPermitted(_("Only an officer of the regional body can set up its calls."))


def _snapshot(call: FundingCall) -> dict:
    return {name: getattr(call, name) for name in CALL_FIELDS}


DEFAULTS = {"fund_ratio": Decimal("1.0000"), "inkind_ratio": Decimal("1.0000"),
            "max_hours_per_person_month": Decimal("200.00"), "four_eyes": True,
            "attestation_by_second_user": False, "reporting_period_months": 6, "grace_days": 30,
            "four_eyes_threshold": None, "max_advance": rules.ADVANCE_CAP, "max_advance_ratio": rules.ADVANCE_RATIO_CAP}


@transaction.atomic
def create_call(*, regional_body: Organisation, by, **fields) -> FundingCall:
    """A new call of the officer's regional body, as a draft; every field is checked (rule E1, S3, D1)."""
    _require_officer_of(regional_body, by)
    values, parse_errors = _parse(fields)
    given = {k: v for k, v in values.items() if v is not None or k not in DEFAULTS}
    values = {name: {**DEFAULTS, **given}.get(name) for name in CALL_FIELDS}
    _validated(values, parse_errors=parse_errors)
    call = FundingCall.objects.create(regional_body=regional_body, **values)
    log_event(by=by, action="create", obj=call, changes={k: [None, str(v)] for k, v in values.items()})
    return call


@transaction.atomic
def update_call(call: FundingCall, *, by, **fields) -> FundingCall:
    """Change a draft call's settings; once it is open they are what applicants applied under."""
    locked = for_update(FundingCall.objects.select_related("regional_body")).get(pk=call.pk)
    _require_officer_of(locked.regional_body, by)
    if locked.state != FundingCall.State.DRAFT:
        raise TransitionConflict(_("A call can be changed only while it is a draft; it is %(state)s.")
                                 % {"state": locked.get_state_display()})
    before = _snapshot(locked)
    values, parse_errors = _parse(fields)
    merged = {**before, **values}
    _validated(merged, parse_errors=parse_errors, call_pk=locked.pk)
    for name, value in merged.items():
        setattr(locked, name, value)
    locked.save()
    changes = diff(before, merged)
    if changes:
        log_event(by=by, action="update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def transition_call(call: FundingCall, name: str, *, by) -> FundingCall:
    """Open, close or archive a call; opening also opens its book with the fund budget."""
    if name not in CALL_TRANSITIONS:
        raise RuleViolation([_("Unknown action %(name)s.") % {"name": name}])
    call = for_update(FundingCall.objects).get(pk=call.pk)
    if not any(t.name == name for t in call.get_available_state_transitions()):
        raise TransitionConflict(_("The call is %(state)s; that is not possible now.")
                                 % {"state": call.get_state_display()})
    if not has_transition_perm(getattr(call, name), by):
        raise NotPermitted(_("Only an officer of the regional body can change this call."))
    if name == "archive" and call.applications.exclude(state__in=Application.FINAL_STATES).exists():
        raise RuleViolation([_("A call can be archived only when every application in it is finished.")])
    before = call.state
    getattr(call, name)()
    call.save()
    if name == "open":
        journal.book_for_call(call, by=by)
    log_event(by=by, action="transition", obj=call, from_state=before, to_state=call.state)
    return call


def open_call(call: FundingCall, *, by) -> FundingCall:
    return transition_call(call, "open", by=by)
