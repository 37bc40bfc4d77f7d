"""Money moved by the life cycle and by claims: commitment of a grant, recovery of an overpayment,
release of an unused commitment. Called by lifecycle, claims and corrections, inside their
transactions, after they have checked roles and rules."""
from applications.models import Application, Decision
from core.money import ZERO, format_sek
from ledger import grants, journal
from ledger.journal import Leg
from ledger.models import Account, Book, JournalEntry
from ledger.selectors import application_balances


def commit_grant(application: Application, decision: Decision, *, by, book: Book) -> JournalEntry:
    """Move the granted amount from the call budget to the application (rule M6).

    The caller (lifecycle.approve) holds the book's lock and has checked the remaining budget once,
    in rules.approval_problems, so concurrent approvals cannot over-commit the call.
    """
    return journal.append(
        book, kind=JournalEntry.Kind.COMMITMENT, by=by, application=application,
        legs=[Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application),
                  decision.granted_amount),
              Leg(journal.account(book, Account.Kind.FUND_BUDGET), -decision.granted_amount)],
        memo=f"Grant to {application.reference}",
        # The decision's amounts are chained with it, so verify_ledger can compare the table (DESIGN §7).
        payload={"decision": decision.pk, "granted_amount": format_sek(decision.granted_amount),
                 "approved_public_cash": format_sek(decision.approved_public_cash),
                 "approved_inkind_value": format_sek(decision.approved_inkind_value),
                 "approved_hours": format_sek(decision.approved_hours)},
        idempotency_key=f"commit:{decision.pk}",
    )


def recover_excess(application, *, by, reason: str, claim=None, key: str | None = None):
    """Post a recovery of fund paid beyond what the matching engine now allows (rules M7, E7), if any."""
    payout = grants.payout(application)
    if payout.recovery <= ZERO:
        return None
    book = journal.book_for_call(application.call)
    return journal.append(
        book, kind=JournalEntry.Kind.RECOVERY, by=by, application=application, claim=claim,
        legs=[Leg(journal.account(book, Account.Kind.FUND_RECOVERED, application=application), -payout.recovery),
              Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), payout.recovery)],
        memo=f"Recovery of overpaid fund ({reason})",
        payload={"matched_cash": str(payout.matched_cash), "cumulative_payable": str(payout.cumulative_payable)},
        idempotency_key=key,
    )


def settle_on_end(application: Application, *, by, terminated: bool) -> list[JournalEntry]:
    """On close or termination: recover any overpayment, then release the unused commitment."""
    entries = []
    recovery = recover_excess(application, by=by, reason="termination" if terminated else "closing")
    if recovery is not None:
        entries.append(recovery)
    outstanding = application_balances(application).committed
    if outstanding > ZERO:
        book = journal.book_for_call(application.call)
        entries.append(journal.append(
            book, kind=JournalEntry.Kind.DECOMMITMENT, by=by, application=application,
            legs=[Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), -outstanding),
                  Leg(journal.account(book, Account.Kind.FUND_BUDGET), outstanding)],
            memo=f"Unused commitment of {application.reference} returned to the call budget",
            idempotency_key=f"decommit:{application.pk}:{application.state}",
        ))
    return entries
