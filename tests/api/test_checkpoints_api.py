"""GET /api/v1/ledger/checkpoints/: the signed checkpoints an auditor checks an export against (DESIGN §7),
seen by the officers of the book's call and by auditors; the audit and runs logs' only by auditors."""
import pytest

from ledger import keys
from ledger.models import Book, Checkpoint
from tests.api.helpers import expect, url


def listed(client, **query):
    return expect(client.get(url("ledger/checkpoints"), query), 200)["results"]


@pytest.mark.django_db
def test_auditors_and_the_calls_officers_read_the_signed_checkpoints(api, paid, officer, auditor, applicant,
                                                                     company_rep):
    book = Book.objects.get(call=paid.call)
    Checkpoint.objects.create(log="audit", book=None, instance_id="x", size=1, root="0" * 64,
                              signed_at=Checkpoint.objects.first().signed_at, key_fingerprint="f" * 64,
                              signature="0" * 128)
    by_auditor = listed(api(auditor))
    assert {row["log"] for row in by_auditor} == {f"book-{book.pk}", "audit"}
    newest = max((row for row in by_auditor if row["book"] == book.pk), key=lambda row: row["size"])
    assert newest["size"] == Book.objects.get(pk=book.pk).head_seq
    assert newest["public_key"] == keys.public_key_hex() and newest["key_fingerprint"] == keys.fingerprint()
    assert next(row for row in by_auditor if row["log"] == "audit")["public_key"] is None  # an unknown key
    assert {row["log"] for row in listed(api(officer))} == {f"book-{book.pk}"}
    assert listed(api(officer), book=book.pk) == [row for row in listed(api(officer)) if row["book"] == book.pk]
    for outsider in (applicant, company_rep):
        assert listed(api(outsider)) == []
        expect(api(outsider).get(url("ledger/checkpoints", newest["id"])), 404)
    assert expect(api(auditor).get(url("ledger/checkpoints", newest["id"])), 200)["root"] == newest["root"]


@pytest.mark.django_db
def test_checkpoints_are_read_only(api, paid, auditor):
    first = listed(api(auditor))[0]
    for method in ("post", "put", "patch", "delete"):
        target = url("ledger/checkpoints") if method == "post" else url("ledger/checkpoints", first["id"])
        assert getattr(api(auditor), method)(target, {}, format="json").status_code == 405
