"""Merkle trees over a book's journal entries, RFC 6962 / RFC 9162 style (standard library only).

A book's entries in `seq` order are the leaves; the leaf data of an entry is its stored hash
as 32 raw bytes (`ledger_leaf`). With SHA-256 throughout:

* leaf hash  = SHA-256(0x00 ‖ leaf data)
* node hash  = SHA-256(0x01 ‖ left ‖ right)
* the tree of n > 1 leaves is node(MTH(first k), MTH(the rest)), k the largest power of two
  below n (RFC 6962 §2.1 MTH); a single leaf is its leaf hash; the empty tree is SHA-256("").

The prefixes keep a leaf from ever passing for a node, and the split is the standard one, so
any RFC 6962 implementation computes the same roots and checks the same proofs. Proof
verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step. The offline verifier
(`python -m ledger.verify`) imports this module, so it must never import Django.

Naming: "leaves" is always leaf *data* (hashed here with `leaf_hash`); functions that take
already-hashed leaves say `leaf_hashes`. Proofs are lists of 32-byte hashes, lowest level first;
in JSON they are lists of lowercase hex strings (`proof_to_hex`, `proof_from_hex`).
"""
import hashlib
import re
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data): the 0x00 prefix separates leaves from nodes (second-preimage safety)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right) of two child hashes."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below n (n ≥ 2): RFC 6962's split, not the midpoint."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves has no split")
    return 1 << ((n - 1).bit_length() - 1)


def ledger_leaf(entry_hash: str) -> bytes:
    """An entry's leaf data: its stored hash (64 lowercase hex digits) as 32 raw bytes."""
    if not isinstance(entry_hash, str) or not _HEX_RE.match(entry_hash):
        raise ValueError(f"{entry_hash!r} is not 64 lowercase hex digits")
    return bytes.fromhex(entry_hash)


# --- roots -------------------------------------------------------------------------------------


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH of hashes[lo:hi] (hi > lo) by the RFC's recursion; indices, not slices, so no copying."""
    n = hi - lo
    if n == 1:
        return hashes[lo]
    k = split_point(n)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


def root_from_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash of already-hashed leaves. O(n) hashes, recursion depth O(log n)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def root(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash (RFC 6962 MTH) of leaf *data*: each item is hashed with `leaf_hash` first."""
    return root_from_hashes([leaf_hash(d) for d in leaves])


class TreeBuilder:
    """Roots a tree while the leaves stream past: O(n) time in all, O(log n) memory.

    Keeps the "compact range" of the leaves so far: the roots of the perfect subtrees that the
    binary digits of the size describe, largest (leftmost) first. Appending merges equal-sized
    neighbours like a binary counter carrying; the root folds the stack from the right, which is
    exactly RFC 6962's split, so a book of millions of entries can be rooted from a cursor.
    """

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._size = 0
        self._stack: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    def append(self, leaf_data: bytes) -> None:
        """Append one leaf given as data (for the ledger: `ledger_leaf(entry["hash"])`)."""
        self.append_hash(leaf_hash(leaf_data))

    def append_hash(self, leaf_hash_: bytes) -> None:
        """Append one leaf given as its leaf hash."""
        if len(leaf_hash_) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        h, carry = bytes(leaf_hash_), self._size
        while carry & 1:  # each trailing 1 bit of the old size is a subtree of this one's height
            h = node_hash(self._stack.pop(), h)
            carry >>= 1
        self._stack.append(h)
        self._size += 1

    @classmethod
    def from_state(cls, size: int, stack: Sequence[bytes]) -> "TreeBuilder":
        """Resume from a stored compact range (`state()`): one subtree root per 1 bit of `size`."""
        if not _is_size(size) or len(stack) != bin(size).count("1") or not all(_is_hash(h) for h in stack):
            raise ValueError(f"a compact range of {size} leaves has {bin(size).count('1')} 32-byte hashes")
        builder = cls()
        builder._size, builder._stack = size, [bytes(h) for h in stack]
        return builder

    def state(self) -> list[bytes]:
        """The compact range: the roots of the perfect subtrees, largest first (O(log n) hashes)."""
        return list(self._stack)

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaves given as data."""
        for d in leaves:
            self.append(d)

    def root(self) -> bytes:
        """The root of the leaves so far; the builder can go on appending afterwards."""
        if not self._stack:
            return EMPTY_ROOT
        r = self._stack[-1]
        for h in reversed(self._stack[:-1]):
            r = node_hash(h, r)
        return r


# --- proofs (generation) -----------------------------------------------------------------------


def _path(hashes: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[lo:hi]), lowest sibling first."""
    n = hi - lo
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return _path(hashes, m, lo, lo + k) + [_mth(hashes, lo + k, hi)]
    return _path(hashes, m - k, lo + k, hi) + [_mth(hashes, lo, lo + k)]


def _subproof(hashes: Sequence[bytes], m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b); `complete` is b, "D[lo:lo+m] is a whole old tree"."""
    n = hi - lo
    if m == n:
        return [] if complete else [_mth(hashes, lo, hi)]
    k = split_point(n)
    if m <= k:
        return _subproof(hashes, m, lo, lo + k, complete) + [_mth(hashes, lo + k, hi)]
    return _subproof(hashes, m - k, lo + k, hi, False) + [_mth(hashes, lo, lo + k)]


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree of the first `size` leaves (data). O(size) hashes."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {size} (of {len(leaves)} leaves)")
    hashes = [leaf_hash(d) for d in leaves[:size]]
    return _path(hashes, index, 0, size)


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Proof that the first `old_size` leaves (data) are a prefix of the first `new_size`. O(new_size).

    Empty when old_size is 0 or equals new_size: RFC 6962 defines proofs only for 0 < old < new,
    and `verify_consistency` expects the empty list for those two cases.
    """
    if not 0 <= old_size <= new_size <= len(leaves):
        raise ValueError(f"no consistency proof from {old_size} to {new_size} (of {len(leaves)} leaves)")
    if old_size in (0, new_size):
        return []
    hashes = [leaf_hash(d) for d in leaves[:new_size]]
    return _subproof(hashes, old_size, 0, new_size, True)


def consistency_proof_from_hashes(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """`consistency_proof` over already-hashed leaves (what the ledger keeps while it verifies)."""
    if not 0 <= old_size <= new_size <= len(leaf_hashes):
        raise ValueError(f"no consistency proof from {old_size} to {new_size} (of {len(leaf_hashes)} leaves)")
    if old_size in (0, new_size):
        return []
    return _subproof(leaf_hashes, old_size, 0, new_size, True)


def tree_levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root last. O(n) hashes and about 2n hashes of memory.

    Nodes are paired left to right and an unpaired last node moves up unchanged; that builds
    the same tree as RFC 6962's power-of-two split, with each node stored once.
    """
    level = [bytes(h) for h in leaf_hashes]
    levels = [level]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


def proofs_for(leaf_hashes: Sequence[bytes], indices: Iterable[int], size: int) -> dict[int, list[bytes]]:
    """Inclusion proofs of many leaves in the tree of the first `size` leaf hashes, keyed by index.

    Builds the tree's levels once (O(size) hashes, ~2·size hashes held) and then reads each path
    off them in O(log size), instead of O(size) per proof: what a statement needs to prove a few
    hundred entries of one application in a book of 100 000. Same proofs as `inclusion_proof`.
    """
    if not 0 < size <= len(leaf_hashes):
        raise ValueError(f"no tree of {size} in {len(leaf_hashes)} leaves")
    levels = tree_levels(leaf_hashes[:size])
    proofs: dict[int, list[bytes]] = {}
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"no leaf {index} in a tree of {size}")
        path, i = [], index
        for level in levels[:-1]:
            sibling = i ^ 1
            if sibling < len(level):  # a lone last node moves up with no sibling, so adds no hash
                path.append(level[sibling])
            i >>= 1
        proofs[index] = path
    return proofs


# --- proofs (verification), RFC 9162 word for word -----------------------------------------------


def _is_hash(value) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes, *,
                     hashed: bool = False) -> bool:
    """Does `proof` show `leaf` at `index` in the tree of `size` leaves whose root is `root`?

    `leaf` is leaf data (hashed here) unless `hashed=True`, in which case it is already the
    leaf hash; a flag rather than a guess, because a ledger leaf is itself 32 bytes long.
    RFC 9162 §2.1.3.2. Returns False, never raises, on malformed input.
    """
    if not (_is_size(index) and _is_size(size) and _is_hash(root)) or not isinstance(leaf, bytes | bytearray):
        return False
    if not isinstance(proof, list | tuple) or not all(_is_hash(p) for p in proof):
        return False
    if hashed and len(leaf) != HASH_SIZE:
        return False
    # 1. leaf_index >= tree_size fails.
    if index >= size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, size - 1
    r = bytes(leaf) if hashed else leaf_hash(leaf)
    # 4. For each p in the inclusion path:
    for p in proof:
        if sn == 0:  # a. a path longer than the tree is tall
            return False
        if fn & 1 or fn == sn:  # b. p is a left sibling
            r = node_hash(p, r)
            if not fn & 1:  # a right-border node with no right sibling: climb past the lone levels
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:  # p is a right sibling
            r = node_hash(r, p)
        fn >>= 1  # c.
        sn >>= 1
    # 5. verified iff sn is 0 and r equals the root.
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Does `proof` show the tree (old_size, old_root) is a prefix of (new_size, new_root)?

    RFC 9162 §2.1.4.2 for 0 < old_size < new_size. The RFC defines nothing else; here
    old_size == new_size holds iff the proof is empty and the roots are equal, and
    old_size == 0 holds iff the proof is empty and old_root is the empty tree's root
    (SHA-256 of ""), since every tree extends the empty one. Returns False, never raises.
    """
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not isinstance(proof, list | tuple) or not all(_is_hash(p) for p in proof):
        return False
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # 1. An empty path fails.
    if not proof:
        return False
    path = [bytes(p) for p in proof]
    # 2. If first is an exact power of 2, prepend first_hash (the old root is then a node of the new tree).
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift both until it is not.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b. c is a left sibling: it is in both trees
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:  # c is a right sibling: only in the new tree
            sr = node_hash(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    # 7. fr must be the old root, sr the new root, and sn 0.
    return sn == 0 and fr == old_root and sr == new_root


# --- JSON ----------------------------------------------------------------------------------------


def proof_to_hex(proof: Iterable[bytes]) -> list[str]:
    """A proof as JSON wants it: a list of lowercase hex strings."""
    return [bytes(h).hex() for h in proof]


def proof_from_hex(items) -> list[bytes]:
    """Parse a JSON proof; ValueError unless it is a list of 64-digit lowercase hex strings."""
    if not isinstance(items, list | tuple):
        raise ValueError("a proof is a list of hex strings")
    out = []
    for item in items:
        if not isinstance(item, str) or not _HEX_RE.match(item):
            raise ValueError(f"{item!r} is not 64 lowercase hex digits")
        out.append(bytes.fromhex(item))
    return out


def hash_from_hex(value: str) -> bytes:
    """Parse one root or leaf hash written as 64 lowercase hex digits."""
    return ledger_leaf(value)
