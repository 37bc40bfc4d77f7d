"""Corrections (rules E7, T10): a reversing entry that names what it corrects.

Part of a posted contribution declared ineligible after the fact, followed by any recovery of fund
paid on it; or part of a fund payment or advance that did not reach the beneficiary (returned by the
bank, paid to the wrong account), which puts the amount back in the commitment, owed again and paid
with the next payment (rule E7).
"""
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
from ledger.selectors import PAYMENT_KINDS, left_to_correct

from . import notifications, settlement
from .effects import log_event
from .values import hours_value, money_value, raise_if

CONTRIBUTIONS = {JournalEntry.Kind.CASH_CONTRIBUTION, JournalEntry.Kind.INKIND_CONTRIBUTION}
PAYMENTS = set(PAYMENT_KINDS)
CORRECTABLE = CONTRIBUTIONS | PAYMENTS


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
    """Reverse part of a posted contribution (then recover any excess) or of a payment (rule E7)."""
    if idempotency_key:
        earlier = JournalEntry.objects.filter(book=entry.book, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if entry.application_id is None:  # the opening entry: no application, and not correctable
        raise RuleViolation([_("Only contributions and payments can be corrected.")])
    application = for_update(Application.objects.select_related("call")).get(pk=entry.application_id)
    if not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only an officer of the call's regional body records corrections."))
    errors: dict[str, list] = {}
    if entry.kind not in CORRECTABLE:
        errors.setdefault("__all__", []).append(_("Only contributions and payments can be corrected."))
    elif entry.kind in PAYMENTS and application.state in Application.FINAL_STATES:
        # rule E7: the unused commitment was released at the end, so nothing would pay the amount again.
        errors.setdefault("__all__", []).append(
            _("The project is %(state)s and its unused commitment released; a payment can be corrected only "
              "while the project runs.") % {"state": application.get_state_display()})
    amount = money_value(amount, "amount")
    legs = list(entry.postings.select_related("account").order_by("ordinal"))
    left = left_to_correct(entry)
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The corrected amount must be more than zero."))
    elif amount > left:
        errors.setdefault("amount", []).append(
            _("At most %(left)s of this entry is left to correct.") % {"left": sek(left)})
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    if entry.kind in PAYMENTS and hours not in (None, ""):
        errors.setdefault("hours", []).append(_("A payment has no hours; leave the hours empty."))
        corrected_hours = None
    else:
        corrected_hours = _corrected_hours(entry, legs, hours, errors)
    raise_if(errors)
    reversed_legs = [Leg(p.account, -amount if p.amount > 0 else amount,
                         None if p.hours is None else -(corrected_hours or ZERO)) for p in legs]
    book = entry.book
    correction = journal.append(
        book, kind=JournalEntry.Kind.CORRECTION, by=by, application=application, corrects=entry,
        claim=entry.claim if entry.kind in PAYMENTS else None,
        legs=reversed_legs, memo=f"Correction of #{entry.seq}: {reason.strip()}"[:500],
        payload={"reason": reason.strip(), "amount": str(amount)}, idempotency_key=idempotency_key,
    )
    if entry.kind in CONTRIBUTIONS:
        # rule T6: once the project has ended, an advance that verified costs no longer cover is recovered too.
        settlement.recover_excess(application, by=by, reason=f"correction of #{entry.seq}",
                                  key=f"recover:{correction.pk}", final=application.state in Application.FINAL_STATES)
    log_event(by=by, action="correction", obj=correction, application=application,
              comment=reason, changes={"amount": [str(left), str(left - amount)]})
    if entry.kind in PAYMENTS:
        notifications.after_payment(application, "payment_corrected", amount)
    return correction
