"""SIE 4 export of a book: format per SIE 4B (CP437, PC8), balanced verifications, chart overrides,
and a round trip: the file parsed back sums to the ledger per account."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from applications.models import AuditEvent
from core.errors import RuleViolation
from ledger.models import Book, JournalEntry
from ledger.selectors import sums_by_account_kind
from reports import sie

TODAY = timezone.localdate()
LONG_AGO = date(2020, 1, 1)


def book_of(application) -> Book:
    return Book.objects.select_related("call__regional_body").get(call=application.call)


def export(book, since=LONG_AGO, until=TODAY, **kwargs) -> sie.SieFile:
    return sie.parse(sie.render(book, since, until, **kwargs))


@pytest.mark.django_db
def test_header_records_follow_sie_4(paid):
    book = book_of(paid)
    content = sie.render(book, date(TODAY.year - 1, 6, 1), TODAY, generated_by="officer")
    text = content.decode("cp437")
    lines = text.split("\r\n")
    assert lines[:4] == ["#FLAGGA 0", "#FORMAT PC8", "#SIETYP 4", '#PROGRAM "Testbed Ledger" "1.0"']
    assert f'#GEN {TODAY:%Y%m%d} "officer"' in lines
    assert f"#ORGNR {paid.call.regional_body.org_number}" in lines
    assert f"#RAR 0 {TODAY.year}0101 {TODAY.year}1231" in lines
    assert f"#RAR -1 {TODAY.year - 1}0101 {TODAY.year - 1}1231" in lines
    assert '#KONTO 6993 "Lämnade bidrag, strukturfondsmedel"' in lines and "#KTYP 6993 K" in lines
    assert '#DIM 6 "Projekt"' in lines
    assert f'#OBJEKT 6 "{paid.reference}" "{paid.title}"' in lines
    assert text.endswith("}\r\n")


@pytest.mark.django_db
def test_file_is_cp437_not_utf8(paid):
    content = sie.render(book_of(paid), LONG_AGO, TODAY)
    assert "Lämnade".encode("cp437") in content
    assert "Lämnade".encode() not in content


@pytest.mark.django_db
def test_every_entry_with_legs_is_one_balanced_verification(paid):
    book = book_of(paid)
    parsed = export(book)
    with_legs = JournalEntry.objects.filter(book=book).exclude(kind=JournalEntry.Kind.TRANSITION)
    transitions = JournalEntry.objects.filter(book=book, kind=JournalEntry.Kind.TRANSITION)
    assert transitions.exists()
    assert [int(v.number) for v in parsed.verifications] == sorted(with_legs.values_list("seq", flat=True))
    assert all(v.balance == 0 and len(v.transactions) >= 2 for v in parsed.verifications)
    assert {v.series for v in parsed.verifications} == {"TL"}
    kinds = {e.seq: e.kind for e in with_legs}
    payment = next(v for v in parsed.verifications if kinds[int(v.number)] == JournalEntry.Kind.FUND_PAYMENT)
    assert {(t.account, t.amount) for t in payment.transactions} == {("6993", Decimal("80000.00")),
                                                                     ("1780", Decimal("-80000.00"))}
    assert all(t.objects == {"6": paid.reference} for t in payment.transactions)


@pytest.mark.django_db
def test_round_trip_sums_per_account_equal_the_ledger(paid):
    book = book_of(paid)
    chart = sie.chart(book.call)
    parsed = export(book)
    expected = {}
    for kind, total in sums_by_account_kind(book).items():
        expected[chart.number(kind)] = expected.get(chart.number(kind), Decimal("0.00")) + total
    assert parsed.sums() == expected
    assert expected[chart.number("fund_paid")] == Decimal("80000.00")
    assert set(parsed.accounts) == {number for number, _name in chart.accounts.values()}


@pytest.mark.django_db
def test_in_kind_legs_carry_the_partner_and_hours(paid):
    parsed = export(book_of(paid))
    x = paid.partners.order_by("id").first().company
    inkind = [t for v in parsed.verifications for t in v.transactions if t.account == "3988"]
    assert inkind and all(t.objects == {"6": paid.reference, "20": x.org_number} for t in inkind)
    assert sum(t.quantity for t in inkind) == Decimal("100.00")
    assert parsed.objects[("20", x.org_number)] == x.name


@pytest.mark.django_db
def test_date_range_selects_entries_by_local_date(paid):
    book = book_of(paid)
    assert export(book, TODAY + timedelta(days=1), TODAY + timedelta(days=30)).verifications == []
    assert export(book, TODAY, TODAY).verifications
    with pytest.raises(RuleViolation):
        sie.render(book, TODAY, TODAY - timedelta(days=1))


@pytest.mark.django_db
def test_call_and_per_file_overrides_of_the_chart(paid):
    call = paid.call
    call.sie_accounts = {"series": "R7", "accounts": {"fund_paid": ["4010", "Utbetalda EU-stöd"]}}
    call.save()
    book = book_of(paid)
    parsed = export(book)
    assert parsed.accounts["4010"] == "Utbetalda EU-stöd" and "6993" not in parsed.accounts
    assert {v.series for v in parsed.verifications} == {"R7"}
    assert parsed.sums()["4010"] == Decimal("80000.00")
    once = export(book, overrides={"accounts": {"fund_paid": "4020"}})
    assert "4020" in once.accounts and once.accounts["4020"] == "Utbetalda EU-stöd"
    for broken in ({"series": "A B"}, {"accounts": {"fund_paid": ["12", "x"]}}, {"accounts": {"nope": "1234"}}):
        with pytest.raises(RuleViolation):
            sie.chart(call, broken)


@pytest.mark.django_db
def test_texts_are_quoted_and_spelled_in_cp437():
    assert sie.quote('Kassa "A" → B\tC') == '"Kassa \\"A\\" -> B C"'
    assert sie.tokens(sie.quote('Kassa "A" \\ x') + ' {6 "TB 1"} 10.00') == ['Kassa "A" \\ x', {"6": "TB 1"}, "10.00"]


def _download(user, path, **params):
    client = Client()
    client.force_login(user)
    return client.get(path, params)


@pytest.mark.django_db
def test_web_and_api_download_for_officers_and_auditors_only(paid, officer, auditor, applicant, partner_rep):
    book = book_of(paid)
    web, api = f"/reports/books/{book.pk}/sie.se", f"/api/v1/reports/books/{book.pk}/sie.se"
    for user in (officer, auditor):
        for path in (web, api):
            response = _download(user, path, **{"from": "2020-01-01", "to": TODAY.isoformat()})
            assert response.status_code == 200, (user, path)
            assert response["Content-Type"] == "text/plain; charset=IBM437"
            parsed = sie.parse(b"".join(response.streaming_content))
            assert parsed.verifications and all(v.balance == 0 for v in parsed.verifications)
    for user in (applicant, partner_rep):
        assert _download(user, web).status_code == 404
        assert _download(user, api).status_code == 404
    assert AuditEvent.objects.filter(action="download", object_type="book", comment__startswith="sie-book").count() == 4


@pytest.mark.django_db
def test_bad_dates_are_a_400(paid, officer):
    book = book_of(paid)
    assert _download(officer, f"/reports/books/{book.pk}/sie.se", **{"from": "yesterday"}).status_code == 400
    assert _download(officer, f"/api/v1/reports/books/{book.pk}/sie.se", to="2020-01-01",
                     **{"from": "2021-01-01"}).status_code == 400


@pytest.mark.django_db
def test_export_sie_command(paid, tmp_path):
    book = book_of(paid)
    target = tmp_path / "book.se"
    out = io.StringIO()
    call_command("export_sie", "--book", str(book.pk), "--from", "2020-01-01", "--to", TODAY.isoformat(),
                 "-o", str(target), stdout=out)
    parsed = sie.parse(target.read_bytes())
    assert f"Wrote {len(parsed.verifications)} verifications" in out.getvalue()
    assert all(v.balance == 0 for v in parsed.verifications)
    assert AuditEvent.objects.filter(action="download", comment__startswith="manage.py export_sie").exists()
    with pytest.raises(CommandError):
        call_command("export_sie", "--book", str(book.pk), "--from", "2021-13-01", "--to", "2022-01-01", "-o", "-")
    with pytest.raises(CommandError):
        call_command("export_sie", "--book", "999", "--from", "2021-01-01", "--to", "2022-01-01", "-o", "-")
    with pytest.raises(CommandError):
        call_command("export_sie", "--book", str(book.pk), "--from", "2021-01-01", "--to", "2022-01-01",
                     "-o", "-", "--series", "two words")


@pytest.mark.django_db
def test_demo_call_exports_and_balances(demo):
    book = book_of(demo)
    parsed = export(book)
    assert len(parsed.verifications) >= 3
    assert all(v.balance == 0 for v in parsed.verifications)
    chart = sie.chart(book.call)
    expected = {}
    for kind, total in sums_by_account_kind(book).items():
        expected[chart.number(kind)] = expected.get(chart.number(kind), Decimal("0.00")) + total
    assert parsed.sums() == expected
