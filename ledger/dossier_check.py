"""Verify an auditor's dossier (one ZIP per application) with the standard library only.

`python -m ledger.verify DOSSIER.zip` lands here. What is checked, in this order, and what each
check proves (the format is written by reports/dossier.py and documented in reports/EXPORT_FORMAT.md,
"The auditor's dossier"):

1. MANIFEST.sig is an Ed25519 signature (RFC 8032, `ledger.ed25519`) of the exact bytes of MANIFEST by the
   public key MANIFEST names; with `--key` the key must also be the one the auditor was given
   (its 64 hex digits or its SHA-256 fingerprint). Without `--key` the signature only proves the
   files belong together: compare the printed fingerprint with the one the regional body publishes.
2. Every file MANIFEST lists is in the ZIP with that size and SHA-256, and the ZIP holds nothing else.
3. journal/slice.jsonl is well-formed, balanced, unaltered and linked where consecutive (`ledger.verify`).
4. journal/checkpoint.json is a checkpoint (tree size, root) signed by the same key, and every entry
   of the slice is a leaf of that tree: its inclusion proof in journal/proofs.jsonl leads to the root.
5. journal/consistency.json proves that tree is a prefix of the newest checkpoint (also signed).

Exit 0 when everything holds, 1 when anything does not (each finding named), 2 when the file is not
a dossier at all.
"""
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field

from . import ed25519, merkle

FORMAT = "testbed-ledger-dossier/1"
MANIFEST = "MANIFEST"
SIGNATURE = "MANIFEST.sig"
SLICE = "journal/slice.jsonl"
PROOFS = "journal/proofs.jsonl"
CHECKPOINT = "journal/checkpoint.json"
CONSISTENCY = "journal/consistency.json"
CHECKPOINT_HEADER = "testbed-ledger checkpoint v1"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ROW = re.compile(r"^([0-9a-f]{64})  (\d+)  (\S.*)$")
CHUNK = 1 << 16


class NotADossier(ValueError):
    """The file cannot be read as a dossier at all (exit 2)."""


@dataclass
class DossierResult:
    ok: bool = True
    findings: list = field(default_factory=list)  # what is wrong, one sentence each
    checked: list = field(default_factory=list)   # what was checked and holds
    fingerprint: str = ""

    def fail(self, message: str) -> None:
        self.ok = False
        self.findings.append(message)

    def summary(self) -> str:
        lines = [f"OK: {line}" for line in self.checked] + [f"TAMPERED: {line}" for line in self.findings]
        verdict = "DOSSIER OK" if self.ok else f"DOSSIER TAMPERED: {len(self.findings)} finding(s)"
        if self.fingerprint:
            verdict += f" (signing key fingerprint {self.fingerprint})"
        return "\n".join(lines + [verdict])


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def parse_manifest(data: bytes) -> tuple[dict, list[tuple[str, int, str]]]:
    """MANIFEST → ({header field: value}, [(sha256, size, path), ...]). NotADossier when unreadable."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotADossier("MANIFEST is not UTF-8.") from exc
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != FORMAT:
        raise NotADossier(f"MANIFEST does not start with {FORMAT!r}.")
    header = {}
    for line in lines[1:]:
        key, colon, value = line.partition(": ")
        if not colon:
            raise NotADossier(f"MANIFEST header line {line!r} is not 'name: value'.")
        header[key] = value
    rows = []
    for line in body.split("\n"):
        if not line:
            continue
        match = _ROW.match(line)
        if not match:
            raise NotADossier(f"MANIFEST line {line!r} is not 'sha256  size  path'.")
        rows.append((match.group(1), int(match.group(2)), match.group(3)))
    return header, rows


def checkpoint_message(record: dict) -> bytes:
    """The bytes a checkpoint's signature covers, rebuilt from its fields (never taken on trust):
    the same six lines as `ledger.checkpoints.message` (EXPORT_FORMAT.md §4)."""
    return (f"{CHECKPOINT_HEADER}\ninstance {record['instance']}\nlog {record['log']}\nsize {record['size']}\n"
            f"root {record['root']}\ntime {record['time']}\n").encode()


def _read_json(archive: zipfile.ZipFile, name: str):
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except (KeyError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{name} is missing or not JSON ({exc}).") from exc


def _checkpoint_ok(checkpoint, public_key: bytes) -> str | None:
    """None if the checkpoint is well-formed and signed by `public_key`, else what is wrong."""
    if not isinstance(checkpoint, dict):
        return "is not a JSON object"
    size, root, signature = checkpoint.get("size"), checkpoint.get("root"), checkpoint.get("signature")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "has no tree size"
    if not isinstance(root, str) or not _HEX64.match(root):
        return "has no root (64 hex digits)"
    if not isinstance(signature, str) or not re.match(r"^[0-9a-f]{128}$", signature):
        return "has no signature (128 hex digits)"
    if not all(isinstance(checkpoint.get(k), str) for k in ("instance", "log", "time")):
        return "has no instance, log name or signing time"
    if not ed25519.verify(public_key, checkpoint_message(checkpoint), bytes.fromhex(signature)):
        return "has a signature that does not match its fields and the manifest's key"
    return None


def _check_files(archive, rows, result: DossierResult) -> None:
    names = archive.namelist()
    if len(names) != len(set(names)):
        result.fail("the ZIP holds two files of the same name.")
    listed = {path for _sha, _size, path in rows}
    for extra in sorted(set(names) - listed - {MANIFEST, SIGNATURE}):
        result.fail(f"{extra} is in the ZIP but not in MANIFEST.")
    bad = 0
    for sha, size, path in rows:
        try:
            info = archive.getinfo(path)
        except KeyError:
            result.fail(f"{path} is listed in MANIFEST but missing from the ZIP.")
            bad += 1
            continue
        digest, length = hashlib.sha256(), 0
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    length += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a damaged member (CRC error, truncated)
            result.fail(f"{path} cannot be read from the ZIP ({exc}).")
            bad += 1
            continue
        if length != size or digest.hexdigest() != sha:
            result.fail(f"{path} has been altered: its SHA-256 is not the one in MANIFEST.")
            bad += 1
    if not bad:
        result.checked.append(f"{len(rows)} files match their SHA-256 in MANIFEST")


def _check_journal(archive, listed: set, public_key: bytes, result: DossierResult, verify_lines,
                   book: str = "") -> None:
    if SLICE not in listed:
        result.fail(f"{SLICE} is not in MANIFEST.")
        return
    with archive.open(SLICE) as handle:
        chain = verify_lines(handle, start_seq=None)
    if not chain.ok:
        result.fail(f"{SLICE}: {chain.summary()}")
        return
    result.checked.append(f"{SLICE}: {chain.entries_checked} entries well-formed, balanced, unaltered, linked")
    try:
        checkpoint = _read_json(archive, CHECKPOINT)
        consistency = _read_json(archive, CONSISTENCY)
    except ValueError as exc:
        result.fail(str(exc))
        return
    problem = _checkpoint_ok(checkpoint, public_key)
    if problem:
        result.fail(f"{CHECKPOINT} {problem}.")
        return
    if checkpoint["log"] != f"book-{book}":
        result.fail(f"{CHECKPOINT} is a checkpoint of {checkpoint['log']}, not of book {book} (MANIFEST).")
        return
    root, size = bytes.fromhex(checkpoint["root"]), checkpoint["size"]
    proofs = {}
    with archive.open(PROOFS) as handle:
        for number, line in enumerate(handle, start=1):
            try:
                row = json.loads(line)
                proofs[row["hash"]] = (row["seq"], merkle.proof_from_hex(row["proof"]))
            except (ValueError, KeyError, TypeError) as exc:
                result.fail(f"{PROOFS} line {number} is not a proof ({exc}).")
                return
    unproven = 0
    with archive.open(SLICE) as handle:
        for line in handle:
            if not line.strip():
                continue
            entry = json.loads(line)
            seq, proof = proofs.get(entry["hash"], (None, None))
            if seq != entry["seq"] or not merkle.verify_inclusion(
                    merkle.ledger_leaf(entry["hash"]), seq - 1, size, proof, root):
                unproven += 1
                if unproven <= 5:
                    result.fail(f"entry seq {entry['seq']} is not in the signed tree of {size} entries "
                                f"(its inclusion proof fails).")
    if unproven:
        return
    result.checked.append(f"{chain.entries_checked} entries proven in checkpoint {checkpoint['log']} "
                          f"size {size} root {checkpoint['root']}, signed {checkpoint['time']}")
    newest = consistency.get("newest") if isinstance(consistency, dict) else None
    problem = _checkpoint_ok(newest, public_key)
    if problem:
        result.fail(f"{CONSISTENCY}: the newest checkpoint {problem}.")
        return
    if (newest["log"], newest["instance"]) != (checkpoint["log"], checkpoint["instance"]):
        result.fail(f"{CONSISTENCY}: the newest checkpoint is of another log or ledger instance.")
        return
    try:
        proof = merkle.proof_from_hex(consistency.get("proof"))
    except ValueError as exc:
        result.fail(f"{CONSISTENCY}: {exc}.")
        return
    if not merkle.verify_consistency(size, newest["size"], root, bytes.fromhex(newest["root"]), proof):
        result.fail(f"{CONSISTENCY}: the newest checkpoint (size {newest['size']}) does not extend the one "
                    f"the slice is proven in (size {size}).")
        return
    result.checked.append(f"checkpoint size {size} is a prefix of the newest checkpoint size {newest['size']} "
                          f"root {newest['root']}, signed {newest['time']}")


def verify_dossier(path_or_file, *, verify_lines, trusted_key: str | None = None) -> DossierResult:
    """Check a dossier ZIP (a path or a binary file object). NotADossier if it is not one at all.

    `verify_lines` is `ledger.verify.verify_lines` (passed in: ledger.verify imports this module)."""
    result = DossierResult()
    try:
        archive = zipfile.ZipFile(path_or_file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotADossier(f"not a ZIP file ({exc}).") from exc
    with archive:
        try:
            manifest = archive.read(MANIFEST)
            signature_text = archive.read(SIGNATURE).decode("ascii").strip()
        except (KeyError, UnicodeDecodeError) as exc:
            raise NotADossier("the ZIP has no MANIFEST and MANIFEST.sig.") from exc
        header, rows = parse_manifest(manifest)
        key_hex = header.get("public-key", "")
        if not _HEX64.match(key_hex):
            raise NotADossier("MANIFEST names no public key (64 hex digits).")
        public_key = bytes.fromhex(key_hex)
        result.fingerprint = fingerprint(public_key)
        if trusted_key and trusted_key.lower() not in (key_hex, result.fingerprint):
            result.fail("MANIFEST is signed with another key than the one you gave with --key.")
        if not re.match(r"^[0-9a-f]{128}$", signature_text) or not ed25519.verify(
                public_key, manifest, bytes.fromhex(signature_text)):
            result.fail("MANIFEST.sig is not a valid signature of MANIFEST: the manifest was altered or "
                        "not signed by the ledger's key.")
        else:
            result.checked.append(f"MANIFEST signed by key {result.fingerprint}"
                                  + (" (the key you gave)" if trusted_key else ""))
        _check_files(archive, rows, result)
        try:
            _check_journal(archive, {path for _s, _n, path in rows}, public_key, result, verify_lines,
                           header.get("book", ""))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            result.fail(f"the journal cannot be checked ({exc}).")
    return result


def main(path: str, *, verify_lines, trusted_key: str | None = None) -> int:
    try:
        result = verify_dossier(path, verify_lines=verify_lines, trusted_key=trusted_key)
    except NotADossier as exc:
        print(f"not a dossier: {exc}")
        return 2
    print(result.summary())
    return 0 if result.ok else 1
