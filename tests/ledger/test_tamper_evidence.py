"""The database insider of DESIGN §7, one test per kind of tampering (issue 14): raw SQL with the
append-only triggers lifted, the public hash algorithm, but no access to the signing key or the
witness files. Each asserts that verify_ledger exits 1 naming the kind, and that the statement
warns on its first page. Runs on SQLite and PostgreSQL (make test-pg / .ci/with-postgres)."""
import pytest
from django.core.management import call_command

from applications.models import Application, AuditEvent, Decision
from ledger import chain, checkpoints, integrity, journal, keys, merkle, verify, witness
from ledger.models import Book, Checkpoint, JournalEntry, LedgerInstance, VerificationRun
from reports.statement import statement_html
from tests.ledger import tamper


@pytest.fixture
def book(paid):
    """A paid claim, verified once (which also gives the witness every checkpoint)."""
    found = Book.objects.get()
    assert run_verify()[0] == 0
    return found


@pytest.fixture
def application(book):
    return Application.objects.get(call=book.call)


def run_verify(*args):
    try:
        call_command("verify_ledger", *args)
    except SystemExit as exc:
        return exc.code, ""
    return 0, ""


def verdict(capsys):
    try:
        call_command("verify_ledger")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def first_page_warning(application) -> str:
    html = statement_html(application)
    start = html.index("<body>")
    return html[start:html.index("<h2>", start)]


def assert_caught(capsys, application, kind, *words):
    code, output = verdict(capsys)
    assert code == 1, output
    assert f": {kind}:" in output, output
    for word in words:
        assert word in output, output
    warning = first_page_warning(application)
    assert "failed verification" in warning


def entry_dicts(book):
    return list(integrity.chain_dicts(JournalEntry.objects.filter(book=book).order_by("seq")))


def insert_entry(book, dict_, *, legs_from):
    """INSERT an entry and its postings as the insider would (no journal, so no checkpoint)."""
    source = JournalEntry.objects.get(book=book, seq=legs_from)
    entry = JournalEntry.objects.create(
        book=book, seq=dict_["seq"], kind=dict_["kind"], occurred_at=source.occurred_at,
        application=source.application, claim=source.claim, actor_name=dict_["actor"], memo=dict_["memo"],
        payload=dict_["payload"], prev_hash=dict_["prev_hash"], hash=chain.entry_hash(dict_),
    )
    for posting in source.postings.order_by("ordinal"):
        tamper.execute("INSERT INTO ledger_posting (entry_id, ordinal, account_id, amount, hours) "
                       "VALUES (%s, %s, %s, %s, %s)",
                       [entry.pk, posting.ordinal, posting.account_id, posting.amount, posting.hours])
    return entry


def forged_copy(book, seq_from, *, seq, prev_hash, memo):
    """A correctly hashed copy of entry `seq_from` placed at `seq`."""
    source = next(d for d in entry_dicts(book) if d["seq"] == seq_from)
    forged = dict(source, seq=seq, prev_hash=prev_hash, memo=memo, corrects=None)
    forged.pop("hash")
    return forged


# --- one test per kind ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_deleting_the_last_entry_and_moving_the_head_back_is_truncation(book, application, capsys):
    last = JournalEntry.objects.get(book=book, seq=book.head_seq)
    tamper.execute("DELETE FROM ledger_posting WHERE entry_id = %s", [last.pk])
    tamper.execute("DELETE FROM ledger_journalentry WHERE id = %s", [last.pk])
    tamper.execute("DELETE FROM ledger_checkpoint WHERE log = %s AND size >= %s", [f"book-{book.pk}", last.seq])
    tamper.execute("UPDATE ledger_book SET head_seq = %s, head_hash = %s WHERE id = %s",
                   [last.seq - 1, last.prev_hash, book.pk])
    assert_caught(capsys, application, "truncated", f"book {book.pk}")


@pytest.mark.django_db(transaction=True)
def test_a_forged_payment_appended_with_a_correct_hash_is_unsigned(book, application, capsys):
    payment = JournalEntry.objects.get(book=book, kind=JournalEntry.Kind.FUND_PAYMENT)
    forged = forged_copy(book, payment.seq, seq=book.head_seq + 1, prev_hash=book.head_hash, memo="Extra payment")
    entry = insert_entry(book, forged, legs_from=payment.seq)
    tamper.execute("UPDATE ledger_book SET head_seq = %s, head_hash = %s WHERE id = %s",
                   [entry.seq, entry.hash, book.pk])
    assert_caught(capsys, application, "unsigned-entries", f"{entry.seq}–{entry.seq}")


@pytest.mark.django_db(transaction=True)
def test_rewriting_the_chain_forward_from_an_altered_entry_changes_the_signed_root(book, application, capsys):
    dicts = entry_dicts(book)
    victim = dicts[len(dicts) // 2]["seq"]
    prev = None
    for d in dicts:
        if d["seq"] < victim:
            prev = d["hash"]
            continue
        d.pop("hash")
        d["prev_hash"] = prev
        if d["seq"] == victim:
            d["memo"] = "rewritten"
        new_hash = chain.entry_hash(d)
        tamper.execute("UPDATE ledger_journalentry SET memo = %s, prev_hash = %s, hash = %s "
                       "WHERE book_id = %s AND seq = %s", [d["memo"], d["prev_hash"], new_hash, book.pk, d["seq"]])
        prev = new_hash
    tamper.execute("UPDATE ledger_book SET head_hash = %s WHERE id = %s", [prev, book.pk])
    linear = verify.verify_entries(integrity.chain_dicts(JournalEntry.objects.filter(book=book).order_by("pk")))
    assert linear.ok  # the linear chain alone cannot tell
    assert_caught(capsys, application, "root-mismatch")


@pytest.mark.django_db(transaction=True)
def test_an_entry_inserted_beyond_the_head_is_named(book, application, capsys):
    payment = JournalEntry.objects.get(book=book, kind=JournalEntry.Kind.FUND_PAYMENT)
    forged = forged_copy(book, payment.seq, seq=book.head_seq + 1, prev_hash=book.head_hash, memo="Hidden payment")
    entry = insert_entry(book, forged, legs_from=payment.seq)
    assert_caught(capsys, application, "beyond-head", f"seq {entry.seq}")


@pytest.mark.django_db(transaction=True)
def test_a_changed_application_state_column_is_a_projection_finding(book, application, capsys):
    tamper.execute("UPDATE applications_application SET state = 'closed' WHERE id = %s", [application.pk])
    assert_caught(capsys, application, "projection", f"application {application.reference} field state", "'closed'")


@pytest.mark.django_db(transaction=True)
def test_a_changed_claim_state_column_is_a_projection_finding(book, application, capsys):
    claim = application.claims.get()
    tamper.execute("UPDATE ledger_claim SET state = 'verified' WHERE id = %s", [claim.pk])
    assert_caught(capsys, application, "projection", f"claim {claim.pk}", "field state")


@pytest.mark.django_db(transaction=True)
def test_a_decision_granted_ten_times_over_is_a_projection_finding(book, application, capsys):
    decision = Decision.objects.get(application=application)
    tamper.execute("UPDATE applications_decision SET granted_amount = granted_amount * 10 WHERE id = %s",
                   [decision.pk])
    assert_caught(capsys, application, "projection", f"decision {decision.pk}", "field granted_amount")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_transition_audit_event_is_named_by_its_chained_hash(book, application, capsys):
    event = AuditEvent.objects.filter(application=application, action="transition").order_by("pk").last()
    tamper.execute("DELETE FROM applications_auditevent WHERE id = %s", [event.pk])
    assert_caught(capsys, application, "projection", f"audit event {event.pk}", "deleted")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_audit_event_of_any_kind_breaks_the_witnessed_audit_log(book, application, capsys):
    event = AuditEvent.objects.exclude(action="transition").order_by("pk").first()
    tamper.execute("DELETE FROM applications_auditevent WHERE id = %s", [event.pk])
    code, output = verdict(capsys)
    assert code == 1 and ": audit-log:" in output and "audit events" in output


@pytest.mark.django_db(transaction=True)
def test_a_wiped_book_with_its_head_reset_is_truncation(book, application, capsys):
    tamper.execute("DELETE FROM ledger_posting WHERE entry_id IN (SELECT id FROM ledger_journalentry "
                   "WHERE book_id = %s)", [book.pk])
    tamper.execute("DELETE FROM ledger_journalentry WHERE book_id = %s", [book.pk])
    tamper.execute("DELETE FROM ledger_checkpoint WHERE book_id = %s", [book.pk])
    tamper.execute("UPDATE ledger_book SET head_seq = 0, head_hash = %s WHERE id = %s", [chain.GENESIS_HASH, book.pk])
    assert_caught(capsys, application, "truncated", "are gone")


@pytest.mark.django_db(transaction=True)
def test_a_forged_verification_run_has_no_valid_signature(book, application, capsys):
    run = VerificationRun.objects.order_by("pk").last()
    tamper.execute("INSERT INTO ledger_verificationrun (book_id, started_at, finished_at, actor_name, ok, "
                   "entries_checked, through_seq, head_hash, damage, message, signature) "
                   "VALUES (%s, %s, %s, 'auditor', %s, %s, %s, %s, '', 'OK', %s)",
                   [book.pk, run.started_at, run.finished_at, True, run.entries_checked, run.through_seq,
                    run.head_hash, "00" * 64])
    assert_caught(capsys, application, "run-forged")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_verification_run_breaks_the_witnessed_runs_log(book, application, capsys):
    run = VerificationRun.objects.order_by("pk").first()
    tamper.execute("DELETE FROM ledger_verificationrun WHERE id = %s", [run.pk])
    assert_caught(capsys, application, "run-missing")


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_deleted_from_the_database_is_missing(book, application, capsys):
    newest = checkpoints.latest_checkpoint(book)
    tamper.execute("DELETE FROM ledger_checkpoint WHERE id = %s", [newest.pk])
    assert_caught(capsys, application, "checkpoint-missing")


@pytest.mark.django_db(transaction=True)
def test_a_badly_signed_checkpoint_is_named(book, application, capsys):
    newest = checkpoints.latest_checkpoint(book)
    tamper.execute("UPDATE ledger_checkpoint SET signature = %s WHERE id = %s", ["11" * 64, newest.pk])
    assert_caught(capsys, application, "bad-signature", "signature does not verify")


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_forged_to_cover_a_forged_entry_is_not_signed_and_not_extended(book, application, officer,
                                                                                     capsys):
    payment = JournalEntry.objects.get(book=book, kind=JournalEntry.Kind.FUND_PAYMENT)
    forged = forged_copy(book, payment.seq, seq=book.head_seq + 1, prev_hash=book.head_hash, memo="Extra payment")
    entry = insert_entry(book, forged, legs_from=payment.seq)
    newest = checkpoints.latest_checkpoint(book)
    builder = merkle.TreeBuilder.from_state(newest.size, merkle.proof_from_hex(newest.frontier))
    builder.append(merkle.ledger_leaf(entry.hash))
    Checkpoint.objects.create(log=newest.log, book=book, instance_id=newest.instance_id, size=entry.seq,
                              root=builder.root().hex(), signed_at=newest.signed_at, signature="22" * 64,
                              key_fingerprint=newest.key_fingerprint, frontier=merkle.proof_to_hex(builder.state()))
    tamper.execute("UPDATE ledger_book SET head_seq = %s, head_hash = %s WHERE id = %s",
                   [entry.seq, entry.hash, book.pk])
    # The next real append must not sign on top of the forged checkpoint.
    later = journal.record_transition(application, by=officer, from_state="active", to_state="active")
    assert checkpoints.latest_checkpoint(book).size == entry.seq and later.seq == entry.seq + 1
    assert_caught(capsys, application, "bad-signature", "signature does not verify")


@pytest.mark.django_db(transaction=True)
def test_entries_with_no_witness_at_all_under_a_new_instance_id(book, application, capsys):
    tamper.execute("DELETE FROM ledger_checkpoint")
    tamper.execute("UPDATE ledger_ledgerinstance SET instance_id = %s", ["00000000-0000-4000-8000-000000000000"])
    assert_caught(capsys, application, "no-witness", "no signed checkpoint")


# --- what must keep working --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_intact_ledger_verifies_against_its_witness(book, application, ledger_witness, capsys):
    code, output = verdict(capsys)
    assert code == 0, output
    assert "signed checkpoint" in output
    lines = witness.read(f"book-{book.pk}")
    assert lines and lines[-1]["size"] == book.head_seq
    assert "failed verification" not in first_page_warning(application)


@pytest.mark.django_db(transaction=True)
def test_witness_files_carry_the_instance_id(book, ledger_witness):
    instance = LedgerInstance.objects.get().instance_id
    names = sorted(p.name for p in ledger_witness.iterdir())
    assert f"{instance}.book-{book.pk}.jsonl" in names and all(n.startswith(instance) for n in names)


@pytest.mark.django_db(transaction=True)
def test_every_append_signs_a_checkpoint_in_its_transaction(book, application, officer):
    entry = journal.record_transition(application, by=officer, from_state="active", to_state="active")
    newest = checkpoints.latest_checkpoint(book)
    assert newest.size == entry.seq
    assert newest.root == merkle.root_from_hashes(checkpoints.book_leaf_hashes(book, entry.seq)).hex()
    assert checkpoints.record_problem(checkpoints.as_record(newest), instance=witness.instance_id()) is None


@pytest.mark.django_db(transaction=True)
def test_the_witness_survives_a_restart(book, application, capsys):
    """The witness is files: after a "restart" (nothing cached) it still shows the truncation."""
    last = JournalEntry.objects.get(book=book, seq=book.head_seq)
    keys._cache.clear()
    tamper.execute("DELETE FROM ledger_posting WHERE entry_id = %s", [last.pk])
    tamper.execute("DELETE FROM ledger_journalentry WHERE id = %s", [last.pk])
    tamper.execute("DELETE FROM ledger_checkpoint")
    tamper.execute("UPDATE ledger_book SET head_seq = %s, head_hash = %s WHERE id = %s",
                   [last.seq - 1, last.prev_hash, book.pk])
    code, output = verdict(capsys)
    assert code == 1 and ": truncated:" in output


@pytest.mark.django_db(transaction=True)
def test_an_edited_account_total_is_a_projection_finding(book, application, capsys):
    """The balance pages read the account totals: an insider who raises the paid total is named."""
    paid = f"fund_paid:{application.reference}"
    tamper.execute("UPDATE ledger_accounttotal SET amount = amount + 1000 WHERE account_id = "
                   "(SELECT id FROM ledger_account WHERE code = %s)", [paid])
    assert_caught(capsys, application, "projection", f"account {paid} field total (fund_payment)",
                  "the account totals say")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_account_total_is_a_projection_finding(book, application, capsys):
    cash = f"public_cash:{application.reference}"
    tamper.execute("DELETE FROM ledger_accounttotal WHERE account_id = "
                   "(SELECT id FROM ledger_account WHERE code = %s)", [cash])
    assert_caught(capsys, application, "projection", f"account {cash} field total (cash_contribution)",
                  "the account totals have no row")
