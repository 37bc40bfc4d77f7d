"""Ed25519 signature verification from RFC 8032 §5.1, standard library only.

For the offline verifier (`python -m ledger.verify`), which must check our signatures without
any package an auditor would have to install: pure-Python big integers, slow (milliseconds a
signature) and fine for one signature per file. Not constant-time; it handles only public data.

`verify` is the one function the verifier needs. It checks the cofactorless equation
[S]B = R + [k]A (RFC 8032 §5.1.7 step 3 says this is sufficient), the form OpenSSL and so
the `cryptography` package use, so the server's signatures pass here exactly as there; it
rejects S ≥ L and the encodings §5.1.3 cannot decode. It does not reject small-order keys or R, which the
RFC does not ask for either.

`sign` and `public_key` exist for the tests only (RFC 8032 §5.1.5–5.1.6 vectors, fixtures).
The server signs with the `cryptography` package, never with this module.
"""
import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
D = -121665 * pow(121666, P - 2, P) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)  # a square root of -1 mod p

# Extended homogeneous coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z (§5.1.4).
_IDENTITY = (0, 1, 1, 0)


def _recover_x(y: int, sign: int) -> int | None:
    """§5.1.3 steps 2–4: x from y and the sign bit, or None when no point has this y."""
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P  # candidate (u/v)^((p+3)/8)
    vx2 = v * x * x % P
    if vx2 == u:
        pass
    elif vx2 == (-u) % P:
        x = x * _SQRT_M1 % P
    else:
        return None  # u/v is not a square
    if x == 0 and sign:
        return None  # -0 is not a valid encoding
    if x & 1 != sign:
        x = P - x
    return x


_BY = 4 * pow(5, P - 2, P) % P
_BX = _recover_x(_BY, 0)
_B = (_BX, _BY, 1, _BX * _BY % P)


def _add(p1: tuple, p2: tuple) -> tuple:
    """Point addition (§5.1.4, the complete add-2008-hwcd-3 formulas; also right for doubling)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _double(p1: tuple) -> tuple:
    """Point doubling (§5.1.4, dbl-2008-hwcd)."""
    x1, y1, z1, _ = p1
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) ** 2
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s: int, point: tuple) -> tuple:
    """[s]point by double-and-add from the top bit."""
    q = _IDENTITY
    for bit in reversed(range(s.bit_length())):
        q = _double(q)
        if (s >> bit) & 1:
            q = _add(q, point)
    return q


def _equal(p1: tuple, p2: tuple) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    x1, y1, z1, _ = p1
    x2, y2, z2, _ = p2
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _encode(point: tuple) -> bytes:
    """§5.1.2: y in 255 bits little-endian, the low bit of x in the top bit."""
    x, y, z, _ = point
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _decode(data: bytes) -> tuple | None:
    """§5.1.3: a 32-byte string to a point, or None if it encodes none."""
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _sha512_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7 Ed25519 verification (cofactorless). False, never an exception, if anything is malformed."""
    try:
        if not all(isinstance(v, bytes | bytearray | memoryview) for v in (public_key, message, signature)):
            return False
        public_key, message, signature = bytes(public_key), bytes(message), bytes(signature)
        if len(public_key) != 32 or len(signature) != 64:
            return False
        # 1. Decode R and A as points and S as an integer; S must be below L (malleability).
        r_bytes, s_bytes = signature[:32], signature[32:]
        s = int.from_bytes(s_bytes, "little")
        if s >= L:
            return False
        a_point = _decode(public_key)
        r_point = _decode(r_bytes)
        if a_point is None or r_point is None:
            return False
        # 2. k = SHA-512(dom2(F, C) ‖ R ‖ A ‖ PH(M)); for plain Ed25519 dom2 is empty and PH(M) = M.
        k = _sha512_int(r_bytes, public_key, message) % L
        # 3. Cofactorless check [S]B = R + [k]A.
        return _equal(_mul(s, _B), _add(r_point, _mul(k, a_point)))
    except Exception:  # a verifier that raises on hostile input is a denial of service
        return False


# --- test-only: key derivation and signing (§5.1.5, §5.1.6) ----------------------------------------


def _expand(secret_key: bytes) -> tuple[int, bytes]:
    if not isinstance(secret_key, bytes | bytearray) or len(secret_key) != 32:
        raise ValueError("an Ed25519 secret key is 32 bytes")
    h = hashlib.sha512(bytes(secret_key)).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8  # clear the three low bits and the top bit
    a |= 1 << 254  # set bit 254
    return a, h[32:]


def public_key(secret_key: bytes) -> bytes:
    """TEST ONLY. The 32-byte public key of a 32-byte secret key (§5.1.5)."""
    a, _ = _expand(secret_key)
    return _encode(_mul(a, _B))


def sign(secret_key: bytes, message: bytes) -> bytes:
    """TEST ONLY, not constant-time. A 64-byte signature R ‖ S (§5.1.6); the server uses `cryptography`."""
    a, prefix = _expand(secret_key)
    a_bytes = _encode(_mul(a, _B))
    r = _sha512_int(prefix, bytes(message)) % L
    r_bytes = _encode(_mul(r, _B))
    k = _sha512_int(r_bytes, a_bytes, bytes(message)) % L
    return r_bytes + ((r + k * a) % L).to_bytes(32, "little")
