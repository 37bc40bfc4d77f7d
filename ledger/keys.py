"""The ledger's Ed25519 signing key, which lives outside the database (DESIGN §7).

Public API (used by checkpoints, statements, exports and the auditor's dossier):

* `sign(data: bytes) -> bytes` — a 64-byte Ed25519 signature of any bytes (a checkpoint
  message, a dossier MANIFEST) with the ledger key; verify it with `verify` or, offline and
  without any package, with `ledger.ed25519.verify`.
* `public_key_bytes()` / `public_key_hex()` — the 32-byte public key (RFC 8032 encoding).
* `fingerprint()` — SHA-256 of the 32 public-key bytes, 64 hex digits: how documents name the key;
  `short_fingerprint()` — the same in groups of four, first 32 digits, for a printed page.
* `verify(data, signature, public_key=None) -> bool`.
* `known_public_keys()` / `public_key_named(fingerprint)` — the current key and the keys retired by
  `rotate()` (`manage.py rotate_ledger_key`), by fingerprint: a checkpoint names its key, and one
  signed before a rotation still verifies with the retired key.
* `SigningKeyMissing` — raised (an `ImproperlyConfigured`) when production has no key; commands
  turn it into a one-line error, and the system check `ledger.E001` reports it at start-up.

Where the key comes from, first match wins:
1. `settings.LEDGER_SIGNING_KEY` (environment variable of the same name): 64 hex digits, the
   32-byte private seed;
2. the file `settings.LEDGER_SIGNING_KEY_FILE`: the same 64 hex digits (a trailing newline is fine);
3. in development only (`DEBUG`), a new key is generated into that file (mode 0600) on first use.
With `DJANGO_DEBUG=0` a missing key is refused: a new key would silently make every earlier
signature unverifiable by the documents' printed fingerprint.
"""
import hashlib
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_SEED_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_lock = threading.Lock()
_cache: dict[tuple, Ed25519PrivateKey] = {}


class SigningKeyMissing(ImproperlyConfigured):
    """No usable ledger signing key: the message says what to set."""


def _source() -> tuple[str, str]:
    return (getattr(settings, "LEDGER_SIGNING_KEY", "") or "", getattr(settings, "LEDGER_SIGNING_KEY_FILE", "") or "")


def _from_hex(text: str, where: str) -> Ed25519PrivateKey:
    text = text.strip()
    if not _SEED_RE.match(text):
        raise SigningKeyMissing(f"The ledger signing key in {where} is not 64 hexadecimal digits "
                                "(the 32-byte Ed25519 private seed).")
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text))


def _generate(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _from_hex(path.read_text(), str(path))
    with os.fdopen(fd, "w") as handle:
        handle.write(seed.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _load(value: str, path: str) -> Ed25519PrivateKey:
    if value:
        return _from_hex(value, "LEDGER_SIGNING_KEY")
    if path:
        file = Path(path)
        if file.exists():
            try:
                return _from_hex(file.read_text(), str(file))
            except OSError as exc:
                raise SigningKeyMissing(f"Cannot read the ledger signing key file {file}: {exc.strerror}.") from exc
        if settings.DEBUG:
            return _generate(file)
        raise SigningKeyMissing(f"The ledger signing key file {file} does not exist. Restore it from the "
                                "backup, or set LEDGER_SIGNING_KEY; a new key cannot vouch for old checkpoints.")
    raise SigningKeyMissing("No ledger signing key: set LEDGER_SIGNING_KEY (64 hex digits) or "
                            "LEDGER_SIGNING_KEY_FILE (a file outside the database) when DJANGO_DEBUG=0.")


def private_key() -> Ed25519PrivateKey:
    """The signing key (loaded once per process and setting)."""
    source = _source()
    with _lock:
        key = _cache.get(source)
        if key is None:
            key = _cache[source] = _load(*source)
    return key


def problem() -> str | None:
    """Why there is no usable key, or None: for the system check."""
    try:
        private_key()
    except SigningKeyMissing as exc:
        return str(exc)
    return None


def sign(data: bytes) -> bytes:
    """Ed25519 signature (64 bytes) of `data` with the ledger key."""
    return private_key().sign(bytes(data))


def public_key_bytes() -> bytes:
    return private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_hex() -> str:
    return public_key_bytes().hex()


def fingerprint_of(public_key: bytes) -> str:
    """SHA-256 of the 32 raw public-key bytes, lowercase hex."""
    return hashlib.sha256(bytes(public_key)).hexdigest()


def fingerprint() -> str:
    return fingerprint_of(public_key_bytes())


def short_fingerprint() -> str:
    """The first 32 hex digits of the fingerprint in groups of four, for printed pages."""
    digits = fingerprint()[:32]
    return " ".join(digits[i:i + 4] for i in range(0, 32, 4))


def verify(data: bytes, signature: bytes, public_key: bytes | None = None) -> bool:
    """Is `signature` a valid Ed25519 signature of `data` by `public_key` (default: the ledger key)?"""
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key if public_key is not None else public_key_bytes())
        key.verify(bytes(signature), bytes(data))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- rotation -------------------------------------------------------------------------------------


def retired_keys_file() -> Path | None:
    """Where the retired public keys are listed: the setting, else beside the key file."""
    configured = getattr(settings, "LEDGER_RETIRED_KEYS_FILE", "") or ""
    if configured:
        return Path(configured)
    key_file = _source()[1]
    return Path(key_file + ".retired") if key_file else None


def _retired_public_keys() -> list[bytes]:
    found = [bytes.fromhex(k) for k in getattr(settings, "LEDGER_RETIRED_PUBLIC_KEYS", []) if _PUBLIC_RE.match(k)]
    path = retired_keys_file()
    if path is not None and path.exists():
        for line in path.read_text().splitlines():
            first = line.split()[0] if line.split() else ""
            if _PUBLIC_RE.match(first):
                found.append(bytes.fromhex(first))
    return found


_PUBLIC_RE = re.compile(r"^[0-9a-fA-F]{64}$")


def known_public_keys() -> dict[str, bytes]:
    """Fingerprint → public key, for the current key and every retired one."""
    known = {fingerprint_of(key): key for key in _retired_public_keys()}
    known[fingerprint()] = public_key_bytes()
    return known


def public_key_named(key_fingerprint: str) -> bytes | None:
    """The public key with this fingerprint if it is the ledger's (current or retired), else None."""
    return known_public_keys().get(str(key_fingerprint))


class RotationRefused(ImproperlyConfigured):
    """The key cannot be rotated here: the message says why."""


def rotate() -> tuple[str, str]:
    """Retire the current key and put a new one in the key file; returns (old, new) fingerprints.

    The old public key is appended to the retired list (and forced to disk) before the new key
    replaces the old in one rename, so a crash in between leaves the old key in use and known.
    Processes that loaded the old key keep signing with it until restarted; those signatures verify.
    """
    value, path = _source()
    if value:
        raise RotationRefused("The key comes from LEDGER_SIGNING_KEY: put a new seed there and the old public key "
                              "in LEDGER_RETIRED_PUBLIC_KEYS instead.")
    if not path:
        raise RotationRefused("No LEDGER_SIGNING_KEY_FILE to rotate.")
    old_public, old_fingerprint = public_key_bytes(), fingerprint()
    retired = retired_keys_file()
    retired.parent.mkdir(parents=True, exist_ok=True)
    with open(retired, "a") as handle:
        handle.write(f"{old_public.hex()} retired {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        handle.flush()
        os.fsync(handle.fileno())
    new = Ed25519PrivateKey.generate()
    seed = new.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    staging = Path(path + ".new")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(seed.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)
    with _lock:
        _cache.clear()
    return old_fingerprint, fingerprint()
