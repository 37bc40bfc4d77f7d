"""Measurement 1: posting throughput — `ledger.journal.append` vs the same rows in plain SQL.

Both paths write one balanced two-leg cash entry per transaction into the real tables
(ledger_journalentry, ledger_posting, ledger_accounttotal), each into a book of its own (two bench calls with one active
application each), so both chains stay valid. The service path is the real append: lock the book,
check the idempotency key, round and balance the legs, hash over the canonical form, insert entry
and legs, move the head. The baseline inserts the very same entry and its legs with
`cursor.execute` and adds them to the account totals with one upsert per transaction, nothing else; its seq, prev_hash and hash are computed beforehand, outside the
timing, and its book's head is set once at the end. The two paths alternate in blocks so that a
change in machine load hits both.
"""
import json
import time
from datetime import date, timedelta
from decimal import Decimal

from .timing import rounded

GOAL = 0.5
BLOCKS = 4
WARMUP = 10
BATCH = 100  # entries per transaction of the batched paths


def _bench_call(title: str, officer, applicant_org, n: int):
    """A call with an open book and one active application, made with the ORM (few rows)."""
    from applications.models import Application, FundingCall
    from ledger import journal
    from ledger.models import Account

    today = date.today()
    call = FundingCall.objects.create(
        regional_body_id=officer.memberships.first().organisation_id, title=title,
        fund_project_reference=f"BENCH-THROUGHPUT-{n}", fund_budget=Decimal("100000000.00"),
        opens_on=today - timedelta(days=400), closes_on=today + timedelta(days=400),
        eligible_from=today - timedelta(days=400), eligible_until=today + timedelta(days=800),
        max_hourly_rate=Decimal("1000.00"), max_grant=Decimal("9000000.00"), state=FundingCall.State.OPEN)
    application = Application.objects.create(
        call=call, applicant=applicant_org, reference=f"TB-BENCH-{n:04d}", title=title,
        start_date=today - timedelta(days=300), end_date=today + timedelta(days=700),
        public_cash=Decimal("5000000.00"), state=Application.State.ACTIVE)
    book = journal.book_for_call(call, by=officer)
    # Made active with the ORM: chain the transition too, so verify_ledger's projection agrees.
    journal.record_transition(application, by=officer, from_state="draft", to_state="active", book=book)
    cost = journal.account(book, Account.Kind.TESTBED_COST, application=application)
    cash = journal.account(book, Account.Kind.PUBLIC_CASH, application=application)
    return book, application, cost, cash


def _service_block(book, application, cost, cash, officer, start: int, count: int) -> tuple[float, list]:
    from ledger import journal
    from ledger.journal import Leg
    from ledger.models import JournalEntry

    made = []
    started = time.perf_counter()
    for i in range(start, start + count):
        amount = Decimal(10000 + i % 9000) + Decimal("0.25")
        entry = journal.append(
            book, kind=JournalEntry.Kind.CASH_CONTRIBUTION, by=officer, application=application,
            legs=[Leg(cost, amount), Leg(cash, -amount)], memo=f"Cash BENCH-{i:06d}",
            payload={"cash_contribution": i}, idempotency_key=f"bench-cash:{i}")
        made.append((entry, amount))
    return time.perf_counter() - started, made


def _service_batches(book, application, cost, cash, officer, start: int, count: int,
                     size: int = BATCH) -> tuple[float, list]:
    """`ledger.journal.append_many`, `size` entries per call (one transaction, one lock, one checkpoint)."""
    from ledger import journal
    from ledger.journal import Draft, Leg
    from ledger.models import JournalEntry

    made = []
    started = time.perf_counter()
    for first in range(start, start + count, size):
        amounts = [Decimal(10000 + i % 9000) + Decimal("0.25") for i in range(first, min(first + size, start + count))]
        drafts = [Draft(kind=JournalEntry.Kind.CASH_CONTRIBUTION, application=application,
                        legs=[Leg(cost, amount), Leg(cash, -amount)], memo=f"Cash BENCH-{i:06d}",
                        payload={"cash_contribution": i}, idempotency_key=f"bench-cash:{i}")
                  for i, amount in enumerate(amounts, start=first)]
        entries = journal.append_many(book, drafts, by=officer)
        made.extend(zip(entries, amounts, strict=True))
    return time.perf_counter() - started, made


def _baseline_rows(made, book, application, cost, cash, officer):
    """The same entries for the baseline book, hashed into its chain before any timing."""
    from django.db import connection

    from ledger import chain
    from ledger.journal import chain_dict
    from ledger.models import JournalEntry

    ops, rows = connection.ops, []
    seq, prev = book.head_seq, book.head_hash
    for entry, amount in made:
        seq += 1
        twin = JournalEntry(book=book, seq=seq, kind=entry.kind, occurred_at=entry.occurred_at,
                            application=application, actor=officer, actor_name=entry.actor_name, memo=entry.memo,
                            payload=entry.payload, idempotency_key=entry.idempotency_key, prev_hash=prev)
        twin.hash = chain.entry_hash(chain_dict(twin, [(cost.code, amount, None), (cash.code, -amount, None)]))
        prev = twin.hash
        money = [ops.adapt_decimalfield_value(a, 14, 2) for a in (amount, -amount)]
        rows.append((
            (book.pk, seq, twin.kind, ops.adapt_datetimefield_value(twin.occurred_at), application.pk, None, None,
             officer.pk, twin.actor_name, twin.memo, json.dumps(twin.payload), twin.idempotency_key, twin.prev_hash,
             twin.hash),
            ((1, cost.pk, money[0]), (2, cash.pk, money[1])),
            ((cost.pk, twin.kind, amount), (cash.pk, twin.kind, -amount)),
        ))
    book.head_seq, book.head_hash = seq, prev
    return rows


def _sql_block(rows, per_transaction: int = 1) -> float:
    from django.db import connection, transaction

    from ledger.rows import totals_sql

    payload = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    insert_entry = (
        "INSERT INTO ledger_journalentry (book_id, seq, kind, occurred_at, application_id, claim_id, corrects_id, "
        "actor_id, actor_name, memo, payload, idempotency_key, prev_hash, hash) "
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {payload}, %s, %s, %s) RETURNING id")
    insert_legs = ("INSERT INTO ledger_posting (entry_id, ordinal, account_id, amount, hours) "
                   "VALUES (%s, %s, %s, %s, NULL), (%s, %s, %s, %s, NULL)")
    started = time.perf_counter()
    for first in range(0, len(rows), per_transaction):
        with transaction.atomic():
            with connection.cursor() as cursor:
                totals = {}
                for entry_row, legs, sums in rows[first:first + per_transaction]:
                    cursor.execute(insert_entry, entry_row)
                    entry_id = cursor.fetchone()[0]
                    cursor.execute(insert_legs, (entry_id, *legs[0], entry_id, *legs[1]))
                    for account_id, kind, amount in sums:
                        row = totals.setdefault((account_id, kind), [0, 0])
                        row[0] += amount
                        row[1] += 1
                # The account totals, one upsert per transaction as the journal writes them.
                params = [value for (account_id, kind), (amount, count) in totals.items()
                          for value in (account_id, kind, "", amount, 0, count)]
                cursor.execute(totals_sql("ledger_accounttotal", len(totals)), params)
    return time.perf_counter() - started


def measure(dataset) -> dict:
    from applications.models import Organisation
    from ledger import checkpoints
    from ledger.models import Book

    scale = dataset.scale
    officer = dataset.users["officer"]
    applicant_org = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("pk").first()
    service = _bench_call("Bench throughput: ledger service", officer, applicant_org, 1)
    baseline = _bench_call("Bench throughput: plain SQL", officer, applicant_org, 2)

    # Warm both paths (connections, statement caches, imports) outside the timing.
    _seconds, made = _service_block(*service, officer, 0, WARMUP)
    _sql_block(_baseline_rows(made, *baseline, officer))

    per_block = max(1, scale.throughput_entries // BLOCKS)
    service_seconds = sql_seconds = 0.0
    written = 0
    for block in range(BLOCKS):
        seconds, made = _service_block(*service, officer, WARMUP + block * per_block, per_block)
        service_seconds += seconds
        rows = _baseline_rows(made, *baseline, officer)
        sql_seconds += _sql_block(rows)
        written += len(made)
    # Batched: append_many with BATCH entries per call vs the same INSERTs, BATCH entries per transaction.
    batched_service = batched_sql = 0.0
    batched = 0
    offset = WARMUP + BLOCKS * per_block
    per_batched_block = max(BATCH, scale.throughput_entries * 2 // BLOCKS // BATCH * BATCH)
    for block in range(BLOCKS):
        seconds, made = _service_batches(*service, officer, offset + block * per_batched_block, per_batched_block)
        batched_service += seconds
        batched_sql += _sql_block(_baseline_rows(made, *baseline, officer), per_transaction=BATCH)
        batched += len(made)
    book = baseline[0]
    Book.objects.filter(pk=book.pk).update(head_seq=book.head_seq, head_hash=book.head_hash)
    # The baseline's rows were written outside the journal, so nothing signed them: sign its head
    # now, as an upgrade adopts a book, or verify_ledger rightly names them unsigned-entries.
    checkpoints.checkpoint_book(Book.objects.get(pk=book.pk))

    service_rate = written / service_seconds
    sql_rate = written / sql_seconds
    ratio = service_rate / sql_rate
    return {
        "entries": written,
        "legs_per_entry": 2,
        "service_entries_per_s": rounded(service_rate, 1),
        "sql_entries_per_s": rounded(sql_rate, 1),
        "service_ms_per_entry": rounded(1000 * service_seconds / written, 3),
        "sql_ms_per_entry": rounded(1000 * sql_seconds / written, 3),
        "ratio": rounded(ratio, 3),
        "goal": f">= {GOAL}",
        "met": ratio >= GOAL,
        "books": [service[0].pk, baseline[0].pk],
        "batched": batched_figures(batched, batched_service, batched_sql),
    }


def batched_figures(entries: int, service_seconds: float, sql_seconds: float) -> dict:
    ratio = (entries / service_seconds) / (entries / sql_seconds)
    return {
        "entries": entries,
        "entries_per_transaction": BATCH,
        "service_entries_per_s": rounded(entries / service_seconds, 1),
        "sql_entries_per_s": rounded(entries / sql_seconds, 1),
        "service_ms_per_entry": rounded(1000 * service_seconds / entries, 3),
        "sql_ms_per_entry": rounded(1000 * sql_seconds / entries, 3),
        "ratio": rounded(ratio, 3),
        "goal": f">= {GOAL}",
        "met": ratio >= GOAL,
    }
