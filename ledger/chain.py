"""Canonical serialisation and hashing of journal entries (stdlib only)."""
import hashlib
import json
from datetime import UTC

from .money import format_sek

GENESIS_HASH = "0" * 64


def format_timestamp(dt) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leg(account, amount, hours=None) -> dict:
    return {"account": account, "amount": format_sek(amount), "hours": None if hours is None else format_sek(hours)}


def canonical_bytes(entry: dict) -> bytes:
    data = {k: v for k, v in entry.items() if k != "hash"}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()
