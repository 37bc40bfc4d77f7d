"""The ledger key and signed checkpoints, as the dossier needs them (DESIGN §7).

`sign(data)` and `public_key()` sign with the ledger's Ed25519 key, which lives outside the database:
the setting LEDGER_SIGNING_KEY (64 hex digits, the private seed) or the file LEDGER_SIGNING_KEY_FILE;
in development (DEBUG) a key is generated into var/ledger-signing.key on first use.

`checkpoint(book, size)` is a signed statement "book B had `size` entries with Merkle root R at T"
in the format `ledger.dossier_check.checkpoint_message` verifies offline.
"""
import os
import threading
from datetime import UTC
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core import clock
from ledger import merkle
from ledger.dossier_check import checkpoint_message, fingerprint
from ledger.models import Book, JournalEntry

_lock = threading.Lock()
_keys: dict = {}


def _key_file() -> Path:
    return Path(getattr(settings, "LEDGER_SIGNING_KEY_FILE", "") or settings.BASE_DIR / "var" / "ledger-signing.key")


def _load() -> Ed25519PrivateKey:
    seed = (getattr(settings, "LEDGER_SIGNING_KEY", "") or "").strip()
    if seed:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
    path = _key_file()
    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    if not settings.DEBUG:
        raise ImproperlyConfigured("No ledger signing key: set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE.")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption()).hex()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    with os.fdopen(fd, "w") as handle:
        handle.write(seed + "\n")
    return key


def _private() -> Ed25519PrivateKey:
    source = (getattr(settings, "LEDGER_SIGNING_KEY", ""), str(_key_file()))
    with _lock:
        if source not in _keys:
            _keys[source] = _load()
        return _keys[source]


def sign(data: bytes) -> bytes:
    return _private().sign(bytes(data))


def public_key() -> bytes:
    return _private().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint() -> str:
    return fingerprint(public_key())


def leaf_hashes(book: Book, size: int) -> list[bytes]:
    """The leaf hashes of the book's first `size` entries, in seq order (32 bytes each)."""
    hashes = (JournalEntry.objects.filter(book=book, seq__lte=size).order_by("seq")
              .values_list("hash", flat=True).iterator(chunk_size=5000))
    return [merkle.leaf_hash(merkle.ledger_leaf(h)) for h in hashes]


def checkpoint(book: Book, size: int, hashes: list[bytes]) -> dict:
    """A checkpoint of the book's first `size` entries, signed now."""
    signed_at = clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = {"log": f"book-{book.pk}", "size": size, "root": merkle.root_from_hashes(hashes[:size]).hex(),
              "signed_at": signed_at}
    return {**fields, "key_fingerprint": key_fingerprint(), "signature": sign(checkpoint_message(fields)).hex()}
