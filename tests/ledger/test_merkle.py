"""ledger.merkle against hand-built trees, the Certificate Transparency reference vectors, and properties.

The expected values here are computed with hashlib directly, never with the module's own
helpers, so a wrong prefix or a midpoint split in the module cannot agree with itself.
"""
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle

# --- independent reference: hashlib only ----------------------------------------------------------


def sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def lh(data: bytes) -> bytes:
    return sha(b"\x00" + data)


def nh(left: bytes, right: bytes) -> bytes:
    return sha(b"\x01" + left + right)


def ref_mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 MTH over leaf hashes, written out again from the RFC for the tests."""
    if not hashes:
        return sha(b"")
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return nh(ref_mth(hashes[:k]), ref_mth(hashes[k:]))


def data_for(n: int, salt: bytes = b"") -> list[bytes]:
    """Leaf data like the ledger's: 32-byte entry hashes."""
    return [sha(salt + b"entry %d" % i) for i in range(n)]


# --- hand-derived small trees ---------------------------------------------------------------------

D8 = data_for(8)
L = [lh(d) for d in D8]
N01, N23, N45, N67 = nh(L[0], L[1]), nh(L[2], L[3]), nh(L[4], L[5]), nh(L[6], L[7])
N0123 = nh(N01, N23)

HAND_ROOTS = {
    0: sha(b""),
    1: L[0],
    2: N01,
    3: nh(N01, L[2]),
    4: N0123,
    5: nh(N0123, L[4]),
    7: nh(N0123, nh(N45, L[6])),
    8: nh(N0123, nh(N45, N67)),
}


@pytest.mark.parametrize("size", sorted(HAND_ROOTS))
def test_roots_of_hand_built_trees(size):
    assert merkle.root(D8[:size]) == HAND_ROOTS[size]
    builder = merkle.TreeBuilder()
    builder.extend(D8[:size])
    assert builder.size == size
    assert builder.root() == HAND_ROOTS[size]


def test_leaf_and_node_hash_are_the_prefixed_sha256():
    assert merkle.leaf_hash(b"abc") == sha(b"\x00abc")
    assert merkle.node_hash(b"l" * 32, b"r" * 32) == sha(b"\x01" + b"l" * 32 + b"r" * 32)
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_split_is_the_largest_power_of_two_below_n_not_the_midpoint():
    assert {n: merkle.split_point(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 1000)} == {
        2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 8: 4, 9: 8, 1000: 512}
    with pytest.raises(ValueError):
        merkle.split_point(1)


HAND_PATHS = [
    # (index, size, path)
    (0, 1, []),
    (0, 2, [L[1]]),
    (2, 3, [N01]),
    (3, 4, [L[2], N01]),
    (4, 5, [N0123]),
    (1, 5, [L[0], N23, L[4]]),
    (3, 7, [L[2], N01, nh(N45, L[6])]),
    (6, 7, [N45, N0123]),
    (5, 8, [L[4], N67, N0123]),
]


@pytest.mark.parametrize(("index", "size", "path"), HAND_PATHS)
def test_inclusion_proofs_of_hand_built_trees(index, size, path):
    assert merkle.inclusion_proof(D8, index, size) == path
    assert merkle.proofs_for(L, [index], size) == {index: path}
    assert merkle.verify_inclusion(D8[index], index, size, path, HAND_ROOTS.get(size, ref_mth(L[:size])))


HAND_CONSISTENCY = [
    # (old, new, proof) from RFC 6962 §2.1.2 worked by hand
    (1, 2, [L[1]]),
    (2, 3, [L[2]]),
    (3, 4, [L[2], L[3], N01]),
    (3, 7, [L[2], L[3], N01, nh(N45, L[6])]),
    (4, 7, [nh(N45, L[6])]),
    (4, 8, [nh(N45, N67)]),
    (5, 8, [L[4], L[5], N67, N0123]),
]


@pytest.mark.parametrize(("old", "new", "proof"), HAND_CONSISTENCY)
def test_consistency_proofs_of_hand_built_trees(old, new, proof):
    assert merkle.consistency_proof(D8, old, new) == proof
    assert merkle.verify_consistency(old, new, ref_mth(L[:old]), ref_mth(L[:new]), proof)


# --- Certificate Transparency reference vectors ---------------------------------------------------
# The leaves and roots of RFC 6962's reference implementations (certificate-transparency-go,
# transparency-dev/merkle proof/verify_test.go and testonly/constants.go); proofs from the latter.

CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]


def hx(*hashes: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


CT_INCLUSION = [  # (index, size, proof); the Go vectors number leaves from 1
    (0, 1, []),
    (0, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (5, 8, hx("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 3, hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (1, 5, hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
]

CT_CONSISTENCY = [  # (old, new, proof)
    (1, 1, []),
    (1, 8, hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, hx("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]


def test_ct_reference_roots():
    builder = merkle.TreeBuilder()
    assert builder.root() == CT_ROOTS[0]
    for n, leaf in enumerate(CT_LEAVES, start=1):
        builder.append(leaf)
        assert merkle.root(CT_LEAVES[:n]) == CT_ROOTS[n]
        assert builder.root() == CT_ROOTS[n]
        assert ref_mth([lh(d) for d in CT_LEAVES[:n]]) == CT_ROOTS[n]
    assert merkle.root(CT_LEAVES).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    out = list(proof)
    out[i] = bytes([out[i][0] ^ 8]) + out[i][1:]
    return out


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_ct_reference_inclusion_proofs(index, size, proof):
    root, leaf = CT_ROOTS[size], CT_LEAVES[index]
    assert merkle.inclusion_proof(CT_LEAVES, index, size) == proof
    assert merkle.proofs_for([lh(d) for d in CT_LEAVES], [index], size)[index] == proof
    assert merkle.verify_inclusion(leaf, index, size, proof, root)
    assert merkle.verify_inclusion(lh(leaf), index, size, proof, root, hashed=True)
    # The probes of the Go reference tests: every corruption is rejected.
    wrong = [
        (leaf, index - 1, size, proof, root), (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root), (leaf, index, size * 2, proof, root),
        (b"WrongLeaf", index, size, proof, root), (leaf, index, size, proof, CT_ROOTS[0]),
        (leaf, index, size, proof, sha(b"some other root")),
        (leaf, index, size, proof + [root], root), (leaf, index, size, [root] + proof, root),
        (leaf, index, size, proof + [b""], root),
    ]
    if size > 1:
        wrong.append((leaf, index, size // 2, proof, root))
    wrong += [(leaf, index, size, flipped(proof, i), root) for i in range(len(proof))]
    if proof:
        wrong.append((leaf, index, size, proof[:-1], root))
    for args in wrong:
        assert not merkle.verify_inclusion(*args), args[1:3]


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_ct_reference_consistency_proofs(old, new, proof):
    old_root, new_root = CT_ROOTS[old], CT_ROOTS[new]
    assert merkle.consistency_proof(CT_LEAVES, old, new) == proof
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    if not proof:
        return
    wrong = [
        (old - 1, new, old_root, new_root, proof), (old + 1, new, old_root, new_root, proof),
        (old ^ 2, new, old_root, new_root, proof), (old, new * 2, old_root, new_root, proof),
        (old, new // 2, old_root, new_root, proof),
        (old, new, sha(b"wrong"), new_root, proof), (old, new, old_root, sha(b"wrong"), proof),
        (old, new, new_root, old_root, proof), (old, new, old_root, new_root, []),
        (old, new, old_root, new_root, proof + [old_root]), (old, new, old_root, new_root, proof + [new_root]),
        (old, new, old_root, new_root, [old_root] + proof), (old, new, old_root, new_root, [new_root] + proof),
        (old, new, old_root, new_root, [proof[0]] + proof), (old, new, old_root, new_root, proof[:-1]),
    ]
    wrong += [(old, new, old_root, new_root, flipped(proof, i)) for i in range(len(proof))]
    for args in wrong:
        assert not merkle.verify_consistency(*args), args[:2]


# --- edge cases -----------------------------------------------------------------------------------


def test_consistency_edge_cases():
    r3 = merkle.root(D8[:3])
    assert merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, HAND_ROOTS[5], [])
    assert not merkle.verify_consistency(0, 5, r3, HAND_ROOTS[5], [])  # a size-0 tree has one root
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, HAND_ROOTS[5], [r3])
    assert merkle.verify_consistency(3, 3, r3, r3, [])
    assert not merkle.verify_consistency(3, 3, r3, HAND_ROOTS[4], [])
    assert not merkle.verify_consistency(3, 3, r3, r3, [r3])
    assert not merkle.verify_consistency(4, 3, HAND_ROOTS[4], r3, [])
    assert not merkle.verify_consistency(-1, 3, r3, r3, [])
    assert not merkle.verify_consistency(3, 7, r3, HAND_ROOTS[7], "not a list")
    assert not merkle.verify_consistency(3, 7, r3[:31], HAND_ROOTS[7], merkle.consistency_proof(D8, 3, 7))
    assert merkle.consistency_proof(D8, 0, 5) == [] and merkle.consistency_proof(D8, 5, 5) == []
    with pytest.raises(ValueError):
        merkle.consistency_proof(D8, 5, 4)
    with pytest.raises(ValueError):
        merkle.consistency_proof(D8, 1, 9)


def test_inclusion_edge_cases():
    assert not merkle.verify_inclusion(D8[0], 0, 0, [], merkle.EMPTY_ROOT)
    assert not merkle.verify_inclusion(D8[0], 1, 1, [], L[0])
    assert not merkle.verify_inclusion(D8[0], -1, 1, [], L[0])
    assert not merkle.verify_inclusion(D8[0], 0, 1, [], L[0][:31])
    assert not merkle.verify_inclusion(L[0][:31], 0, 1, [], L[0], hashed=True)
    assert not merkle.verify_inclusion("text", 0, 1, [], L[0])
    assert not merkle.verify_inclusion(D8[0], 0, 2, [L[1].hex()], N01)
    assert merkle.verify_inclusion(D8[0], 0, 1, [], L[0])
    # Leaf data and leaf hash are never confused: the leaf hash given as data fails.
    assert not merkle.verify_inclusion(L[0], 0, 1, [], L[0])
    for bad in ((D8, 3, 3), (D8, 0, 9), (D8, -1, 3)):
        with pytest.raises(ValueError):
            merkle.inclusion_proof(*bad)
    with pytest.raises(ValueError):
        merkle.proofs_for(L, [8], 8)
    with pytest.raises(ValueError):
        merkle.proofs_for(L, [0], 0)


def test_hex_round_trip_and_ledger_leaf():
    proof = merkle.inclusion_proof(D8, 3, 7)
    as_json = merkle.proof_to_hex(proof)
    assert all(len(h) == 64 and h == h.lower() for h in as_json)
    assert merkle.proof_from_hex(as_json) == proof
    for bad in ([as_json[0].upper()], [as_json[0][:62]], [None], as_json[0]):
        with pytest.raises(ValueError):
            merkle.proof_from_hex(bad)
    entry_hash = D8[0].hex()
    assert merkle.ledger_leaf(entry_hash) == D8[0]
    assert merkle.leaf_hash(merkle.ledger_leaf(entry_hash)) == L[0]
    assert merkle.hash_from_hex(HAND_ROOTS[8].hex()) == HAND_ROOTS[8]
    for bad in ("0" * 63, "G" * 64, entry_hash.upper(), None):
        with pytest.raises(ValueError):
            merkle.ledger_leaf(bad)


def test_builder_can_go_on_after_root_and_rejects_bad_hashes():
    builder = merkle.TreeBuilder()
    for n, d in enumerate(D8, start=1):
        builder.append(d)
        assert builder.root() == ref_mth(L[:n])
    with pytest.raises(ValueError):
        builder.append_hash(b"short")


# --- properties over random trees -----------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=200)
salts = st.binary(max_size=4)


@settings(max_examples=60, deadline=None)
@given(size=sizes, salt=salts)
def test_builder_and_root_equal_the_recursive_definition(size, salt):
    data = data_for(size, salt)
    hashes = [lh(d) for d in data]
    builder = merkle.TreeBuilder()
    for n, d in enumerate(data, start=1):
        builder.append(d)
        if n in (1, size // 2 or 1, size - 1 or 1, size):
            assert builder.root() == ref_mth(hashes[:n])
    assert builder.root() == merkle.root(data) == merkle.root_from_hashes(hashes) == ref_mth(hashes)
    assert merkle.tree_levels(hashes)[-1] == [ref_mth(hashes)]  # pairing bottom-up builds the same tree
    assert len(builder._stack) == bin(size).count("1")  # O(log n): one subtree per 1 bit of the size


@settings(max_examples=60, deadline=None)
@given(size=sizes, salt=salts, data=st.data())
def test_every_inclusion_proof_verifies_and_wrong_ones_fail(size, salt, data):
    leaves = data_for(size, salt)
    hashes = [lh(d) for d in leaves]
    top = ref_mth(hashes)
    proofs = merkle.proofs_for(hashes, range(size), size)
    assert sorted(proofs) == list(range(size))
    for i, proof in proofs.items():
        assert merkle.verify_inclusion(leaves[i], i, size, proof, top)
        assert merkle.verify_inclusion(hashes[i], i, size, proof, top, hashed=True)
    # proofs_for and the recursive PATH agree.
    for i in data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=4)):
        assert merkle.inclusion_proof(leaves, i, size) == proofs[i]
    i = data.draw(st.integers(0, size - 1))
    proof = proofs[i]
    if size > 1:
        j = data.draw(st.integers(0, size - 1).filter(lambda j: j != i))
        assert not merkle.verify_inclusion(leaves[i], j, size, proof, top)  # wrong index
        assert not merkle.verify_inclusion(leaves[j], i, size, proof, top)  # wrong leaf
        assert not merkle.verify_inclusion(leaves[i], i, size, flipped(proof, 0), top)
        assert not merkle.verify_inclusion(leaves[i], i, size, proof[:-1], top)
    assert not merkle.verify_inclusion(leaves[i], size, size, proof, top)
    assert not merkle.verify_inclusion(sha(b"not in the tree"), i, size, proof, top)
    assert not merkle.verify_inclusion(leaves[i], i, size, proof, ref_mth(hashes[:-1]) if size > 1 else sha(b""))
    assert not merkle.verify_inclusion(leaves[i], i, size, proof + [top], top)


@settings(max_examples=60, deadline=None)
@given(new=sizes, salt=salts, data=st.data())
def test_every_consistency_proof_verifies_and_a_changed_prefix_fails(new, salt, data):
    leaves = data_for(new, salt)
    hashes = [lh(d) for d in leaves]
    new_root = ref_mth(hashes)
    olds = range(0, new + 1) if new <= 40 else sorted(set(data.draw(st.lists(st.integers(0, new), max_size=12))))
    for old in olds:
        proof = merkle.consistency_proof(leaves, old, new)
        assert merkle.verify_consistency(old, new, ref_mth(hashes[:old]), new_root, proof), (old, new)
    old = data.draw(st.integers(1, new))
    proof = merkle.consistency_proof(leaves, old, new)
    old_root = ref_mth(hashes[:old])
    # Against a different old root.
    assert not merkle.verify_consistency(old, new, sha(b"another root"), new_root, proof)
    if old > 1:
        assert not merkle.verify_consistency(old, new, ref_mth(hashes[:old - 1]), new_root, proof)
    # A new tree in which one leaf of the old prefix was changed is not consistent with the old root.
    changed_at = data.draw(st.integers(0, old - 1))
    forged = list(leaves)
    forged[changed_at] = sha(b"forged " + forged[changed_at])
    forged_root = merkle.root(forged)
    forged_proof = merkle.consistency_proof(forged, old, new)
    assert not merkle.verify_consistency(old, new, old_root, forged_root, forged_proof)
    assert not merkle.verify_consistency(old, new, old_root, forged_root, proof)
    if old < new:
        assert not merkle.verify_consistency(old, new, old_root, new_root, flipped(proof, 0))
        assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])
