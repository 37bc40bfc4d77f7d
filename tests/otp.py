"""TOTP codes computed the way an authenticator app does (RFC 6238 over RFC 4226, SHA-1, 6 digits,
30-second steps), written here from the RFCs so the tests do not trust the library they test."""
import base64
import hashlib
import hmac
import struct
import time


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp(key: bytes, *, steps_ahead: int = 0, now: float | None = None) -> str:
    """The code of the current 30-second step (or one `steps_ahead`, as a clock slightly fast shows)."""
    return hotp(key, int((time.time() if now is None else now) // 30) + steps_ahead)


def key_from_text(text: str) -> bytes:
    """The key as the enrolment page prints it: base32 in groups of four."""
    text = text.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))
