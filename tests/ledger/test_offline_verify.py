"""The stdlib verifier: `python -m ledger.verify FILE.jsonl` as an auditor runs it, and verify_entries directly.

No database and no Django: the chain is built here with ledger.chain, written as JSON Lines,
and tampered with in every way the verifier names (reports/EXPORT_FORMAT.md §1.4).
"""
import copy
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledger import verify
from ledger.chain import GENESIS_HASH, entry_hash, format_timestamp, leg
from ledger.verify import VerificationResult, verify_entries

ROOT = Path(__file__).resolve().parents[2]
BOOK = 3
APP = "TB-2026-0001"
START = datetime(2026, 3, 15, 9, 41, 7, 123456, tzinfo=UTC)


def legs_for(seq: int) -> tuple[str, list[dict], dict]:
    """A varied but predictable history: opening, then cash, in-kind, payment and a transition in turn."""
    if seq == 1:
        return "opening", [leg("fund_budget", "1000000"), leg("fund_source", "-1000000")], {}
    amount = 1000 * seq + 25
    kind = ("cash_contribution", "inkind_contribution", "fund_payment", "transition")[seq % 4]
    if kind == "cash_contribution":
        return kind, [leg(f"testbed_cost:{APP}", amount), leg(f"public_cash:{APP}", -amount)], {"contribution": seq}
    if kind == "inkind_contribution":
        return kind, [leg(f"testbed_cost:{APP}", amount), leg(f"inkind:{APP}:556036-0793", -amount, hours=seq * 10)], \
            {"time_report": seq, "hours": f"{seq * 10}.00", "hourly_rate": "800.00"}
    if kind == "fund_payment":
        return kind, [leg(f"fund_paid:{APP}", amount), leg(f"fund_committed:{APP}", -amount)], {"claim": seq}
    return kind, [], {"object": "application", "id": APP, "from": "approved", "to": "active", "comment": "Klart ✓"}


def make_chain(count: int = 20, *, book: int = BOOK) -> list[dict]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        kind, legs, payload = legs_for(seq)
        entry = {
            "book": book, "seq": seq, "kind": kind,
            "occurred_at": format_timestamp(START + timedelta(minutes=seq)),
            "application": None if seq == 1 else APP, "claim": None, "corrects": None,
            "actor": "system" if seq == 1 else "handläggare", "memo": f"Händelse {seq}",
            "payload": payload, "legs": legs, "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(entry)
        entries.append(entry)
    return entries


def jsonl(entries) -> str:
    return "".join(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for e in entries)


def run_verifier(tmp_path, text: str, *args) -> subprocess.CompletedProcess:
    path = tmp_path / "journal.jsonl"
    path.write_text(text, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "ledger.verify", *args, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def index_of(entries, kind: str, after: int = 4) -> int:
    return next(i for i, e in enumerate(entries) if e["kind"] == kind and i >= after)


# ---------------------------------------------------------------- tampering, one function per way

def change_one_amount(entries):
    i = index_of(entries, "cash_contribution")
    entries[i]["legs"][0]["amount"] = "999.00"
    return i, "unbalanced"


def change_both_amounts(entries):
    # Still balances: only the hash can tell.
    i = index_of(entries, "fund_payment")
    entries[i]["legs"][0]["amount"], entries[i]["legs"][1]["amount"] = "123000.00", "-123000.00"
    return i, "altered"


def change_hours(entries):
    i = index_of(entries, "inkind_contribution")
    entries[i]["legs"][1]["hours"] = "110.00"
    return i, "altered"


def change_account(entries):
    i = index_of(entries, "cash_contribution")
    entries[i]["legs"][0]["account"] = "testbed_cost:TB-2026-0002"
    return i, "altered"


def change_occurred_at(entries):
    i = index_of(entries, "transition")
    entries[i]["occurred_at"] = "2026-01-01T00:00:00.000000Z"
    return i, "altered"


def change_memo(entries):
    i = 9
    entries[i]["memo"] = "Inget att se här"
    return i, "altered"


def change_stored_hash(entries):
    i = 11
    entries[i]["hash"] = "f" * 64
    return i, "altered"


def rehash_after_changing(entries):
    # A forger who recomputes the changed entry's hash still breaks the next entry's link.
    i = index_of(entries, "fund_payment")
    entries[i]["legs"][0]["amount"], entries[i]["legs"][1]["amount"] = "123000.00", "-123000.00"
    entries[i]["hash"] = entry_hash(entries[i])
    return i + 1, "broken-link"


def rehash_the_first_with_another_prev_hash(entries):
    entries[0]["prev_hash"] = "1" * 64
    entries[0]["hash"] = entry_hash(entries[0])
    return 0, "broken-link"


def delete_line(entries):
    del entries[7]
    return 7, "missing"


def delete_the_last_but_one_line(entries):
    del entries[-2]
    return len(entries) - 1, "missing"


def swap_two_lines(entries):
    entries[5], entries[6] = entries[6], entries[5]
    return 5, "reordered"


def move_a_line_far_down(entries):
    entries.insert(15, entries.pop(4))
    return 4, "reordered"


def duplicate_a_line(entries):
    entries.insert(8, copy.deepcopy(entries[7]))
    return 8, "reordered"


def float_amount(entries):
    entries[3]["legs"][0]["amount"] = 4025.0
    return 3, "malformed"


def drop_a_field(entries):
    del entries[6]["actor"]
    return 6, "malformed"


def add_a_field(entries):
    entries[6]["approved_by"] = "nobody"
    return 6, "malformed"


def another_book(entries):
    entries[10]["book"] = BOOK + 1
    entries[10]["hash"] = entry_hash(entries[10])
    return 10, "malformed"


TAMPERINGS = [change_one_amount, change_both_amounts, change_hours, change_account, change_occurred_at, change_memo,
              change_stored_hash, rehash_after_changing, rehash_the_first_with_another_prev_hash, delete_line,
              delete_the_last_but_one_line, swap_two_lines, move_a_line_far_down, duplicate_a_line, float_amount,
              drop_a_field, add_a_field, another_book]


# ---------------------------------------------------------------- the command line, as an auditor runs it

def test_intact_file_verifies(tmp_path):
    entries = make_chain()
    result = run_verifier(tmp_path, jsonl(entries))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"OK: 20 entries checked, head {entries[-1]['hash']}\n"


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_tampered_file_fails_naming_the_line_and_the_damage(tmp_path, tamper):
    entries = make_chain()
    index, damage = tamper(entries)
    result = run_verifier(tmp_path, jsonl(entries))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("TAMPERED: entry seq ")
    assert f"(line {index + 1}): {damage} — " in result.stdout
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize("garbage", ["not json at all", '{"book": 3, "seq": 4', "[1, 2, 3]", "null", '{"seq": NaN}'])
def test_a_garbage_line_is_malformed(tmp_path, garbage):
    lines = jsonl(make_chain()).splitlines()
    lines[3] = garbage
    result = run_verifier(tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 1
    assert "(line 4): malformed — " in result.stdout


def test_a_line_that_is_not_utf8_is_malformed(tmp_path):
    path = tmp_path / "journal.jsonl"
    lines = jsonl(make_chain()).encode("utf-8").splitlines(keepends=True)
    lines[2] = b'{"memo": "R\xe4ttelse"}\n'
    path.write_bytes(b"".join(lines))
    assert verify.main([str(path)]) == 1


def test_deleted_lines_are_named_as_a_range(tmp_path):
    entries = make_chain()
    del entries[4:7]
    result = run_verifier(tmp_path, jsonl(entries))
    assert result.returncode == 1
    assert "TAMPERED: entry seq 8 (line 5): missing — entries seq 5–7 are missing before it." in result.stdout


def test_standard_input_is_read_with_a_dash():
    entries = make_chain(5)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "ledger.verify", "-"], cwd=ROOT, env=env, input=jsonl(entries),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == f"OK: 5 entries checked, head {entries[-1]['hash']}\n"


def test_an_unreadable_file_is_exit_code_2(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "ledger.verify", str(tmp_path / "absent.jsonl")], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "cannot read" in result.stderr and result.stdout == ""


def test_usage_errors_are_exit_code_2(capsys):
    assert verify.main([]) == 2
    assert verify.main(["a.jsonl", "--no-such-flag"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_the_verifier_does_not_import_django(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text(jsonl(make_chain(3)), encoding="utf-8")
    code = ("import sys, runpy; sys.argv = ['verify', sys.argv[1]]\n"
            "try:\n    runpy.run_module('ledger.verify', run_name='__main__')\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- slices (--slice, start_seq=None)

def application_slice(entries):
    """Like an application's export: not the opening, and with gaps where other applications' entries were."""
    return [e for e in entries if e["seq"] not in (1, 5, 6, 12)]


def test_a_slice_verifies_with_the_slice_flag_only(tmp_path):
    part = application_slice(make_chain())
    assert run_verifier(tmp_path, jsonl(part), "--slice").returncode == 0
    whole_book_check = run_verifier(tmp_path, jsonl(part))
    assert whole_book_check.returncode == 1 and "(line 1): missing — entry seq 1 is missing" in whole_book_check.stdout


def test_a_tampered_slice_fails(tmp_path):
    part = application_slice(make_chain())
    part[5]["legs"][0]["amount"], part[5]["legs"][1]["amount"] = "1.00", "-1.00"
    result = run_verifier(tmp_path, jsonl(part), "--slice")
    assert result.returncode == 1 and "(line 6): altered" in result.stdout


def test_a_slice_checks_links_between_consecutive_seqs():
    part = application_slice(make_chain())
    # seq 8 and 9 are neighbours in the book: a forged, rehashed seq 8 breaks seq 9's link.
    i = next(i for i, e in enumerate(part) if e["seq"] == 8)
    part[i]["memo"] = "forged"
    part[i]["hash"] = entry_hash(part[i])
    result = verify_entries(part, start_seq=None)
    assert (result.ok, result.bad_seq, result.damage) == (False, 9, "broken-link")


def test_a_slice_in_the_wrong_order_is_reordered():
    part = application_slice(make_chain())
    part[3], part[4] = part[4], part[3]
    result = verify_entries(part, start_seq=None)
    assert (result.damage, result.bad_seq) == ("reordered", part[4]["seq"])


def test_a_slice_from_seq_1_must_link_to_genesis():
    entries = make_chain(3)
    entries[0]["prev_hash"] = "2" * 64
    entries[0]["hash"] = entry_hash(entries[0])
    assert verify_entries(entries, start_seq=None).damage == "broken-link"


# ---------------------------------------------------------------- verify_entries directly

def test_intact_chain_result():
    entries = make_chain()
    result = verify_entries(entries)
    assert result == VerificationResult(ok=True, entries_checked=20, head_hash=entries[-1]["hash"],
                                        message=result.message)
    assert result.summary() == f"OK: 20 entries checked, head {entries[-1]['hash']}"


def test_an_empty_stream_is_intact_at_the_genesis_hash():
    result = verify_entries([])
    assert (result.ok, result.entries_checked, result.head_hash) == (True, 0, GENESIS_HASH)


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_each_damage_is_named_with_its_seq(tamper):
    entries = make_chain()
    index, damage = tamper(entries)
    result = verify_entries(entries)
    assert (result.ok, result.damage, result.bad_seq, result.bad_line) == (False, damage, entries[index]["seq"], None)
    assert result.entries_checked == index
    assert result.head_hash == (entries[index - 1]["hash"] if index else GENESIS_HASH)
    assert result.summary().startswith(f"TAMPERED: entry seq {entries[index]['seq']}: {damage} — ")


def test_unbalanced_message_gives_the_total():
    entries = make_chain()
    change_one_amount(entries)
    assert "its legs add up to" in verify_entries(entries).message


def test_mixed_books_are_refused_with_a_clear_message():
    result = verify_entries(make_chain(4) + make_chain(4, book=BOOK + 1)[4:] + make_chain(6, book=BOOK + 1)[4:])
    assert result.damage == "malformed" and "one book" in result.message


def test_a_non_dict_entry_is_malformed():
    entries = make_chain(3)
    entries[1] = ["not", "an", "entry"]
    result = verify_entries(entries)
    assert (result.damage, result.bad_seq, result.entries_checked) == ("malformed", None, 1)


def test_an_entry_without_its_hash_is_malformed():
    entries = make_chain(3)
    del entries[2]["hash"]
    assert verify_entries(entries).damage == "malformed"


def test_checks_run_in_order_malformed_before_sequence_before_balance_before_hash():
    entries = make_chain(6)
    # seq 6 is both out of place and unbalanced: the sequence is reported.
    entries[5]["seq"] = 9
    entries[5]["legs"][0]["amount"] = "1.00"
    assert verify_entries(entries).damage == "missing"
    # An unbalanced entry whose hash is also wrong is reported as unbalanced.
    entries = make_chain()
    change_one_amount(entries)
    assert verify_entries(entries).damage == "unbalanced"


def test_a_later_start_seq_verifies_the_rest_of_a_book():
    entries = make_chain()
    result = verify_entries(entries[10:], start_seq=11)
    assert result.ok and result.entries_checked == 10
    assert verify_entries(entries[10:], start_seq=12).damage == "reordered"


@pytest.mark.parametrize("start_seq", [0, -1, "1", True])
def test_start_seq_must_be_a_positive_integer_or_none(start_seq):
    with pytest.raises(ValueError, match="start_seq"):
        verify_entries([], start_seq=start_seq)


def test_verification_stops_at_the_first_bad_entry():
    entries = make_chain()
    change_memo(entries)  # entry index 9

    def stream():
        for number, entry in enumerate(entries):
            if number > 9:
                raise AssertionError("read past the first bad entry")
            yield entry

    assert verify_entries(stream()).bad_seq == 10


def test_verification_streams_in_constant_memory():
    def stream(count):
        prev = GENESIS_HASH
        for seq in range(1, count + 1):
            kind, legs, payload = legs_for(seq)
            entry = {"book": BOOK, "seq": seq, "kind": kind, "occurred_at": format_timestamp(START), "application": APP,
                     "claim": None, "corrects": None, "actor": "system", "memo": "x" * 500, "payload": payload,
                     "legs": legs, "prev_hash": prev}
            entry["hash"] = prev = entry_hash(entry)
            yield entry

    def peak(count):
        tracemalloc.start()
        try:
            assert verify_entries(stream(count)).entries_checked == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # Ten times the entries (each well over a kilobyte) must not take noticeably more memory.
    assert peak(3000) < peak(300) + 64 * 1024
