"""render_report and export_journal: files for scripts and cron; bad input is a clear error, not a traceback."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from applications.models import AuditEvent
from ledger import verify
from ledger.models import Book
from tests.reports.conftest import as_table, money, pdf_text, xlsx_sheets

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_render_statement_pdf_in_swedish(paid, tmp_path):
    target = tmp_path / "statement.pdf"
    output = run("render_report", "statement", paid.reference, "-o", str(target), "--lang", "sv")
    pages = len(PdfReader(target).pages)
    assert f"({pages} page(s)" in output
    text = pdf_text(target.read_bytes())
    assert paid.reference in text and "80 000,00 kr" in text and "av manage.py render_report" in text


@pytest.mark.django_db
def test_render_statement_xlsx(paid, tmp_path):
    target = tmp_path / "statement.xlsx"
    run("render_report", "statement", paid.reference, "-o", str(target))
    summary = dict(xlsx_sheets(target.read_bytes())["Statement"][1:])
    assert money(summary["Fund paid (net)"]) == money("80000.00")


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_render_call_summary(paid, tmp_path, suffix):
    target = tmp_path / f"call.{suffix}"
    run("render_report", "call", str(paid.call_id), "-o", str(target))
    if suffix == "pdf":
        assert paid.reference in pdf_text(target.read_bytes())
    else:
        assert [r["Reference"] for r in as_table(xlsx_sheets(target.read_bytes())["Applications"])] == [
            paid.reference]


@pytest.mark.django_db
def test_render_report_is_logged(paid, tmp_path):
    run("render_report", "statement", paid.reference, "-o", str(tmp_path / "s.xlsx"))
    event = AuditEvent.objects.get(action="download")
    assert event.application_id == paid.pk and event.actor_name == "system" and "render_report" in event.comment


@pytest.mark.django_db
@pytest.mark.parametrize("args,message", [
    (["statement", "TB-1999-0001", "-o", "{tmp}/s.pdf"], "No application with reference 'TB-1999-0001'"),
    (["call", "99999", "-o", "{tmp}/c.pdf"], "No funding call with id 99999"),
    (["call", "first", "-o", "{tmp}/c.pdf"], "A call is named by its id"),
    (["statement", "TB-1999-0001", "-o", "{tmp}/s.docx"], "must end in .pdf or .xlsx"),
    (["statement", "TB-1999-0001", "-o", "{tmp}/missing/s.pdf"], "does not exist"),
], ids=["unknown-reference", "unknown-call", "call-not-a-number", "bad-extension", "missing-directory"])
def test_render_report_refuses_bad_input_clearly(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("render_report", *[a.replace("{tmp}", str(tmp_path)) for a in args])


@pytest.mark.django_db
@pytest.mark.parametrize("slice_", [False, True], ids=["book", "slice"])
def test_export_journal_jsonl_verifies(paid, tmp_path, slice_):
    book = Book.objects.get(call=paid.call)
    target = tmp_path / "journal.jsonl"
    args = ["export_journal", "--book", str(book.pk), "--format", "jsonl", "-o", str(target)]
    if slice_:
        args += ["--application", paid.reference]
    output = run(*args)
    header, *entries = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert header["checkpoint"]["size"] == book.head_seq
    result = verify.verify_entries([{k: v for k, v in e.items() if k != "proof"} for e in entries],
                                   start_seq=None if slice_ else 1)
    with target.open("rb") as handle:
        assert verify.verify_export(handle).ok
    assert result.ok and f"Wrote {result.entries_checked} entries" in output
    if not slice_:
        assert result.head_hash == book.head_hash and result.entries_checked == book.head_seq


@pytest.mark.django_db
def test_export_journal_csv(paid, tmp_path):
    book = Book.objects.get(call=paid.call)
    target = tmp_path / "journal.csv"
    run("export_journal", "--book", str(book.pk), "--format", "csv", "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("book,seq,kind,occurred_at,")


@pytest.mark.django_db
@pytest.mark.parametrize("args,message", [
    (["--book", "99999"], "No book with id 99999"),
    (["--book", "one"], "A book is named by its id"),
    (["--book", "{book}", "--application", "TB-1999-0001"], "No application with reference"),
], ids=["unknown-book", "book-not-a-number", "unknown-application"])
def test_export_journal_refuses_bad_input_clearly(paid, tmp_path, args, message):
    book = Book.objects.get(call=paid.call)
    args = [a.replace("{book}", str(book.pk)) for a in args]
    with pytest.raises(CommandError, match=message):
        run("export_journal", *args, "--format", "jsonl", "-o", str(tmp_path / "j.jsonl"))


def test_command_line_error_is_a_message_and_exit_code_not_a_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "render_report", "statement", "TB-1", "-o",
                             str(tmp_path / "s.odt")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "must end in .pdf or .xlsx" in result.stderr and "Traceback" not in result.stderr
