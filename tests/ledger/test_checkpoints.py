"""Signed checkpoints, the key outside the database and the witness files (DESIGN §7, issue 14)."""
import io
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ledger import checkpoints, ed25519, keys, merkle, triggers, verify, witness
from ledger.models import Book, Checkpoint


@pytest.fixture
def fresh_keys():
    keys._cache.clear()
    yield
    keys._cache.clear()


@pytest.fixture
def book(active):
    return Book.objects.get(call=active.call)


@pytest.mark.django_db
def test_a_lost_key_in_production_is_a_clear_error_not_a_crash(book, settings, tmp_path, fresh_keys):
    settings.DEBUG = False
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "gone.key")
    with pytest.raises(CommandError) as caught:
        call_command("verify_ledger", stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 2
    assert "gone.key does not exist" in str(caught.value) and "Traceback" not in str(caught.value)


@pytest.mark.django_db
def test_no_key_setting_at_all_in_production_names_what_to_set(settings, fresh_keys):
    settings.DEBUG = False
    settings.LEDGER_SIGNING_KEY_FILE = ""
    assert "LEDGER_SIGNING_KEY" in keys.problem()


def test_development_generates_a_private_key_file_on_first_use(settings, tmp_path, fresh_keys):
    settings.DEBUG = True
    path = tmp_path / "dev" / "signing.key"
    settings.LEDGER_SIGNING_KEY_FILE = str(path)
    fingerprint = keys.fingerprint()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    keys._cache.clear()
    assert keys.fingerprint() == fingerprint  # the same key after a restart


def test_key_from_the_environment_setting_wins(settings, fresh_keys):
    settings.LEDGER_SIGNING_KEY = "11" * 32
    assert keys.public_key_bytes() == ed25519.public_key(bytes.fromhex("11" * 32))


def test_signatures_verify_with_the_stdlib_ed25519(fresh_keys):
    data = b"MANIFEST of a dossier"
    signature = checkpoints.sign_bytes(data)
    assert ed25519.verify(keys.public_key_bytes(), data, signature)
    assert not ed25519.verify(keys.public_key_bytes(), data + b"!", signature)
    assert checkpoints.public_key_fingerprint() == keys.fingerprint_of(keys.public_key_bytes())


@pytest.mark.django_db
def test_checkpoint_message_is_the_documented_six_lines(book):
    newest = checkpoints.latest_checkpoint(book)
    record = checkpoints.as_record(newest)
    assert checkpoints.message(record).decode() == (
        f"testbed-ledger checkpoint v1\ninstance {record['instance']}\nlog book-{book.pk}\nsize {newest.size}\n"
        f"root {newest.root}\ntime {record['time']}\n")
    assert verify.checkpoint_problem(record, record["public_key"]) is None


@pytest.mark.django_db
def test_inclusion_and_consistency_proofs_of_the_public_api_verify(book):
    newest = checkpoints.latest_checkpoint(book)
    root = bytes.fromhex(newest.root)
    leaves = checkpoints.book_leaf_hashes(book, newest.size)
    for seq in range(1, newest.size + 1):
        proof = checkpoints.inclusion_proof(book, seq)
        assert merkle.verify_inclusion(leaves[seq - 1], seq - 1, newest.size, merkle.proof_from_hex(proof["path"]),
                                       root, hashed=True)
    first = Checkpoint.objects.filter(book=book).order_by("size").first()
    proof = checkpoints.consistency_proof(book, first.size, newest.size)
    assert merkle.verify_consistency(first.size, newest.size, bytes.fromhex(first.root), root,
                                     merkle.proof_from_hex(proof))


@pytest.mark.django_db
def test_checkpoints_are_append_only(book):
    newest = checkpoints.latest_checkpoint(book)
    with pytest.raises(Exception):  # noqa: B017 - the model refuses, and so does the trigger
        newest.save()


@pytest.mark.django_db(transaction=True)
def test_the_witness_gets_every_checkpoint_after_commit_and_fsyncs_a_file_per_book(active, ledger_witness):
    book = Book.objects.get(call=active.call)
    lines = witness.read(f"book-{book.pk}")
    assert [line["size"] for line in lines] == list(range(1, book.head_seq + 1))
    assert all(checkpoints.record_problem(line, instance=witness.instance_id()) is None for line in lines)
    assert os.listdir(ledger_witness) == [f"{witness.instance_id()}.book-{book.pk}.jsonl"]


@pytest.mark.django_db
def test_seeded_demo_verifies(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert out.getvalue().startswith("OK:") and "signed checkpoint" in out.getvalue()


@pytest.mark.django_db
def test_checkpoints_and_verification_runs_have_append_only_triggers(book):
    assert triggers.installed_count(connection, triggers.EVIDENCE_TABLES) == 4
    call_command("verify_ledger", stdout=io.StringIO())
    for sql in ("UPDATE ledger_checkpoint SET size = size + 1", "DELETE FROM ledger_verificationrun"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
