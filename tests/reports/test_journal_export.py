"""Journal export → offline verifier round trip: intact exports pass, every kind of tampering is caught.

The verifier runs as an auditor would run it: `python -m ledger.verify FILE` in a
subprocess, with no Django settings and no database.
"""
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from applications.models import Application
from config.settings import DATABASE_URL
from ledger import verify
from ledger.chain import entry_hash
from ledger.models import Book, JournalEntry, Posting
from reports import journal_export

ROOT = Path(__file__).resolve().parents[2]

# Marks the module as a database user, so that pytest-django creates the test database before
# the module fixture below seeds it (without any marked test it would not, and the fixture would
# reach the development database).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_export(django_db_setup, django_db_blocker):
    """The seeded demo's book and slice exports, made once; the demo is rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        assert connection.settings_dict["NAME"] != dj_database_url.parse(DATABASE_URL)["NAME"], "not the test database"
        call_command("seed_demo", stdout=io.StringIO())
        book = Book.objects.get()
        application = Application.objects.get(reference="TB-2026-0001")
        signed_book = b"".join(journal_export.jsonl_lines(book)).decode("utf-8")
        signed_slice = b"".join(journal_export.jsonl_lines(book, application)).decode("utf-8")
        export = {
            # Without the header (and the slice without proofs): the format before signed checkpoints,
            # which must go on verifying (old exports), and what the tampering below works on.
            "book": "".join(line + "\n" for line in signed_book.splitlines()[1:]),
            "slice": "".join(journal_export.canonical_json({k: v for k, v in json.loads(line).items() if k != "proof"})
                             + "\n" for line in signed_slice.splitlines()[1:]),
            "signed_book": signed_book, "signed_slice": signed_slice,
            "csv": b"".join(journal_export.csv_lines(book)).decode("utf-8"),
            "head_seq": book.head_seq, "head_hash": book.head_hash,
            "legs": Posting.objects.filter(entry__book=book).count(),
            "legless": JournalEntry.objects.filter(book=book, postings__isnull=True).count(),
            "slice_seqs": list(JournalEntry.objects.filter(application=application).order_by("seq")
                               .values_list("seq", flat=True)),
        }
        transaction.set_rollback(True)
    return export


def run_verifier(tmp_path, text: str, *args) -> subprocess.CompletedProcess:
    path = tmp_path / "export.jsonl"
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "ledger.verify", *args, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def dump(entries) -> str:
    return "".join(journal_export.canonical_json(e) + "\n" for e in entries)


def find(entries, kind: str) -> int:
    return next(i for i, e in enumerate(entries) if e["kind"] == kind)


def test_every_line_is_one_canonical_entry_with_its_hash(demo_export):
    text = demo_export["book"]
    assert text.endswith("\n") and len(text.splitlines()) == demo_export["head_seq"]
    for number, line in enumerate(text.splitlines(), start=1):
        entry = json.loads(line)
        assert entry["seq"] == number and len(entry["hash"]) == 64
        assert journal_export.canonical_json(entry) == line


def test_intact_book_export_verifies_offline(demo_export, tmp_path):
    result = run_verifier(tmp_path, demo_export["book"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"OK: {demo_export['head_seq']} entries checked, head {demo_export['head_hash']}" in result.stdout


def test_intact_application_slice_verifies_offline(demo_export, tmp_path):
    result = run_verifier(tmp_path, demo_export["slice"], "--slice")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [e["seq"] for e in lines(demo_export["slice"])] == demo_export["slice_seqs"]
    assert {e["application"] for e in lines(demo_export["slice"])} == {"TB-2026-0001"}


def _alter_amount(entries):
    i = find(entries, "fund_payment")
    # Both legs, so the entry still balances: only the hash can tell.
    for leg in entries[i]["legs"]:
        leg["amount"] = leg["amount"].replace("122000.00", "123000.00")
    return i


def _alter_hours(entries):
    i = find(entries, "inkind_contribution")
    for leg in entries[i]["legs"]:
        leg["hours"] = "110.00"
    return i


def _alter_account(entries):
    i = find(entries, "cash_contribution")
    entries[i]["legs"][0]["account"] = "testbed_cost:TB-2026-0002"
    return i


def _alter_timestamp(entries):
    i = find(entries, "commitment")
    entries[i]["occurred_at"] = "2026-01-01T00:00:00.000000Z"
    return i


def _alter_hash(entries):
    i = find(entries, "recovery")
    entries[i]["hash"] = "f" * 64
    return i


def _alter_memo(entries):
    i = find(entries, "correction")
    entries[i]["memo"] = "Rättelse"
    return i


def _rehash_after_alteration(entries):
    """A forger who recomputes the altered entry's hash still breaks the link to the next entry."""
    from ledger.chain import entry_hash

    i = find(entries, "fund_payment")
    for leg in entries[i]["legs"]:
        leg["amount"] = leg["amount"].replace("122000.00", "123000.00")
    entries[i]["hash"] = entry_hash(entries[i])
    return i + 1


def _delete_line(entries):
    i = find(entries, "fund_payment")
    del entries[i]
    return i


def _swap_lines(entries):
    i = find(entries, "cash_contribution")
    entries[i], entries[i + 1] = entries[i + 1], entries[i]
    return i


@pytest.mark.parametrize("tamper", [_alter_amount, _alter_hours, _alter_account, _alter_timestamp, _alter_hash,
                                    _alter_memo, _rehash_after_alteration, _delete_line, _swap_lines],
                         ids=lambda f: f.__name__.strip("_"))
def test_tampered_export_fails_naming_the_first_bad_line(demo_export, tmp_path, tamper):
    entries = lines(demo_export["book"])
    index = tamper(entries)
    result = run_verifier(tmp_path, dump(entries))
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("TAMPERED") and f"(line {index + 1})" in result.stdout


def test_tampered_slice_fails(demo_export, tmp_path):
    entries = lines(demo_export["slice"])
    index = _alter_amount(entries)
    result = run_verifier(tmp_path, dump(entries), "--slice")
    assert result.returncode == 1 and f"(line {index + 1})" in result.stdout


def test_truncated_line_fails_as_malformed(demo_export, tmp_path):
    text = demo_export["book"].splitlines()
    text[3] = text[3][: len(text[3]) // 2]
    result = run_verifier(tmp_path, "\n".join(text) + "\n")
    assert result.returncode == 1 and "(line 4)" in result.stdout and "malformed" in result.stdout


def test_csv_has_one_row_per_leg(demo_export):
    rows = list(csv.DictReader(io.StringIO(demo_export["csv"], newline="")))
    assert list(rows[0]) == journal_export.CSV_COLUMNS
    assert len(rows) == demo_export["legs"] + demo_export["legless"]
    opening = [r for r in rows if r["seq"] == "1"]
    assert [(r["leg"], r["account"], r["amount"]) for r in opening] == [
        ("1", "fund_budget", "10000000.00"), ("2", "fund_source", "-10000000.00")]


def test_csv_rebuilds_the_verifiable_chain(demo_export):
    rows = csv.DictReader(io.StringIO(demo_export["csv"], newline=""))
    rebuilt = list(journal_export.entries_from_csv_rows(rows))
    assert rebuilt == lines(demo_export["book"])
    result = verify.verify_entries(rebuilt)
    assert result.ok and result.head_hash == demo_export["head_hash"]


# ---------------------------------------------------------------- signed exports (issue 14)


def test_signed_book_export_verifies_against_its_checkpoint_with_no_flags(demo_export, tmp_path):
    result = run_verifier(tmp_path, demo_export["signed_book"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the full book of {demo_export['head_seq']} entries verified against signed checkpoint" in result.stdout


def test_signed_slice_is_recognised_and_verified_by_inclusion_proofs(demo_export, tmp_path):
    result = run_verifier(tmp_path, demo_export["signed_slice"])
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(demo_export["slice_seqs"])
    assert f"{count} entries of application TB-2026-0001 verified by inclusion proofs" in result.stdout


def test_signed_export_names_the_key_in_its_header(demo_export):
    header = json.loads(demo_export["signed_slice"].splitlines()[0])
    assert header["format"] == "testbed-ledger-slice/1"
    assert header["fingerprint"] == hashlib.sha256(bytes.fromhex(header["public_key"])).hexdigest()
    assert header["checkpoint"]["key"] == header["fingerprint"]


def test_slice_entry_rewritten_with_a_fresh_hash_fails_its_inclusion_proof(demo_export, tmp_path):
    text = demo_export["signed_slice"].splitlines()
    entry = json.loads(text[-1])
    proof = entry.pop("proof")
    entry.pop("hash")
    entry["memo"] = "rewritten"
    entry["hash"] = entry_hash(entry)
    entry["proof"] = proof
    text[-1] = journal_export.canonical_json(entry)
    result = run_verifier(tmp_path, "\n".join(text) + "\n")
    assert result.returncode == 1 and "not-included" in result.stdout


def test_slice_with_a_forged_checkpoint_signature_is_refused(demo_export, tmp_path):
    text = demo_export["signed_slice"].splitlines()
    header = json.loads(text[0])
    header["checkpoint"]["root"] = "0" * 64
    text[0] = journal_export.canonical_json(header)
    result = run_verifier(tmp_path, "\n".join(text) + "\n")
    assert result.returncode == 1 and "bad-signature" in result.stdout and "Ed25519" in result.stdout


def test_signed_book_export_missing_its_last_entry_is_truncated(demo_export, tmp_path):
    text = demo_export["signed_book"].splitlines()[:-1]
    result = run_verifier(tmp_path, "\n".join(text) + "\n")
    assert result.returncode == 1 and "truncated" in result.stdout


def test_verifier_refuses_an_unexpected_key(demo_export, tmp_path):
    result = run_verifier(tmp_path, demo_export["signed_slice"], "--key", "ab" * 32)
    assert result.returncode == 1 and "not the expected" in result.stdout
