"""The auditor's dossier: everything about one application in one ZIP, verifiable offline (rules E5, E6).

For the call's officers, auditors and the applicant the dossier is whole; a partner company gets its
own (DESIGN §2, rule P1): the statement, journal slice and reviews it may see, the decisions without
other partners' rates, no receipts, cash items or amendments. What is in it:

    README.txt                       how to verify, in the language of the request
    statement/statement-REF-LANG.pdf the statement (reports.statement), and its spreadsheet .xlsx
    journal/slice.jsonl              the application's entries (the reader's slice), as the journal export
    journal/proofs.jsonl             per entry: its seq, hash and inclusion proof in the checkpoint's tree
    journal/checkpoint.json          the signed checkpoint the slice is proven in
    journal/consistency.json         the newest signed checkpoint and the proof that it extends the first
    receipts/VOUCHER.EXT             every receipt, under its voucher reference
    decisions/decisions.json         decisions (and amendments/amendments.json where amendments exist)
    audit-trail.csv                  the application's audit events (reports.audit_trail)
    reviews/claim-items.csv          each claimed item's review
    MANIFEST                         SHA-256 and size of every file above
    MANIFEST.sig                     Ed25519 signature of MANIFEST with the ledger's key

`python -m ledger.verify DOSSIER.zip` checks all of it with the standard library (ledger.dossier_check).
The ZIP is written to a stream as it is made (stdlib zipfile on a write-only sink): the
archive is never held in memory, only the member being written.
"""
import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Amendment, Application, AuditEvent
from ledger import selectors as ledger_selectors
from ledger.dossier_check import (
    CHECKPOINT,
    CONSISTENCY,
    FORMAT,
    MANIFEST,
    PROOFS,
    SIGNATURE,
    SLICE,
)
from ledger.integrity import chain_dicts
from ledger.models import Book, CashContribution, JournalEntry, TimeReport

from . import audit_trail, journal_export, signing
from .cells import SafeCsvWriter
from .journal_export import LineBuffer, canonical_json
from .statement import render_statement_pdf, render_statement_xlsx, statement_scope

CHUNK = 1 << 16
# Estimated bytes of one journal entry in the slice with its proof (for the size estimate).
ENTRY_BYTES = 1200
# Review fields of a claimed item, where the model has them (V1–V3 add some).
REVIEW_FIELDS = ("review_status", "review_reason", "eligible_hours", "eligible_amount", "deduction_type",
                 "sampled", "parked_from")


@dataclass(frozen=True)
class Reader:
    """Who the dossier is for: `user` None is the command line (everything)."""

    user: object
    full: bool
    company_ids: frozenset = frozenset()

    @property
    def scope(self) -> str:
        return "full" if self.full else "partner " + ",".join(str(pk) for pk in sorted(self.company_ids))


def reader_of(application: Application, user) -> Reader:
    scope = statement_scope(application, user)
    return Reader(user=user if getattr(user, "is_authenticated", False) else None, full=scope.full,
                  company_ids=scope.company_ids)


def filename(application: Application, reader: Reader) -> str:
    suffix = "" if reader.full else "-partner"
    return f"dossier-{application.reference}{suffix}.zip"


def estimated_size(application: Application) -> int:
    """Roughly how big the whole dossier will be: receipts plus the slice (for choosing a background job)."""
    entries = JournalEntry.objects.filter(application=application).count()
    receipts = 0
    for name in CashContribution.objects.filter(application=application).exclude(receipt="").values_list(
            "receipt", flat=True):
        try:
            receipts += CashContribution._meta.get_field("receipt").storage.size(name)
        except OSError:
            continue
    return receipts + entries * ENTRY_BYTES + 400_000  # the statement's PDF and spreadsheet


def check_ready(application: Application, reader: Reader) -> None:
    """Refuse (RuleViolation) before the first byte is sent when the slice cannot be proven yet."""
    book = Book.objects.get(call_id=application.call_id)
    entries = journal_export.journal_entries(book, application, None if reader.full else reader.user)
    signing.require_covered(book, entries.order_by("-seq").values_list("seq", flat=True).first() or 0)


def is_large(application: Application) -> bool:
    return estimated_size(application) > settings.DOSSIER_STREAM_MAX_BYTES


# ---------------------------------------------------------------- members
def _csv_rows(rows):
    writer = SafeCsvWriter(LineBuffer())  # no cell runs as a formula in a spreadsheet
    for row in rows:
        yield writer.writerow(row).encode("utf-8")


def _journal(application: Application, reader: Reader, book: Book):
    """(slice lines, proof lines, anchor checkpoint, consistency) for the reader's slice of the entries
    the newest signed checkpoint covers."""
    entries = journal_export.journal_entries(book, application, None if reader.full else reader.user)
    seqs = list(entries.values_list("seq", flat=True))
    proven = signing.proven_slice(book, seqs)
    entries = entries.filter(seq__lte=proven.newest["size"])
    hashes = dict(entries.values_list("seq", "hash"))

    def proof_lines():
        for seq in seqs:
            yield (canonical_json({"seq": seq, "hash": hashes[seq], "proof": proven.proofs[seq]}) + "\n").encode()

    consistency = {"from": {"size": proven.anchor["size"], "root": proven.anchor["root"]},
                   "newest": proven.newest, "proof": proven.consistency}
    return _slice_lines(entries), proof_lines(), proven.anchor, consistency


def _slice_lines(entries):
    for entry in chain_dicts(entries):
        yield (canonical_json(entry) + "\n").encode("utf-8")


def _json_bytes(value) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _decisions(application: Application, reader: Reader) -> list:
    own = set()
    if not reader.full:
        own = set(application.partners.filter(company_id__in=reader.company_ids)
                  .values_list("company__org_number", flat=True))
    rows = []
    for decision in application.decisions.select_related("decided_by").order_by("decided_at", "id"):
        rates = decision.partner_rates or {}
        rows.append({
            "id": decision.pk, "decided_at": decision.decided_at.isoformat(),
            "decided_by": decision.decided_by.get_username(), "amends": decision.amends_id,
            "approved_public_cash": str(decision.approved_public_cash),
            "approved_inkind_value": str(decision.approved_inkind_value),
            "approved_hours": str(decision.approved_hours), "granted_amount": str(decision.granted_amount),
            "fund_ratio": str(decision.fund_ratio), "inkind_ratio": str(decision.inkind_ratio),
            "max_hourly_rate": str(decision.max_hourly_rate),
            # Another partner's rate is never shown to a partner company (rule P1).
            "partner_rates": rates if reader.full else {k: v for k, v in rates.items() if k in own},
            "rationale": decision.rationale,
        })
    return rows


def _amendments(application: Application) -> list:
    """The application's amendments (rules A1–A3) as plain values, oldest first."""
    rows = []
    for amendment in Amendment.objects.filter(application=application).order_by("pk").values():
        rows.append({key: value if isinstance(value, int | bool | dict | list | None) or isinstance(value, str)
                     else str(value) for key, value in amendment.items()})
    return rows


def _review_columns(model) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    return [name for name in REVIEW_FIELDS if name in names]


def _reviews(application: Application, reader: Reader):
    time_columns, cash_columns = _review_columns(TimeReport), _review_columns(CashContribution)
    extra = list(dict.fromkeys(time_columns + cash_columns))
    header = ["item", "id", "claim", "who_or_voucher", "month_or_paid_on", "hours", "hourly_rate", "amount",
              *extra]
    reports = (ledger_selectors.visible_time_reports(reader.user) if reader.user else TimeReport.objects.all())
    reports = reports.filter(partner__application=application, claim__isnull=False)
    if not reader.full:
        reports = reports.filter(partner__company_id__in=reader.company_ids)
    rows = [header]
    for item in reports.select_related("claim", "partner__company").order_by("claim__number", "month", "id"):
        rows.append(["time_report", item.pk, item.claim.number, f"{item.partner.company.name}: {item.person_name}",
                     item.month.strftime("%Y-%m"), item.hours, item.hourly_rate, item.value,
                     *[_cell(getattr(item, f"{c}_id" if c == "parked_from" else c, "")) for c in extra]])
    if reader.full:
        cash = CashContribution.objects.filter(application=application, claim__isnull=False)
        for item in cash.select_related("claim").order_by("claim__number", "paid_on", "id"):
            rows.append(["cash", item.pk, item.claim.number, item.voucher_reference, item.paid_on.isoformat(),
                         "", "", item.amount,
                         *[_cell(getattr(item, f"{c}_id" if c == "parked_from" else c, "")) for c in extra]])
    return _csv_rows(rows)


def _cell(value):
    return "" if value is None else value


def receipt_name(voucher: str, stored_name: str, taken: set) -> str:
    """receipts/<voucher reference><extension>, made safe for every unzip tool and unique."""
    stem = re.sub(r"[^\w.-]+", "_", voucher).strip("._") or "receipt"
    extension = os.path.splitext(stored_name)[1].lower()
    name, n = f"receipts/{stem}{extension}", 2
    while name in taken:
        name, n = f"receipts/{stem}-{n}{extension}", n + 1
    taken.add(name)
    return name


def _receipts(application: Application):
    taken: set = set()
    items = (CashContribution.objects.filter(application=application).exclude(receipt="")
             .order_by("paid_on", "id"))
    for item in items:
        def chunks(item=item):
            with item.receipt.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk
        yield receipt_name(item.voucher_reference, item.receipt.name, taken), chunks


def _readme(application: Application, reader: Reader, *, lang: str, generated_at: str) -> bytes:
    name = filename(application, reader)
    with translation.override(lang):
        scope = (_("Whole application (officers of the call, auditors, the applicant).") if reader.full else
                 _("Partner company's own view: its own time reports, in-kind account and their review; the "
                   "application's summary and decisions. No cash items, receipts or other partners' items."))
        parts = [
            _("Auditor's dossier for application %(reference)s: %(title)s") % {
                "reference": application.reference, "title": application.title},
            _("Made %(when)s for %(who)s.") % {"when": generated_at,
                                               "who": reader.user.get_username() if reader.user else "system"},
            _("Scope: %(scope)s") % {"scope": scope},
            "",
            _("How to verify this dossier (Python 3.11 or later, nothing else to install):"),
            f"    python -m ledger.verify {name} --key {signing.key_fingerprint()}",
            _("Run it in a copy of the ledger's source code (the folder that holds ledger/ and core/); it needs no "
              "database and no network. It checks:"),
            _("1. MANIFEST.sig is the Ed25519 signature of MANIFEST by the ledger's key. Compare the key's "
              "fingerprint with the one the regional body publishes and prints on every statement: "
              "%(fingerprint)s") % {"fingerprint": signing.key_fingerprint()},
            _("2. Every file has the SHA-256 and size MANIFEST gives, and the ZIP holds no other file."),
            _("3. The journal slice (journal/slice.jsonl): every entry is well-formed, balanced, unaltered, and "
              "linked to its neighbour where their sequence numbers follow each other."),
            _("4. Every entry of the slice is in the book's signed Merkle tree (journal/checkpoint.json): its "
              "inclusion proof in journal/proofs.jsonl leads to the signed root."),
            _("5. The newest signed checkpoint extends that tree (journal/consistency.json)."),
            _("Exit status 0: everything holds. 1: something does not, and each finding is named. "
              "2: the file is not a dossier."),
            "",
            _("Contents"),
            _("statement/: the application statement (PDF and spreadsheet)."),
            _("journal/: the journal slice with proofs and signed checkpoints."),
            _("receipts/: every receipt, named by its voucher reference."),
            _("decisions/: the decisions (and amendments), as JSON."),
            _("audit-trail.csv: who did what and when."),
            _("reviews/claim-items.csv: the review of every claimed item."),
        ]
    return ("\n".join(parts) + "\n").encode("utf-8")


def members(application: Application, reader: Reader, *, lang: str, generated_at: str):
    """Yield (path, chunk factory) for every file of the dossier, in order."""
    book = Book.objects.get(call_id=application.call_id)
    user = reader.user
    yield "README.txt", lambda: iter([_readme(application, reader, lang=lang, generated_at=generated_at)])
    stem = f"statement/statement-{application.reference}-{lang}"
    yield f"{stem}.pdf", lambda: iter([render_statement_pdf(application, by=user, lang=lang).content])
    yield f"{stem}.xlsx", lambda: iter([render_statement_xlsx(application, by=user, lang=lang)])
    slice_lines, proof_lines, anchor, consistency = _journal(application, reader, book)
    yield SLICE, lambda: slice_lines
    yield PROOFS, lambda: proof_lines
    yield CHECKPOINT, lambda: iter([_json_bytes(anchor)])
    yield CONSISTENCY, lambda: iter([_json_bytes(consistency)])
    if reader.full:
        yield from _receipts(application)
    yield "decisions/decisions.json", lambda: iter([_json_bytes(_decisions(application, reader))])
    if reader.full:
        amendments = _amendments(application)
        if amendments:
            yield "decisions/amendments.json", lambda: iter([_json_bytes(amendments)])
    events = (ledger_selectors.visible_events(user) if user else AuditEvent.objects.all()).filter(
        application=application)
    yield "audit-trail.csv", lambda: audit_trail.csv_lines(events)
    yield "reviews/claim-items.csv", lambda: _reviews(application, reader)


def manifest_bytes(application: Application, reader: Reader, rows, *, lang: str, generated_at: str) -> bytes:
    header = [FORMAT, f"application: {application.reference}", f"book: {Book.objects.get(call_id=application.call_id).pk}",
              f"scope: {reader.scope}", f"language: {lang}", f"generated-at: {generated_at}",
              f"generated-by: {reader.user.get_username() if reader.user else 'system'}",
              f"public-key: {signing.public_key().hex()}", f"key-fingerprint: {signing.key_fingerprint()}"]
    body = [f"{sha}  {size}  {path}" for sha, size, path in rows]
    return ("\n".join(header) + "\n\n" + "\n".join(body) + "\n").encode("utf-8")


class _Sink:
    """A write-only stream for zipfile: keeps what was written until the generator hands it on."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream(application: Application, reader: Reader, *, lang: str):
    """Yield the dossier ZIP in pieces; memory holds one member's chunk, never the archive."""
    now = timezone.localtime()
    generated_at = now.isoformat(timespec="seconds")
    stamp = now.timetuple()[:6]
    sink = _Sink()
    rows = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def member(path):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            return archive.open(info, "w", force_zip64=True)

        for path, chunks in members(application, reader, lang=lang, generated_at=generated_at):
            digest, size = hashlib.sha256(), 0
            with member(path) as out:
                for chunk in chunks():
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                    data = sink.drain()
                    if data:
                        yield data
            rows.append((digest.hexdigest(), size, path))
            data = sink.drain()
            if data:
                yield data
        manifest = manifest_bytes(application, reader, rows, lang=lang, generated_at=generated_at)
        with member(MANIFEST) as out:
            out.write(manifest)
        with member(SIGNATURE) as out:
            out.write((signing.sign(manifest).hex() + "\n").encode("ascii"))
    yield sink.drain()


def write(application: Application, reader: Reader, handle, *, lang: str) -> int:
    """Write the dossier to a binary file handle; return its size in bytes."""
    size = 0
    for data in stream(application, reader, lang=lang):
        handle.write(data)
        size += len(data)
    return size
