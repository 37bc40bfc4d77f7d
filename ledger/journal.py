"""Appending to the chained journal: the only code that writes JournalEntry and Posting.

An append locks the book row (SELECT … FOR UPDATE on PostgreSQL; SQLite runs every
transaction IMMEDIATE, so the writer already holds the database lock), checks that
the legs balance, computes seq/prev_hash/hash from the canonical serialisation in
`ledger.chain`, and writes entry, legs and the new head in the caller's transaction.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from core.locking import for_update
from core.money import ZERO, format_sek, round_hours, round_ore

from . import chain, checkpoints, rows
from .models import Account, Book, JournalEntry, Posting


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: Decimal
    hours: Decimal | None = None


def book_for_call(call, *, by=None) -> Book:
    """The call's book, opened on first use with the call's fund budget as its first entry."""
    book = Book.objects.filter(call=call).first()
    if book is not None:
        return book
    with transaction.atomic():
        book, created = Book.objects.get_or_create(call=call)
        if created:
            source = account(book, Account.Kind.FUND_SOURCE)
            budget = account(book, Account.Kind.FUND_BUDGET)
            append(
                book, kind=JournalEntry.Kind.OPENING, by=by,
                legs=[Leg(budget, call.fund_budget), Leg(source, -call.fund_budget)],
                memo=f"Fund budget of {call.fund_project_reference}",
                idempotency_key=f"opening:{call.pk}",
            )
    return book


def account_code(kind: str, application=None, partner=None) -> str:
    parts = [kind]
    if application is not None:
        parts.append(application.reference)
    if partner is not None:
        parts.append(partner.company.org_number)
    return ":".join(parts)


def account(book: Book, kind: str, *, application=None, partner=None) -> Account:
    code = account_code(kind, application, partner)
    found, _created = Account.objects.get_or_create(
        book=book, code=code,
        defaults={"kind": kind, "application": application, "partner": partner},
    )
    return found


def chain_dict(entry: JournalEntry, legs) -> dict:
    """The canonical dict (`chain.entry_dict`) of an entry being written; `legs` are
    (account_code, amount, hours) triples in leg order."""
    return chain.entry_dict(
        book=entry.book_id, seq=entry.seq, kind=entry.kind, occurred_at=entry.occurred_at,
        application=entry.application.reference if entry.application_id else None, claim=entry.claim_id,
        corrects=entry.corrects.seq if entry.corrects_id else None, actor=entry.actor_name, memo=entry.memo,
        payload=entry.payload, legs=[chain.leg(code, amount, hours) for code, amount, hours in legs],
        prev_hash=entry.prev_hash,
    )


INSERT_ROWS = 200  # rows per INSERT statement of a batch (SQLite allows 32 766 parameters)


@dataclass(frozen=True)
class Draft:
    """One entry of a batch (`append_many`): the keyword arguments of `append`, book and actor aside."""

    kind: str
    legs: list
    application: object = None
    claim: object = None
    corrects: JournalEntry | None = None
    memo: str = ""
    payload: dict | None = None
    idempotency_key: str | None = None


def _checked_legs(book: Book, kind: str, legs) -> list[Leg]:
    """The legs rounded to öre and hours, refused unless they balance and lie in the book."""
    rounded = [Leg(leg.account, round_ore(leg.amount), None if leg.hours is None else round_hours(leg.hours))
               for leg in legs]
    total = sum((leg.amount for leg in rounded), ZERO)
    if total != ZERO:
        raise RuleViolation(_("The entry does not balance: its legs add up to %(total)s, not 0.00.")
                            % {"total": format_sek(total)})
    if not rounded and kind != JournalEntry.Kind.TRANSITION:
        raise RuleViolation(_("A money entry needs at least two legs."))
    if any(leg.account.book_id != book.pk for leg in rounded):
        raise RuleViolation(_("Every leg of an entry must be in the entry's book."))
    return rounded


def _actor(by):
    if by is not None and by.is_authenticated:
        return by, by.get_username()
    return None, "system"


def append_many(book: Book, drafts: list[Draft], *, by=None) -> list[JournalEntry]:
    """Append a batch of balanced entries under one lock of the book, with one signed checkpoint for
    the batch, and return them in order (an entry whose idempotency key the book already has, or an
    earlier draft of the batch has, is that earlier entry, as `append` returns it).

    The chain is exactly the chain `append` would write one draft at a time (same seqs, links,
    canonical bytes and hashes; tests/ledger/test_append_many.py); only the checkpoints between the
    batch's first and last entry are not signed, which nothing needs: a checkpoint covers every
    entry up to its size. Imports of many items (a verified claim's time reports) post this way.
    """
    checked = [(draft, _checked_legs(book, draft.kind, draft.legs)) for draft in drafts]
    actor, actor_name = _actor(by)
    with transaction.atomic():
        locked = for_update(Book.objects).get(pk=book.pk)
        keys = [draft.idempotency_key for draft in drafts if draft.idempotency_key]
        known = ({e.idempotency_key: e for e in JournalEntry.objects.filter(book=locked, idempotency_key__in=keys)}
                 if keys else {})
        head_before, seq, prev = locked.head_seq, locked.head_seq, locked.head_hash
        out, new, legs_of = [], [], {}
        for draft, rounded in checked:
            if draft.idempotency_key and draft.idempotency_key in known:
                out.append(known[draft.idempotency_key])
                continue
            seq += 1
            entry = JournalEntry(
                book=locked, seq=seq, kind=draft.kind, occurred_at=timezone.now(),
                application=draft.application, claim=draft.claim, corrects=draft.corrects,
                actor=actor, actor_name=actor_name, memo=draft.memo[:500], payload=draft.payload or {},
                idempotency_key=draft.idempotency_key or None, prev_hash=prev,
            )
            entry.hash = chain.entry_hash(
                chain_dict(entry, [(leg.account.code, leg.amount, leg.hours) for leg in rounded]))
            prev = entry.hash
            if draft.idempotency_key:
                known[draft.idempotency_key] = entry
            legs_of[seq] = rounded
            out.append(entry)
            new.append(entry)
        if not new:
            return out
        for first in range(0, len(new), INSERT_ROWS):
            rows.insert(new[first:first + INSERT_ROWS])
        legs = [Posting(entry_id=entry.pk, ordinal=i, account_id=leg.account.pk, amount=leg.amount, hours=leg.hours)
                for entry in new for i, leg in enumerate(legs_of[entry.seq], start=1)]
        for first in range(0, len(legs), INSERT_ROWS):
            rows.insert(legs[first:first + INSERT_ROWS])
        rows.add_to_totals((leg.account.pk, entry.kind, entry.corrects.kind if entry.corrects else "", leg.amount,
                            leg.hours) for entry in new for leg in legs_of[entry.seq])
        last = new[-1]
        Book.objects.filter(pk=locked.pk).update(head_seq=last.seq, head_hash=last.hash)
        checkpoints.after_append(locked, last, head_before=head_before, batch=new)
        book.head_seq, book.head_hash = last.seq, last.hash
    return out


def append(
    book: Book,
    *,
    kind: str,
    legs: list[Leg],
    by=None,
    application=None,
    claim=None,
    corrects: JournalEntry | None = None,
    memo: str = "",
    payload: dict | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Append one balanced entry to `book` and return it (or the earlier one with the same key)."""
    rounded = _checked_legs(book, kind, legs)
    actor, actor_name = _actor(by)
    with transaction.atomic():
        # The same lock and look-up as for_update(Book.objects).get() and .filter().first(), in SQL
        # written once: compiling the querysets was a third of an append (bench/, measurement 1).
        locked = rows.first(Book, "id = %s", [book.pk], lock=True)
        if locked is None:
            raise Book.DoesNotExist(f"book {book.pk}")
        if idempotency_key:
            earlier = rows.first(JournalEntry, "book_id = %s AND idempotency_key = %s", [locked.pk, idempotency_key])
            if earlier is not None:
                return earlier
        entry = JournalEntry(
            book=locked, seq=locked.head_seq + 1, kind=kind, occurred_at=timezone.now(),
            application=application, claim=claim, corrects=corrects, actor=actor, actor_name=actor_name,
            memo=memo[:500], payload=payload or {}, idempotency_key=idempotency_key or None,
            prev_hash=locked.head_hash,
        )
        entry.hash = chain.entry_hash(
            chain_dict(entry, [(leg.account.code, leg.amount, leg.hours) for leg in rounded])
        )
        rows.insert([entry])
        rows.insert([Posting(entry_id=entry.pk, ordinal=i, account_id=leg.account.pk, amount=leg.amount,
                             hours=leg.hours) for i, leg in enumerate(rounded, start=1)])
        rows.add_to_totals((leg.account.pk, kind, corrects.kind if corrects else "", leg.amount, leg.hours)
                           for leg in rounded)
        Book.objects.filter(pk=locked.pk).update(head_seq=entry.seq, head_hash=entry.hash)
        # Signed in this transaction, so every entry we write commits with its checkpoint (DESIGN §7).
        checkpoints.after_append(locked, entry, head_before=locked.head_seq)
        book.head_seq, book.head_hash = entry.seq, entry.hash
    return entry


def lock_book(book: Book) -> Book:
    """Take the book's row lock: appends and approvals of one call queue here (the budget check too)."""
    return for_update(Book.objects).get(pk=book.pk)


def record_transition(application, *, by, from_state: str, to_state: str, comment: str = "", claim=None,
                      book: Book | None = None, audit: dict | None = None):
    """Write a state transition into the chain so the history of decisions is verifiable too.

    `audit` ({"id", "hash"} of the transition's audit event) is chained in the payload when given."""
    book = book or book_for_call(application.call, by=by)
    payload = {
        "object": "claim" if claim else "application",
        "id": str(claim.pk if claim else application.reference),
        "from": from_state, "to": to_state, "comment": comment,
    }
    if audit is not None:
        payload["audit"] = audit
    return append(
        book, kind=JournalEntry.Kind.TRANSITION, legs=[], by=by, application=application, claim=claim,
        memo=f"{'claim' if claim else 'application'} {from_state} → {to_state}",
        payload=payload,
    )


def record_object_transition(application, *, by, object_name: str, object_id, from_state: str, to_state: str,
                             comment: str = "", book: Book | None = None, audit: dict | None = None):
    """A state transition of another object of an application (an amendment), chained like the others;
    `audit` as for record_transition."""
    book = book or book_for_call(application.call, by=by)
    payload = {"object": object_name, "id": str(object_id), "from": from_state, "to": to_state, "comment": comment}
    if audit is not None:
        payload["audit"] = audit
    return append(
        book, kind=JournalEntry.Kind.TRANSITION, legs=[], by=by, application=application,
        memo=f"{object_name} {from_state} → {to_state}", payload=payload,
    )
