"""Advances (rule T6): an officer decides an advance on an active grant and it is paid at once, as its own
ledger entry. The matching engine offsets it against the following claims' payments (`ledger.matching`),
and recovers what verified costs do not cover when the project ends (final claim, closing, termination)."""
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.permissions import is_officer_of_call
from core.display import sek
from core.errors import NotPermitted, TransitionConflict
from core.locking import for_update
from core.money import ZERO, round_ore
from ledger import grants, journal
from ledger.journal import Leg
from ledger.models import Account, JournalEntry
from ledger.selectors import application_balances

from . import notifications
from .effects import log_event
from .values import money_value, raise_if

ADVANCE_STATES = {Application.State.APPROVED, Application.State.ACTIVE}


def advance_limit(application: Application):
    """The largest advance the call allows: min(share × G, the call's maximum) (rule T6)."""
    decision = grants.latest_decision(application)
    granted = decision.granted_amount if decision else ZERO
    call = application.call
    return round_ore(min(granted * call.max_advance_ratio, call.max_advance))


def advance_of(application: Application) -> JournalEntry | None:
    return application.journal_entries.filter(kind=JournalEntry.Kind.ADVANCE).first()


@transaction.atomic
def pay_advance(application: Application, *, by, amount, reason: str) -> JournalEntry:
    """Decide and pay an advance (rule T6): at most half the grant and at most the call's maximum, once."""
    application = for_update(Application.objects.select_related("call")).get(pk=application.pk)
    if not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only an officer of the call's regional body decides advances."))
    if advance_of(application) is not None:
        raise TransitionConflict(_("This project has already had its advance."))
    errors: dict[str, list] = {}
    if application.state not in ADVANCE_STATES:
        errors.setdefault("__all__", []).append(
            _("An advance can be paid only on an approved or active project; it is %(state)s.")
            % {"state": application.get_state_display()})
    amount = money_value(amount, "amount")
    limit = advance_limit(application)
    balances = application_balances(application)
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The advance must be more than zero."))
    elif amount > limit:
        errors.setdefault("amount", []).append(
            _("The advance %(amount)s is above the limit of %(limit)s (half the grant, at most %(max)s).")
            % {"amount": sek(amount), "limit": sek(limit), "max": sek(application.call.max_advance)})
    elif amount > balances.committed:
        errors.setdefault("amount", []).append(
            _("Only %(left)s of the commitment is left to pay.") % {"left": sek(balances.committed)})
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the rationale for the advance."))
    raise_if(errors)
    book = journal.book_for_call(application.call, by=by)
    entry = journal.append(
        book, kind=JournalEntry.Kind.ADVANCE, by=by, application=application,
        legs=[Leg(journal.account(book, Account.Kind.FUND_PAID, application=application), amount),
              Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), -amount)],
        memo=f"Advance to {application.reference}", payload={"reason": reason.strip(), "limit": str(limit)},
        idempotency_key=f"advance:{application.pk}",
    )
    log_event(by=by, action="advance", obj=entry, application=application, comment=reason,
              changes={"advance": [None, str(amount)]})
    notifications.after_payment(application, "advance_paid", amount)
    return entry
