"""ledger.ed25519 against RFC 8032 §7.1, against hostile input, and against the `cryptography` package."""
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import ed25519

ROOT = Path(__file__).resolve().parents[2]
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493

MESSAGE_1024 = bytes.fromhex(
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
    "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
    "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
    "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
    "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
    "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
    "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
    "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
    "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
    "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
    "c60c905c15fc910840b94c00a0b9d0"
)

# RFC 8032 §7.1: (name, SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE)
RFC8032 = [
    ("TEST 1",
     "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     b"",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("TEST 2",
     "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     bytes.fromhex("72"),
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("TEST 3",
     "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
     bytes.fromhex("af82"),
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ("TEST 1024",
     "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     MESSAGE_1024,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
    ("TEST SHA(abc)",
     "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     hashlib.sha512(b"abc").digest(),
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
]
VECTORS = [pytest.param(bytes.fromhex(sk), bytes.fromhex(pk), msg, bytes.fromhex(sig), id=name)
           for name, sk, pk, msg, sig in RFC8032]


def flip(data: bytes, bit: int) -> bytes:
    b = bytearray(data)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def with_s(signature: bytes, s: int) -> bytes:
    return signature[:32] + s.to_bytes(32, "little")


def ours_from_cryptography(secret: bytes) -> tuple[bytes, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.from_private_bytes(secret)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw), key


@pytest.mark.parametrize(("secret", "public", "message", "signature"), VECTORS)
def test_rfc8032_vectors(secret, public, message, signature):
    assert ed25519.verify(public, message, signature)
    assert ed25519.public_key(secret) == public
    assert ed25519.sign(secret, message) == signature
    # The vectors as transcribed here are also what OpenSSL (via cryptography) computes.
    theirs, key = ours_from_cryptography(secret)
    assert theirs == public and key.sign(message) == signature


def test_the_1024_vector_message_is_1023_bytes():
    assert len(MESSAGE_1024) == 1023


def test_flipping_any_bit_of_message_signature_or_key_fails():
    _, public, message, signature = VECTORS[2].values  # TEST 3: a 2-byte message
    for bit in range(len(message) * 8):
        assert not ed25519.verify(public, flip(message, bit), signature), f"message bit {bit}"
    for bit in range(512):
        assert not ed25519.verify(public, message, flip(signature, bit)), f"signature bit {bit}"
    for bit in range(256):
        assert not ed25519.verify(flip(public, bit), message, signature), f"key bit {bit}"


@pytest.mark.parametrize(("secret", "public", "message", "signature"), VECTORS)
def test_some_flipped_bits_fail_for_every_vector(secret, public, message, signature):
    for bit in (0, 7, 255, 256, 300, 511):
        assert not ed25519.verify(public, message, flip(signature, bit))
    for bit in (0, 100, 254, 255):
        assert not ed25519.verify(flip(public, bit), message, signature)
    assert not ed25519.verify(public, message + b"\x00", signature)
    if message:
        assert not ed25519.verify(public, flip(message, len(message) * 8 - 1), signature)
        assert not ed25519.verify(public, message[:-1], signature)


def test_s_at_or_above_the_group_order_is_rejected():
    _, public, message, signature = VECTORS[0].values
    s = int.from_bytes(signature[32:], "little")
    # S + L satisfies the group equation just as S does; only the range check stops it (malleability).
    assert s + L < 2**256
    assert not ed25519.verify(public, message, with_s(signature, s + L))
    for bad in (L, L + 1, 2**253, 2**256 - 1):
        assert not ed25519.verify(public, message, with_s(signature, bad))


def test_wrong_lengths_and_types_are_rejected_without_raising():
    _, public, message, signature = VECTORS[1].values
    assert ed25519.verify(bytearray(public), memoryview(message), bytearray(signature))
    for key in (b"", public[:31], public + b"\x00", public.hex(), None, 42):
        assert ed25519.verify(key, message, signature) is False
    for sig in (b"", signature[:63], signature + b"\x00", signature.hex(), None):
        assert ed25519.verify(public, message, sig) is False
    assert ed25519.verify(public, message.decode("latin-1"), signature) is False
    assert ed25519.verify(public, None, signature) is False


def legendre(n: int) -> int:
    return pow(n % P, (P - 1) // 2, P)


def test_keys_and_r_that_decode_to_no_point_are_rejected():
    _, public, message, signature = VECTORS[0].values
    d = -121665 * pow(121666, P - 2, P) % P
    # A y with no x on the curve: (y²-1)/(d·y²+1) is not a square mod p (Euler's criterion).
    y = next(y for y in range(2, 1000) if legendre((y * y - 1) * pow(d * y * y + 1, P - 2, P)) == P - 1)
    no_point = y.to_bytes(32, "little")
    # y ≥ p is a non-canonical encoding, which RFC 8032 §5.1.3 rejects.
    y_too_big = P.to_bytes(32, "little")
    y_max = (2**255 - 1).to_bytes(32, "little")
    # y = 1 gives x = 0, which has no negative: the sign bit set is invalid.
    minus_zero = (1 | 1 << 255).to_bytes(32, "little")
    for bad in (no_point, y_too_big, y_max, minus_zero):
        assert not ed25519.verify(bad, message, signature)
        assert not ed25519.verify(public, message, bad + signature[32:])


def test_modules_load_only_the_standard_library():
    """The offline verifier runs where nothing but Python is installed: no Django, no cryptography."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import ledger.merkle, ledger.ed25519; "
            "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__'}))")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['ledger']"


@settings(max_examples=25, deadline=None)
@given(secret=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300))
def test_signatures_from_cryptography_verify_with_ours(secret, message):
    public, key = ours_from_cryptography(secret)
    signature = key.sign(message)
    assert ed25519.verify(public, message, signature)
    assert ed25519.public_key(secret) == public
    assert ed25519.sign(secret, message) == signature
    assert not ed25519.verify(public, message + b"!", signature)
    assert not ed25519.verify(public, message, flip(signature, 0))
