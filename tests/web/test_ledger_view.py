"""The ledger view: entries with legs, sequence and hash, filters, pages, scope, and "verify now"."""
import pytest
from django.urls import reverse

from ledger.models import Book, JournalEntry
from tests.factories import ApplicationFactory, FundingCallFactory, MunicipalityFactory, PartnerFactory
from tests.ledger import tamper


def entries(client, **params):
    return client.get(reverse("ledger:entry_list"), params)


@pytest.mark.django_db
def test_entries_show_legs_sequence_and_hash(as_user, auditor, verified_claim):
    response = entries(as_user(auditor))
    html = response.content.decode()
    entry = JournalEntry.objects.get(kind="inkind_contribution")
    assert entry.hash in html and f'<td class="num">{entry.seq}</td>' in html
    for posting in entry.postings.select_related("account"):
        assert posting.account.code in html
    assert "80,000.00 kr" in html and "-80,000.00 kr" in html and "100.00 h" in html


@pytest.mark.django_db
def test_entries_filter_by_application_kind_and_date(as_user, auditor, verified_claim):
    from datetime import date, timedelta

    client = as_user(auditor)
    reference = verified_claim.application.reference
    page = entries(client, application=reference, kind="cash_contribution").context["page"]
    assert [e.kind for e in page.object_list] == ["cash_contribution"]
    assert entries(client, date_to=(date.today() - timedelta(days=1)).isoformat()).context["page"].paginator.count == 0
    assert entries(client, application="TB-0000-0000").context["page"].paginator.count == 0


@pytest.mark.django_db
def test_entries_are_paginated_and_queries_do_not_grow(as_user, auditor, verified_claim, monkeypatch,
                                                       django_assert_max_num_queries):
    from web.views import ledger as views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client = as_user(auditor)
    total = JournalEntry.objects.count()
    assert total > 8
    with django_assert_max_num_queries(10):
        first = entries(client).context["page"]
    assert len(first.object_list) == 4 and first.paginator.count == total
    last = entries(client, page=first.paginator.num_pages).context["page"]
    assert len(last.object_list) == total - 4 * (first.paginator.num_pages - 1)


@pytest.mark.django_db
def test_applicant_sees_only_entries_of_own_applications(as_user, outsider, verified_claim):
    other_call = FundingCallFactory()
    own = ApplicationFactory(call=other_call, applicant=outsider.memberships.get().organisation)
    PartnerFactory(application=own)
    page = entries(as_user(outsider)).context["page"]
    assert page.paginator.count == 0
    assert JournalEntry.objects.exists()


@pytest.mark.django_db
def test_officer_sees_own_books_including_the_opening_entry(as_user, officer, active):
    page = entries(as_user(officer)).context["page"]
    assert "opening" in {e.kind for e in page.object_list}


@pytest.mark.django_db
def test_verify_now_reports_an_intact_book(as_user, officer, auditor, verified_claim):
    book = Book.objects.get()
    for user in (officer, auditor):
        response = as_user(user).post(reverse("ledger:verify_book", args=[book.pk]))
        assert response.status_code == 200 and response.context["result"].ok
        assert "Intact." in response.content.decode()


@pytest.mark.django_db
def test_verify_now_names_the_first_tampered_entry(as_user, auditor, verified_claim):
    book = Book.objects.get()
    entry = JournalEntry.objects.get(kind="cash_contribution")
    tamper.execute("UPDATE ledger_journalentry SET memo = %s WHERE id = %s", ["ändrad", entry.pk])
    response = as_user(auditor).post(reverse("ledger:verify_book", args=[book.pk]))
    assert not response.context["result"].ok
    assert f"The first bad entry is #{entry.seq}." in response.content.decode()


@pytest.mark.django_db
def test_verify_is_for_officers_of_the_call_and_auditors_only(as_user, applicant, company_rep, active):
    book = Book.objects.get()
    other_officer_region = MunicipalityFactory()  # not this call's regional body
    from tests.factories import member

    stranger = member("officer", other_officer_region)
    for user in (applicant, company_rep, stranger):
        assert as_user(user).post(reverse("ledger:verify_book", args=[book.pk])).status_code == 404


@pytest.mark.django_db
def test_verify_buttons_are_shown_to_officers_and_auditors_only(as_user, applicant, officer, active):
    assert entries(as_user(officer)).context["books"] == [Book.objects.get()]
    assert entries(as_user(applicant)).context["books"] == []


@pytest.mark.django_db
def test_verify_needs_post(as_user, auditor, active):
    assert as_user(auditor).get(reverse("ledger:verify_book", args=[Book.objects.get().pk])).status_code == 405
