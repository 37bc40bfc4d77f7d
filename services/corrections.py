"""Corrections (rules E7, T10): part of a posted contribution declared ineligible after the fact,
as a reversing entry that names what it corrects, followed by any recovery of fund paid on it."""
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.permissions import is_officer_of_call
from core.display import sek
from core.errors import NotPermitted, RuleViolation
from core.locking import for_update
from core.money import ZERO
from ledger import journal
from ledger.journal import Leg
from ledger.models import Account, JournalEntry

from . import settlement
from .effects import log_event
from .values import hours_value, money_value, raise_if

CORRECTABLE = {JournalEntry.Kind.CASH_CONTRIBUTION, JournalEntry.Kind.INKIND_CONTRIBUTION}


def _corrected_hours(entry: JournalEntry, legs, hours, errors: dict):
    """The hours reversed with the amount: bounded by what the entry still has (a reversal never exceeds
    what it reverses) and signed like the amount (both reduce the entry: zero or more, never negative)."""
    if hours in (None, ""):
        return None
    try:
        corrected = hours_value(hours, "hours")
    except RuleViolation as exc:
        errors.setdefault("hours", []).extend(exc.field_errors["hours"])
        return None
    cost_legs = [p for p in legs if p.account.kind == Account.Kind.TESTBED_COST and p.hours is not None]
    if not cost_legs:
        if corrected != 0:
            errors.setdefault("hours", []).append(_("This entry has no hours; leave the hours empty."))
        return None
    original = sum((p.hours for p in cost_legs), ZERO)
    already = -sum((p.hours or ZERO for c in entry.corrections.all() for p in c.postings.all()
                    if p.account.kind == Account.Kind.TESTBED_COST), ZERO)
    if corrected < 0:
        errors.setdefault("hours", []).append(
            _("Give the hours taken away as a positive number, like the amount."))
    elif corrected > original - already:
        errors.setdefault("hours", []).append(
            _("At most %(left)s hours of this entry are left to correct.") % {"left": original - already})
    return corrected


@transaction.atomic
def record_correction(entry: JournalEntry, *, by, amount, reason: str, hours=None,
                      idempotency_key: str | None = None) -> JournalEntry:
    """Declare part of a posted contribution ineligible: a reversing entry, then any recovery."""
    if idempotency_key:
        earlier = JournalEntry.objects.filter(book=entry.book, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if entry.application_id is None:  # the opening entry: no application, and not a contribution
        raise RuleViolation([_("Only cash and in-kind contributions can be corrected.")])
    application = for_update(Application.objects.select_related("call")).get(pk=entry.application_id)
    if not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only an officer of the call's regional body records corrections."))
    errors: dict[str, list] = {}
    if entry.kind not in CORRECTABLE:
        errors.setdefault("__all__", []).append(_("Only cash and in-kind contributions can be corrected."))
    amount = money_value(amount, "amount")
    legs = list(entry.postings.select_related("account").order_by("ordinal"))
    already = -sum((p.amount for c in entry.corrections.all() for p in c.postings.all()
                    if p.account.kind == Account.Kind.TESTBED_COST), ZERO)
    original = sum((p.amount for p in legs if p.account.kind == Account.Kind.TESTBED_COST), ZERO)
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The corrected amount must be more than zero."))
    elif amount > original - already:
        errors.setdefault("amount", []).append(
            _("At most %(left)s of this entry is left to correct.") % {"left": sek(original - already)})
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    corrected_hours = _corrected_hours(entry, legs, hours, errors)
    raise_if(errors)
    reversed_legs = [Leg(p.account, -amount if p.amount > 0 else amount,
                         None if p.hours is None else -(corrected_hours or ZERO)) for p in legs]
    book = entry.book
    correction = journal.append(
        book, kind=JournalEntry.Kind.CORRECTION, by=by, application=application, corrects=entry,
        legs=reversed_legs, memo=f"Correction of #{entry.seq}: {reason.strip()}"[:500],
        payload={"reason": reason.strip(), "amount": str(amount)}, idempotency_key=idempotency_key,
    )
    # rule T6: once the project has ended, an advance that verified costs no longer cover is recovered too.
    settlement.recover_excess(application, by=by, reason=f"correction of #{entry.seq}",
                              key=f"recover:{correction.pk}", final=application.state in Application.FINAL_STATES)
    log_event(by=by, action="correction", obj=correction, application=application,
              comment=reason, changes={"amount": [str(original - already), str(original - already - amount)]})
    return correction
