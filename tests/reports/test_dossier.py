"""The auditor's dossier (reports/dossier.py): what each role gets, and that `python -m ledger.verify`
checks all of it offline with the standard library — manifest signature, every file's hash, the slice's
chain, inclusion and consistency proofs (rules E5, E6, P1)."""
import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.test import Client

from applications.models import AuditEvent
from ledger import checkpoints, dossier_check, ed25519, journal, keys
from ledger.models import JournalEntry, retention_end_of
from ledger.selectors import application_entries
from ledger.verify import verify_lines
from reports.models import GeneratedDocument
from tests.api.world import build_world
from tests.factories import RegionalBodyFactory, member

ROOT = Path(__file__).resolve().parents[2]
CORE = ["README.txt", "statement/statement-{ref}-en.pdf", "statement/statement-{ref}-en.xlsx",
        "journal/slice.jsonl", "journal/proofs.jsonl", "journal/checkpoint.json", "journal/consistency.json",
        "decisions/decisions.json", "audit-trail.csv", "reviews/claim-items.csv", "MANIFEST", "MANIFEST.sig"]


@pytest.fixture
def world(draft, applicant, officer, second_officer, call):
    return build_world(draft, applicant, officer, second_officer, call)


def download(user, reference, **params) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(f"/reports/applications/{reference}/dossier.zip", {"lang": "en", **params})
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def offline(tmp_path, data: bytes, *args) -> subprocess.CompletedProcess:
    """`python -m ledger.verify` in a fresh interpreter: no Django settings, no database."""
    path = tmp_path / "dossier.zip"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "ledger.verify", str(path), *args], cwd=ROOT,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def slice_seqs(files: dict) -> set:
    return {json.loads(line)["seq"] for line in files["journal/slice.jsonl"].decode().splitlines() if line}


@pytest.mark.django_db
def test_auditor_dossier_holds_every_document_and_verifies_offline(world, auditor, tmp_path):
    ref = world.application.reference
    data = download(auditor, ref)
    files = members(data)
    assert set(files) == {name.format(ref=ref) for name in CORE} | {"receipts/V1.pdf"}
    assert files["receipts/V1.pdf"] == world.cash_item.receipt.open("rb").read()
    assert slice_seqs(files) == set(JournalEntry.objects.filter(application=world.application)
                                    .values_list("seq", flat=True))
    result = offline(tmp_path, data, "--key", keys.fingerprint())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DOSSIER OK" in result.stdout and "entries proven in checkpoint" in result.stdout


@pytest.mark.django_db
def test_officer_and_applicant_get_the_whole_dossier(world, officer, applicant):
    for user in (officer, applicant):
        files = members(download(user, world.application.reference))
        assert "receipts/V1.pdf" in files
        kinds = {row["item"] for row in csv.DictReader(io.StringIO(files["reviews/claim-items.csv"].decode()))}
        assert kinds == {"time_report", "cash"}


@pytest.mark.django_db
def test_partner_dossier_holds_only_its_own_items_and_verifies(world, tmp_path):
    # rule P1: no receipts, no cash, no other partner's hours or rates
    rep = world.reps[world.x.pk]
    data = download(rep, world.application.reference)
    files = members(data)
    assert not any(name.startswith("receipts/") for name in files)
    assert slice_seqs(files) == set(application_entries(rep, world.application).values_list("seq", flat=True))
    assert slice_seqs(files) < set(JournalEntry.objects.filter(application=world.application)
                                   .values_list("seq", flat=True))
    reviews = list(csv.DictReader(io.StringIO(files["reviews/claim-items.csv"].decode())))
    assert reviews and {row["item"] for row in reviews} == {"time_report"}
    assert all(row["who_or_voucher"].startswith(world.x.company.name) for row in reviews)
    rates = json.loads(files["decisions/decisions.json"])[0]["partner_rates"]
    assert set(rates) == {world.x.company.org_number}
    assert b"Bo" not in files["audit-trail.csv"] and b"V1" not in files["journal/slice.jsonl"]
    assert b"scope: partner" in files["MANIFEST"]
    assert offline(tmp_path, data).returncode == 0


@pytest.mark.django_db
def test_strangers_foreign_officers_and_drafts_get_404(world, outsider, applicant):
    foreign = member("officer", RegionalBodyFactory(), "foreign-officer")
    for user in (outsider, foreign):
        client = Client()
        client.force_login(user)
        assert client.get(f"/reports/applications/{world.application.reference}/dossier.zip").status_code == 404
    client = Client()
    client.force_login(applicant)
    assert client.get("/reports/applications/NO-SUCH/dossier.zip").status_code == 404


@pytest.mark.django_db
def test_a_draft_has_no_dossier(draft, applicant):
    client = Client()
    client.force_login(applicant)
    assert client.get(f"/reports/applications/{draft.reference}/dossier.zip").status_code == 404


@pytest.mark.django_db
def test_every_download_is_audited(world, auditor):
    download(auditor, world.application.reference)
    event = AuditEvent.objects.filter(action="download", actor=auditor).latest("id")
    assert event.comment == f"dossier-{world.application.reference}.zip"
    assert event.application == world.application


@pytest.mark.django_db
def test_a_tampered_file_is_detected(world, auditor, tmp_path):
    files = members(download(auditor, world.application.reference))
    files["receipts/V1.pdf"] = files["receipts/V1.pdf"] + b"%"
    result = offline(tmp_path, rezip(files))
    assert result.returncode == 1
    assert "receipts/V1.pdf has been altered" in result.stdout


@pytest.mark.django_db
def test_an_altered_manifest_fails_its_signature(world, auditor, tmp_path):
    files = members(download(auditor, world.application.reference))
    statement = f"statement/statement-{world.application.reference}-en.pdf"
    files[statement] = b"%PDF-1.7 forged"
    # The forger also writes the forged file's hash into MANIFEST, but cannot sign it.
    lines = files["MANIFEST"].decode().split("\n")
    lines = [f"{__import__('hashlib').sha256(files[statement]).hexdigest()}  {len(files[statement])}  {statement}"
             if line.endswith(f"  {statement}") else line for line in lines]
    files["MANIFEST"] = "\n".join(lines).encode()
    result = offline(tmp_path, rezip(files))
    assert result.returncode == 1
    assert "MANIFEST.sig is not a valid signature of MANIFEST" in result.stdout


@pytest.mark.django_db
def test_a_manifest_signed_with_another_key_is_refused_when_the_key_is_given(world, auditor, tmp_path):
    files = members(download(auditor, world.application.reference))
    forger = bytes(range(32))
    header, rest = files["MANIFEST"].decode().split("\n\n", 1)
    header = "\n".join(f"public-key: {ed25519.public_key(forger).hex()}" if line.startswith("public-key: ") else line
                       for line in header.split("\n"))
    files["MANIFEST"] = (header + "\n\n" + rest).encode()
    files["MANIFEST.sig"] = ed25519.sign(forger, files["MANIFEST"]).hex().encode()
    result = offline(tmp_path, rezip(files), "--key", keys.fingerprint())
    assert result.returncode == 1
    assert "signed with another key than the one you gave" in result.stdout
    # Even without --key, the journal's checkpoints are signed by the ledger's key, not the forger's.
    assert "checkpoint.json has a signature that does not match" in offline(tmp_path, rezip(files)).stdout


@pytest.mark.django_db
def test_a_file_not_in_the_manifest_is_detected(world, auditor, tmp_path):
    files = members(download(auditor, world.application.reference))
    files["receipts/extra.pdf"] = b"%PDF-1.7"
    result = offline(tmp_path, rezip(files))
    assert result.returncode == 1 and "receipts/extra.pdf is in the ZIP but not in MANIFEST" in result.stdout


@pytest.mark.django_db
def test_an_entry_outside_the_signed_tree_fails_its_inclusion_proof(world, auditor):
    """Even under a valid manifest signature: a slice entry rewritten (and rehashed) is not a leaf of the
    signed checkpoint, so its proof does not reach the signed root."""
    files = members(download(auditor, world.application.reference))
    lines = files["journal/slice.jsonl"].decode().splitlines()
    entry = json.loads(lines[-1])
    entry["memo"] += " (forged)"
    entry["hash"] = __import__("ledger.chain", fromlist=["entry_hash"]).entry_hash(
        {k: v for k, v in entry.items() if k != "hash"})
    lines[-1] = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    files["journal/slice.jsonl"] = ("\n".join(lines) + "\n").encode()
    header, body = files["MANIFEST"].decode().split("\n\n", 1)
    rows = []
    for line in body.strip().split("\n"):
        sha, size, path = line.split("  ", 2)
        if path == "journal/slice.jsonl":
            content = files[path]
            line = f"{__import__('hashlib').sha256(content).hexdigest()}  {len(content)}  {path}"
        rows.append(line)
    files["MANIFEST"] = (header + "\n\n" + "\n".join(rows) + "\n").encode()
    files["MANIFEST.sig"] = keys.sign(files["MANIFEST"]).hex().encode()
    result = dossier_check.verify_dossier(io.BytesIO(rezip(files)), verify_lines=verify_lines)
    assert not result.ok
    assert any(f"entry seq {entry['seq']} is not in the signed tree" in line for line in result.findings)


@pytest.mark.django_db
def test_the_slice_is_proven_in_an_older_checkpoint_that_the_newest_extends(world, auditor, officer):
    journal.record_transition(world.other, by=officer, from_state="draft", to_state="draft", comment="later")
    files = members(download(auditor, world.application.reference))
    anchor = json.loads(files["journal/checkpoint.json"])
    consistency = json.loads(files["journal/consistency.json"])
    assert anchor["size"] == max(slice_seqs(files)) < consistency["newest"]["size"]
    assert consistency["proof"]


@pytest.mark.django_db
def test_checkpoint_message_is_the_one_the_ledger_signs(world):
    record = checkpoints.as_record(checkpoints.latest_checkpoint(world.application.call.book))
    assert dossier_check.checkpoint_message(record) == checkpoints.message(record)


def test_the_dossier_verifier_loads_only_the_standard_library():
    code = ("import sys; import ledger.verify, ledger.dossier_check; "
            "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__'}))")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); {code}"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['core', 'ledger']"


@pytest.mark.django_db
def test_the_readme_is_in_the_language_of_the_request(world, auditor, settings):
    english = members(download(auditor, world.application.reference))["README.txt"].decode()
    swedish = members(download(auditor, world.application.reference, lang="sv"))
    assert "python -m ledger.verify dossier-" in english and "How to verify" in english
    assert "Så kontrollerar du" in swedish["README.txt"].decode()
    assert f"statement/statement-{world.application.reference}-sv.pdf" in swedish


@pytest.mark.django_db
def test_api_serves_the_same_dossier(world, auditor, outsider):
    from tests.api.conftest import client_for

    response = client_for(auditor).get(f"/api/v1/reports/applications/{world.application.reference}/dossier.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "MANIFEST" in members(b"".join(response.streaming_content))
    assert client_for(outsider).get(
        f"/api/v1/reports/applications/{world.application.reference}/dossier.zip").status_code == 404


@pytest.mark.django_db
def test_export_dossier_command_writes_a_verifiable_zip(world, tmp_path):
    target = tmp_path / "out.zip"
    call_command("export_dossier", "--application", world.application.reference, "-o", str(target),
                 stdout=io.StringIO())
    assert offline(tmp_path, target.read_bytes()).returncode == 0
    with pytest.raises(CommandError, match="No application"):
        call_command("export_dossier", "--application", "NO-SUCH", "-o", str(target))


@pytest.mark.django_db
def test_a_large_dossier_is_made_by_the_worker_and_kept_until_retention_ends(world, auditor, settings, tmp_path,
                                                                            django_capture_on_commit_callbacks):
    settings.DOSSIER_STREAM_MAX_BYTES = 1
    client = Client()
    client.force_login(auditor)
    reference = world.application.reference
    assert client.get(f"/reports/applications/{reference}/dossier.zip").status_code == 400
    page = client.get(f"/applications/{reference}/")
    assert f"/reports/applications/{reference}/dossier-job/".encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/applications/{reference}/dossier-job/", {"lang": "en"})
    document = GeneratedDocument.objects.get(kind="dossier")
    assert response.status_code == 302 and document.status == "done"
    assert document.keep_until == retention_end_of(world.application)
    zipped = client.get(f"/reports/documents/{document.pk}/download")
    assert offline(tmp_path, b"".join(zipped.streaming_content)).returncode == 0
    with pytest.raises(Exception, match="retention"):
        document.delete()
    outsider_client = Client()
    outsider_client.force_login(world.reps[world.x.pk])  # a partner never gets the whole dossier
    assert outsider_client.get(f"/reports/documents/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_slice_no_signed_checkpoint_covers_is_refused_before_streaming(world, auditor, monkeypatch, tmp_path):
    monkeypatch.setattr(checkpoints, "latest_checkpoint", lambda book: None)
    client = Client()
    client.force_login(auditor)
    response = client.get(f"/reports/applications/{world.application.reference}/dossier.zip")
    assert response.status_code == 400 and b"verify_ledger" in response.content
    with pytest.raises(CommandError, match="verify_ledger"):
        call_command("export_dossier", "--application", world.application.reference, "-o", str(tmp_path / "x.zip"))
