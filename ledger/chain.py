"""Canonical serialisation and hashing of journal entries (standard library only).

One definition of "the bytes that are hashed", shared by the journal when it writes an
entry, by the export, and by the offline verifier, so the three can never disagree.
The format is documented for auditors in reports/EXPORT_FORMAT.md (section 1).
"""
import hashlib
import json
import re
from datetime import UTC, datetime

from core.money import format_sek, round_hours

GENESIS_HASH = "0" * 64

# Exactly the fields that are hashed; the stored "hash" is kept beside them, never inside.
REQUIRED_KEYS = frozenset({"book", "seq", "kind", "occurred_at", "application", "claim", "corrects", "actor",
                           "memo", "payload", "legs", "prev_hash"})
LEG_KEYS = frozenset({"account", "amount", "hours"})

AMOUNT_RE = re.compile(r"^-?\d+\.\d{2}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def format_timestamp(dt: datetime) -> str:
    """UTC with six fraction digits and a Z, so one instant has exactly one spelling in the hash."""
    if not isinstance(dt, datetime):
        raise ValueError(f"{dt!r} is not a datetime.")
    if dt.utcoffset() is None:
        raise ValueError("A naive datetime has no defined instant; give it a time zone.")
    u = dt.astimezone(UTC)
    # Spelled out rather than strftime("%Y"), which does not zero-pad years before 1000 on every platform.
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond:06d}Z")


def leg(account: str, amount, hours=None) -> dict:
    """One leg in canonical form: amount and hours as two-decimal strings, never numbers (rule M8)."""
    return {"account": account, "amount": format_sek(amount),
            "hours": None if hours is None else f"{round_hours(hours):.2f}"}


def entry_dict(*, book: int, seq: int, kind: str, occurred_at, application: str | None, claim: int | None,
               corrects: int | None, actor: str, memo: str, payload: dict, legs: list, prev_hash: str) -> dict:
    """The canonical form of an entry that is hashed, exported and verified offline: the one definition,
    used by the journal when it writes an entry and by the database feed that verifies and exports.

    `occurred_at` is a datetime (formatted here) or an already formatted string; `legs` are leg dicts
    (`leg`) in posting order.
    """
    return {
        "book": book, "seq": seq, "kind": kind,
        "occurred_at": occurred_at if isinstance(occurred_at, str) else format_timestamp(occurred_at),
        "application": application, "claim": claim, "corrects": corrects, "actor": actor, "memo": memo,
        "payload": payload, "legs": legs, "prev_hash": prev_hash,
    }


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_json(value, where: str) -> None:
    """Payload values must serialise the same everywhere: no floats (their text is not canonical)."""
    if isinstance(value, float):
        raise ValueError(f"{where} is a floating-point number; write decimals as strings.")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} has a key that is not a string: {key!r}.")
            _check_json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
    elif value is not None and not isinstance(value, str | int | bool):
        raise ValueError(f"{where} has a value JSON cannot hold: {type(value).__name__}.")


def check_entry(entry: dict) -> None:
    """Raise ValueError naming the first field that breaks the entry format; return None if it is fine."""
    if not isinstance(entry, dict):
        raise ValueError("the entry is not a JSON object.")
    keys = set(entry) - {"hash"}
    if keys != REQUIRED_KEYS:
        missing, extra = sorted(REQUIRED_KEYS - keys), sorted(keys - REQUIRED_KEYS)
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
                ([f"unexpected {', '.join(map(str, extra))}"] if extra else [])
        raise ValueError(f"the entry has the wrong fields: {'; '.join(parts)}.")
    for key in ("book", "seq"):
        if not _is_int(entry[key]) or entry[key] < 1:
            raise ValueError(f"{key} must be a positive integer, not {entry[key]!r}.")
    for key in ("kind", "actor", "memo"):
        if not isinstance(entry[key], str):
            raise ValueError(f"{key} must be a string, not {entry[key]!r}.")
    if not isinstance(entry["occurred_at"], str) or not TIMESTAMP_RE.match(entry["occurred_at"]):
        raise ValueError(f"occurred_at must look like 2026-03-15T09:41:07.123456Z, not {entry['occurred_at']!r}.")
    if entry["application"] is not None and not isinstance(entry["application"], str):
        raise ValueError(f"application must be a reference string or null, not {entry['application']!r}.")
    for key in ("claim", "corrects"):
        if entry[key] is not None and not _is_int(entry[key]):
            raise ValueError(f"{key} must be an integer or null, not {entry[key]!r}.")
    if not isinstance(entry["payload"], dict):
        raise ValueError("payload must be a JSON object.")
    _check_json(entry["payload"], "payload")
    if not isinstance(entry["prev_hash"], str) or not HASH_RE.match(entry["prev_hash"]):
        raise ValueError("prev_hash must be 64 lowercase hexadecimal digits.")
    if not isinstance(entry["legs"], list):
        raise ValueError("legs must be a list.")
    for number, item in enumerate(entry["legs"], start=1):
        if not isinstance(item, dict) or set(item) != LEG_KEYS:
            raise ValueError(f"leg {number} must have exactly the fields account, amount and hours.")
        if not isinstance(item["account"], str) or not item["account"]:
            raise ValueError(f"leg {number} has no account code.")
        if not isinstance(item["amount"], str) or not AMOUNT_RE.match(item["amount"]):
            raise ValueError(f"leg {number} amount must be a string with exactly two decimals, "
                             f"not {item['amount']!r}.")
        if item["hours"] is not None and (not isinstance(item["hours"], str) or not AMOUNT_RE.match(item["hours"])):
            raise ValueError(f"leg {number} hours must be null or a string with exactly two decimals, "
                             f"not {item['hours']!r}.")


def _serialise(entry: dict) -> bytes:
    data = {key: value for key, value in entry.items() if key != "hash"}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_bytes(entry: dict) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8, without the stored "hash"."""
    check_entry(entry)
    return _serialise(entry)


def entry_hash(entry: dict) -> str:
    """SHA-256 (lowercase hex) of the canonical bytes; each entry's hash covers prev_hash, so they chain."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def checked_entry_hash(entry: dict) -> str:
    """`entry_hash` of an entry that `check_entry` has just accepted: the verifier checks each entry
    first to name what is malformed, and checking it twice was a fifth of verification time."""
    return hashlib.sha256(_serialise(entry)).hexdigest()
