"""Canonical form of journal entries: one spelling per entry, so one hash (reports/EXPORT_FORMAT.md §1.3).

Pure: no database, no Django.
"""
import hashlib
import json
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.chain import GENESIS_HASH, REQUIRED_KEYS, canonical_bytes, entry_hash, format_timestamp, leg

STOCKHOLM_WINTER = timezone(timedelta(hours=1))


def sample_entry(**changes) -> dict:
    entry = {
        "book": 1, "seq": 2, "kind": "correction",
        "occurred_at": "2026-03-15T09:41:07.123456Z",
        "application": "TB-2026-0001", "claim": 7, "corrects": 1, "actor": "officer",
        "memo": "Rättelse av kontant bidrag", "payload": {"reason": "fel belopp", "amount": "25000.00"},
        "legs": [{"account": "public_cash:TB-2026-0001", "amount": "25000.00", "hours": None},
                 {"account": "testbed_cost:TB-2026-0001", "amount": "-25000.00", "hours": None}],
        "prev_hash": GENESIS_HASH,
    }
    entry.update(changes)
    return entry


# ---------------------------------------------------------------- legs: amounts and hours (rule M8)

@pytest.mark.parametrize(("given_amount", "text"), [
    (1500, "1500.00"), ("-1500", "-1500.00"), (Decimal("0.5"), "0.50"), ("1 500,25", "1500.25"),
    (Decimal("1.005"), "1.01"), (Decimal("-1.005"), "-1.01"), (Decimal("0"), "0.00"),
])
def test_leg_amount_is_a_string_with_exactly_two_decimals(given_amount, text):
    assert leg("fund_paid:TB-2026-0001", given_amount) == {"account": "fund_paid:TB-2026-0001", "amount": text,
                                                           "hours": None}


@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False))
def test_any_amount_becomes_two_decimals(amount):
    assert re.fullmatch(r"-?\d+\.\d{2}", leg("a", amount)["amount"])


def test_leg_hours_have_two_decimals_or_are_null():
    assert leg("inkind:TB-2026-0001:556036-0793", "-80000", hours="100")["hours"] == "100.00"
    assert leg("inkind:TB-2026-0001:556036-0793", "-80000", hours=Decimal("7.125"))["hours"] == "7.13"
    assert leg("testbed_cost:TB-2026-0001", "80000")["hours"] is None


def test_leg_refuses_float_amounts():
    with pytest.raises(ValueError, match="floating point"):
        leg("a", 0.1)


# ---------------------------------------------------------------- timestamps

def test_timestamp_is_utc_with_six_fraction_digits_and_z():
    local = datetime(2026, 3, 15, 10, 41, 7, 123456, tzinfo=STOCKHOLM_WINTER)
    assert format_timestamp(local) == "2026-03-15T09:41:07.123456Z"


def test_timestamp_keeps_six_fraction_digits_at_a_whole_second():
    assert format_timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"


def test_the_same_instant_in_two_zones_has_one_spelling():
    instant = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert format_timestamp(instant) == format_timestamp(instant.astimezone(timezone(timedelta(hours=2))))


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2026, 3, 15, 9, 41))


# ---------------------------------------------------------------- canonical bytes and the hash

def test_canonical_bytes_are_sorted_compact_utf8_json_without_the_hash():
    entry = sample_entry()
    expected = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_bytes(entry) == expected
    assert canonical_bytes({**entry, "hash": "f" * 64}) == expected
    assert "Rättelse".encode() in expected and b"\\u00e4" not in expected
    assert b": " not in expected and b", " not in expected


def test_key_order_does_not_change_the_bytes_or_the_hash():
    entry = sample_entry()
    keys = list(entry)
    random.Random(4).shuffle(keys)
    shuffled = {key: entry[key] for key in keys}
    shuffled["legs"] = [dict(reversed(list(item.items()))) for item in entry["legs"]]
    shuffled["payload"] = dict(reversed(list(entry["payload"].items())))
    assert list(shuffled) != list(entry)
    assert canonical_bytes(shuffled) == canonical_bytes(entry)
    assert entry_hash(shuffled) == entry_hash(entry)


def test_entry_hash_is_sha256_hex_of_the_canonical_bytes():
    entry = sample_entry()
    assert entry_hash(entry) == hashlib.sha256(canonical_bytes(entry)).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", entry_hash(entry))


def test_the_canonical_form_does_not_drift():
    # Every stored hash depends on this exact spelling; changing it orphans every book already written.
    assert entry_hash(sample_entry()) == "f64777fec82d48ba0cf4e18dd2dbd5d96efc9eb56c8b1cd1cb81dbc7e5c14391"


def test_every_field_is_covered_by_the_hash():
    base = entry_hash(sample_entry())
    for key, other in [("book", 2), ("seq", 3), ("kind", "recovery"), ("occurred_at", "2026-03-15T09:41:07.123457Z"),
                       ("application", None), ("claim", None), ("corrects", None), ("actor", "admin"),
                       ("memo", ""), ("payload", {}), ("legs", []), ("prev_hash", "a" * 64)]:
        assert entry_hash(sample_entry(**{key: other})) != base, key


def test_genesis_hash_is_64_zeros():
    assert GENESIS_HASH == "0" * 64


def test_required_keys_are_the_documented_twelve():
    assert REQUIRED_KEYS == {"book", "seq", "kind", "occurred_at", "application", "claim", "corrects", "actor",
                             "memo", "payload", "legs", "prev_hash"}


def test_a_missing_key_is_refused():
    entry = sample_entry()
    del entry["memo"]
    with pytest.raises(ValueError, match="missing memo"):
        canonical_bytes(entry)


def test_an_extra_key_is_refused():
    with pytest.raises(ValueError, match="unexpected note"):
        canonical_bytes(sample_entry(note="x"))


@pytest.mark.parametrize("amount", ["1500", "1500.0", "1500.000", "1 500.00", "+1500.00", 1500, "1e3", "-.50"])
def test_amounts_must_be_strings_with_two_decimals(amount):
    entry = sample_entry(legs=[{"account": "a", "amount": amount, "hours": None}])
    with pytest.raises(ValueError, match="two decimals"):
        canonical_bytes(entry)


def test_hours_must_be_null_or_two_decimals():
    entry = sample_entry(legs=[{"account": "a", "amount": "0.00", "hours": "100"}])
    with pytest.raises(ValueError, match="hours"):
        canonical_bytes(entry)
    entry["legs"][0]["hours"] = "-0.00"  # a correction's reversing leg of zero hours
    canonical_bytes(entry)


def test_a_leg_needs_exactly_account_amount_and_hours():
    with pytest.raises(ValueError, match="leg 1"):
        canonical_bytes(sample_entry(legs=[{"account": "a", "amount": "0.00"}]))


@pytest.mark.parametrize(("key", "value"), [
    ("seq", "2"), ("seq", 0), ("seq", True), ("book", None), ("claim", "7"), ("memo", None),
    ("occurred_at", "2026-03-15T09:41:07Z"), ("occurred_at", "2026-03-15T10:41:07.123456+01:00"),
    ("prev_hash", "0" * 63), ("prev_hash", "A" * 64), ("payload", []), ("payload", {"rate": 800.5}),
    ("legs", {}),
])
def test_wrongly_typed_fields_are_refused(key, value):
    with pytest.raises(ValueError):
        canonical_bytes(sample_entry(**{key: value}))
