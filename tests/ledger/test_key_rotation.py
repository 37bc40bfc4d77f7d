"""Rotating the ledger's signing key (DESIGN §7): old checkpoints still verify with the retired key,
new ones carry the new key, a tampered ledger is not rotated, and a key the insider makes up is
neither the ledger's nor a retired one. Raw SQL plays the insider, on both engines."""
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger import checkpoints, integrity, keys, witness
from ledger.models import Book, Checkpoint, JournalEntry, VerificationRun
from tests.ledger import tamper
from tests.scenarios import cash, claim_and_pay, months, report


@pytest.fixture
def own_key(settings, tmp_path):
    """A key of this test's own (the session's key must not be rotated under the other tests)."""
    path = tmp_path / "keys" / "signing.key"
    path.parent.mkdir()
    path.write_text(os.urandom(32).hex() + "\n")
    settings.LEDGER_SIGNING_KEY_FILE = str(path)
    return path


@pytest.fixture
def book(own_key, example, applicant, officer, second_officer):
    application, x, _y, reps = example
    cash(application, applicant, "150000.00", "V1")
    report(x, reps, months(application, 0), "100")
    claim_and_pay(application, applicant, officer, second_officer)
    return Book.objects.get()


def verify_exit(capsys):
    try:
        call_command("verify_ledger")
    except SystemExit as exc:
        return exc.code, capsys.readouterr().err
    return 0, capsys.readouterr().out


@pytest.mark.django_db
def test_rotation_keeps_old_checkpoints_verifiable_and_signs_with_the_new_key(
        book, own_key, capsys, example, applicant):
    old = keys.fingerprint()
    signed_before = set(Checkpoint.objects.filter(key_fingerprint=old).values_list("pk", flat=True))
    call_command("rotate_ledger_key")
    out = capsys.readouterr().out
    new = keys.fingerprint()
    assert new != old and f"Retired key {old}" in out and f"New key {new}" in out
    assert own_key.with_name("signing.key.retired").read_text().startswith(keys.public_key_named(old).hex())
    # every head is checkpointed with the new key at once; the old checkpoints stay and verify
    assert checkpoints.latest_checkpoint(book).key_fingerprint == new
    assert signed_before <= set(Checkpoint.objects.filter(key_fingerprint=old).values_list("pk", flat=True))
    assert all(integrity.run_is_signed(run) for run in VerificationRun.objects.all())
    # the journal goes on under the new key
    application, *_rest = example
    cash(application, applicant, "1000.00", "V2")
    assert verify_exit(capsys)[0] == 0


@pytest.mark.django_db
def test_a_lost_retired_list_is_reported_not_ignored(book, own_key, capsys):
    call_command("rotate_ledger_key")
    own_key.with_name("signing.key.retired").unlink()
    code, message = verify_exit(capsys)
    assert code == 1 and "neither this ledger's key" in message


@pytest.mark.django_db
def test_a_tampered_ledger_is_not_rotated(book, own_key, capsys):
    entry = JournalEntry.objects.filter(book=book, kind="fund_payment").get()
    tamper.execute("UPDATE ledger_posting SET amount = amount + 1 WHERE entry_id = %s", [entry.pk])
    old_seed = own_key.read_text()
    with pytest.raises(SystemExit) as exit_:
        call_command("rotate_ledger_key")
    assert exit_.value.code == 1 and "the key is not rotated" in capsys.readouterr().err
    assert own_key.read_text() == old_seed and not own_key.with_name("signing.key.retired").exists()


@pytest.mark.django_db
def test_a_key_from_the_environment_is_not_rotated_by_the_command(settings):
    settings.LEDGER_SIGNING_KEY = os.urandom(32).hex()
    with pytest.raises(CommandError, match="LEDGER_RETIRED_PUBLIC_KEYS"):
        call_command("rotate_ledger_key")


@pytest.mark.django_db
def test_an_insiders_own_key_is_neither_the_ledgers_nor_a_retired_one(book, capsys):
    # the insider signs a checkpoint of the book with a key of their own and inserts it by SQL
    forged_key = Ed25519PrivateKey.generate()
    public = forged_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    latest = checkpoints.latest_checkpoint(book)
    record = {**checkpoints.as_record(latest), "key": keys.fingerprint_of(public)}
    signature = forged_key.sign(checkpoints.message(record)).hex()
    tamper.execute(
        "INSERT INTO ledger_checkpoint (log, book_id, instance_id, size, root, signed_at, key_fingerprint, "
        "signature, frontier) SELECT log, book_id, instance_id, size, root, signed_at, %s, %s, frontier "
        "FROM ledger_checkpoint WHERE id = %s", [record["key"], signature, latest.pk])
    assert witness.instance_id()
    code, message = verify_exit(capsys)
    assert code == 1 and "neither this ledger's key" in message
